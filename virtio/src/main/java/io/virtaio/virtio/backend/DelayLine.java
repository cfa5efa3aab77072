package io.virtaio.virtio.backend;

import io.virtaio.virtio.net.VirtioNet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A bounded FIFO of frames waiting for their arrival time, in one preallocated ring of bytes. Confined to one
 * thread; allocation-free after construction.
 *
 * <pre>
 * record (16-aligned):  [0] i64 arrivalNs   [8] i32 frameLength (-1: padding to the ring's end)
 *                       [12] virtio_net_hdr (12 bytes)   [24] frame bytes
 * </pre>
 * A record never wraps: when it does not fit before the end of the ring, the tail is padded and it starts at 0.
 * Arrival times must not decrease from one offer to the next (a link delivers in order).
 */
final class DelayLine {
    private static final int ARRIVAL = 0;
    private static final int LENGTH = 8;
    private static final int HDR = 12;
    private static final int FRAME = 24;
    private static final int PADDING = -1;

    private final MemorySegment ring;
    private final long capacity;
    /** The header of the frame being delivered: a sink expects it at offset 0 of its own segment. */
    private final MemorySegment hdr;
    private long head;
    private long tail;
    private int frames;

    DelayLine(long capacityBytes) {
        this.capacity = (capacityBytes + 15) & ~15L;
        Arena arena = Arena.ofAuto();
        this.ring = arena.allocate(capacity, 16);
        this.hdr = arena.allocate(VirtioNet.HDR_SIZE, 8);
    }

    private static long recordSize(int frameLength) {
        return (FRAME + frameLength + 15) & ~15L;
    }

    /** Stores a copy of the frame; false (nothing stored) if it does not fit. */
    boolean offer(long arrivalNs, MemorySegment hdrIn, MemorySegment frame, long frameOff, int frameLen) {
        long size = recordSize(frameLen);
        long pos = tail % capacity;
        long pad = capacity - pos < size ? capacity - pos : 0;
        if (tail - head + pad + size > capacity) {
            return false;
        }
        if (pad > 0) {
            ring.set(ValueLayout.JAVA_INT, pos + LENGTH, PADDING);
            tail += pad;
            pos = 0;
        }
        ring.set(ValueLayout.JAVA_LONG, pos + ARRIVAL, arrivalNs);
        ring.set(ValueLayout.JAVA_INT, pos + LENGTH, frameLen);
        MemorySegment.copy(hdrIn, 0, ring, pos + HDR, VirtioNet.HDR_SIZE);
        MemorySegment.copy(frame, frameOff, ring, pos + FRAME, frameLen);
        tail += size;
        frames++;
        return true;
    }

    /**
     * Hands every frame due at {@code nowNs} to {@code sink}, in order, counting each delivery.
     *
     * @return frames handed over
     */
    int deliver(long nowNs, FrameSink sink, BackendCounters counters) {
        int n = 0;
        while (head != tail) {
            long pos = head % capacity;
            int length = ring.get(ValueLayout.JAVA_INT, pos + LENGTH);
            if (length == PADDING) {
                head += capacity - pos;
                continue;
            }
            if (ring.get(ValueLayout.JAVA_LONG, pos + ARRIVAL) > nowNs) {
                break;
            }
            MemorySegment.copy(ring, pos + HDR, hdr, 0, VirtioNet.HDR_SIZE);
            int result = sink.accept(hdr, ring, pos + FRAME, length, nowNs);
            counters.countDelivery(result, length);
            head += recordSize(length);
            frames--;
            n++;
        }
        return n;
    }

    /** Arrival time of the first frame waiting, or {@link Long#MAX_VALUE} when empty. */
    long nextArrival() {
        while (head != tail) {
            long pos = head % capacity;
            if (ring.get(ValueLayout.JAVA_INT, pos + LENGTH) != PADDING) {
                return ring.get(ValueLayout.JAVA_LONG, pos + ARRIVAL);
            }
            head += capacity - pos;
        }
        return Long.MAX_VALUE;
    }

    int frames() {
        return frames;
    }

    /** Bytes of the ring in use, bookkeeping and padding included. */
    long bytesUsed() {
        return tail - head;
    }

    long capacity() {
        return capacity;
    }
}
