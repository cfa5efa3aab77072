package io.virtaio.virtio.fault;

import io.virtaio.virtio.net.VirtioNet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Frames a direction holds for later: a fixed number of slots in one preallocated segment, each with room for a
 * header and a frame of at most {@code maxFrameBytes}, released in (release time, arrival) order through an indexed
 * binary heap — frames leave out of arrival order (jitter, reordering, late duplicates), so the FIFO
 * {@link io.virtaio.virtio.backend.DelayLine} of the wire does not fit. A held frame's release time can change
 * (a frame waiting for N followers is released by the Nth), which the heap's position index makes O(log n).
 *
 * <p>Confined to one thread; allocation-free after construction; bounded: when every slot is taken,
 * {@link #allocate} fails and the caller drops the frame (counted).
 *
 * <pre>
 * slot s at s × stride:  [0] virtio_net_hdr (12 bytes)   [12] frame bytes (≤ maxFrameBytes)
 * </pre>
 */
final class HoldStore {
    private final int slots;
    private final int maxFrame;
    private final long stride;
    private final MemorySegment mem;

    // Per-slot state: scheduling, then what was done to the frame (for the capture's comments).
    final long[] release;
    private final long[] seq;
    final long[] frameNo;
    final int[] length;
    /** The plan slot (0, or 1 + rule index) whose impairments the frame got. */
    final int[] slotClass;
    final int[] marks;
    final long[] delayNs;
    final long[] queuedNs;
    final long[] holdNs;
    final int[] holdFrames;
    /** For a frame waiting for followers: how many must still leave before it; else 0. */
    final int[] countdown;
    /** The release it would have had without reordering (a frame freed by its Nth follower leaves no earlier). */
    final long[] naturalRelease;
    final int[] flipCount;
    /** {@link Corruption#MAX_FLIPS} positions per slot, each byte × 8 + bit. */
    final int[] flips;

    private final int[] heap;
    private final int[] heapPos;
    private int heapSize;
    private final int[] free;
    private int freeCount;
    private long nextSeq;

    HoldStore(int slots, int maxFrameBytes) {
        if (slots < 1 || maxFrameBytes < VirtioNet.ETH_HEADER) {
            throw new IllegalArgumentException("hold store needs >= 1 slot of >= 14 bytes: " + slots + " x "
                    + maxFrameBytes);
        }
        this.slots = slots;
        this.maxFrame = maxFrameBytes;
        this.stride = (VirtioNet.HDR_SIZE + maxFrameBytes + 15L) & ~15L;
        this.mem = Arena.ofAuto().allocate(stride * slots, 16);
        this.release = new long[slots];
        this.seq = new long[slots];
        this.frameNo = new long[slots];
        this.length = new int[slots];
        this.slotClass = new int[slots];
        this.marks = new int[slots];
        this.delayNs = new long[slots];
        this.queuedNs = new long[slots];
        this.holdNs = new long[slots];
        this.holdFrames = new int[slots];
        this.countdown = new int[slots];
        this.naturalRelease = new long[slots];
        this.flipCount = new int[slots];
        this.flips = new int[slots * Corruption.MAX_FLIPS];
        this.heap = new int[slots];
        this.heapPos = new int[slots];
        this.free = new int[slots];
        for (int i = 0; i < slots; i++) {
            free[i] = slots - 1 - i;
            heapPos[i] = -1;
        }
        this.freeCount = slots;
    }

    int capacity() {
        return slots;
    }

    int maxFrame() {
        return maxFrame;
    }

    /** Slots in use. */
    int size() {
        return slots - freeCount;
    }

    MemorySegment memory() {
        return mem;
    }

    long hdrOffset(int slot) {
        return slot * stride;
    }

    long frameOffset(int slot) {
        return slot * stride + VirtioNet.HDR_SIZE;
    }

    /** A free slot, its marks cleared, or -1 when all are taken. */
    int allocate() {
        if (freeCount == 0) {
            return -1;
        }
        int s = free[--freeCount];
        marks[s] = 0;
        delayNs[s] = 0;
        queuedNs[s] = 0;
        holdNs[s] = 0;
        holdFrames[s] = 0;
        countdown[s] = 0;
        flipCount[s] = 0;
        return s;
    }

    /** Returns a slot that is not scheduled (popped, or never scheduled). */
    void free(int slot) {
        free[freeCount++] = slot;
    }

    /** Schedules {@code slot} at {@code releaseNs}, after every slot already scheduled at the same time. */
    void schedule(int slot, long releaseNs) {
        release[slot] = releaseNs;
        seq[slot] = nextSeq++;
        int i = heapSize++;
        heap[i] = slot;
        heapPos[slot] = i;
        up(i);
    }

    /** Moves a scheduled slot to {@code releaseNs}, behind every slot already scheduled at that time. */
    void reschedule(int slot, long releaseNs) {
        remove(slot);
        schedule(slot, releaseNs);
    }

    /** The slot due first, or -1. */
    int peek() {
        return heapSize == 0 ? -1 : heap[0];
    }

    /** When the first slot is due, or {@link Long#MAX_VALUE}. */
    long nextRelease() {
        return heapSize == 0 ? Long.MAX_VALUE : release[heap[0]];
    }

    /** Unschedules the first slot (still allocated) and returns it. */
    int pop() {
        int s = heap[0];
        remove(s);
        return s;
    }

    private void remove(int slot) {
        int i = heapPos[slot];
        int last = heap[--heapSize];
        heapPos[slot] = -1;
        if (i == heapSize) {
            return;
        }
        heap[i] = last;
        heapPos[last] = i;
        up(i);
        down(heapPos[last]);
    }

    private boolean before(int a, int b) {
        return release[a] < release[b] || (release[a] == release[b] && seq[a] < seq[b]);
    }

    private void up(int i) {
        int s = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            int p = heap[parent];
            if (!before(s, p)) {
                break;
            }
            heap[i] = p;
            heapPos[p] = i;
            i = parent;
        }
        heap[i] = s;
        heapPos[s] = i;
    }

    private void down(int i) {
        int s = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= heapSize) {
                break;
            }
            if (child + 1 < heapSize && before(heap[child + 1], heap[child])) {
                child++;
            }
            int c = heap[child];
            if (!before(c, s)) {
                break;
            }
            heap[i] = c;
            heapPos[c] = i;
            i = child;
        }
        heap[i] = s;
        heapPos[s] = i;
    }
}
