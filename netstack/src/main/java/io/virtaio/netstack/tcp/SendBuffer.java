package io.virtaio.netstack.tcp;

import java.lang.foreign.MemorySegment;

/**
 * The bytes an application queued for sending and the peer has not yet acknowledged: a ring of native memory
 * indexed by stream offset (byte 0 is the first byte after the SYN), so the byte at offset {@code p} sits at
 * {@code p & mask}. Bytes {@code [head, tail)} are held; {@code head} advances when the peer acknowledges data,
 * {@code tail} when the application writes. Allocation-free.
 */
final class SendBuffer {
    private MemorySegment ring;
    private int mask;
    private long head;
    private long tail;

    SendBuffer(MemorySegment ring) {
        this.ring = ring;
        this.mask = (int) ring.byteSize() - 1;
    }

    int capacity() {
        return mask + 1;
    }

    /** Bytes held: written and not yet acknowledged. */
    int length() {
        return (int) (tail - head);
    }

    int free() {
        return capacity() - length();
    }

    long head() {
        return head;
    }

    long tail() {
        return tail;
    }

    /** Copies as much of {@code len} bytes as fits; returns the count. */
    int write(MemorySegment src, long off, int len) {
        int n = Math.min(len, free());
        int at = (int) (tail & mask);
        int first = Math.min(n, capacity() - at);
        MemorySegment.copy(src, off, ring, at, first);
        if (n > first) {
            MemorySegment.copy(src, off + first, ring, 0, n - first);
        }
        tail += n;
        return n;
    }

    /** Copies {@code len} held bytes starting at stream offset {@code from} into {@code dst}. */
    void copyOut(long from, MemorySegment dst, long dstOff, int len) {
        assert from >= head && from + len <= tail;
        int at = (int) (from & mask);
        int first = Math.min(len, capacity() - at);
        MemorySegment.copy(ring, at, dst, dstOff, first);
        if (len > first) {
            MemorySegment.copy(ring, 0, dst, dstOff + first, len - first);
        }
    }

    /** The peer acknowledged everything before stream offset {@code newHead}. */
    void release(long newHead) {
        if (newHead > head) {
            head = Math.min(newHead, tail);
        }
    }

    /**
     * Moves the held bytes into {@code bigger} (a larger power-of-two ring) and returns the old ring for the pool.
     * Stream offsets stay as they are: each byte lands at {@code offset & newMask}.
     */
    MemorySegment grow(MemorySegment bigger) {
        MemorySegment old = ring;
        int oldMask = mask;
        int newMask = (int) bigger.byteSize() - 1;
        long p = head;
        while (p < tail) {
            // The longest run contiguous in both rings.
            int from = (int) (p & oldMask);
            int to = (int) (p & newMask);
            int n = (int) Math.min(tail - p, Math.min(oldMask + 1 - from, newMask + 1 - to));
            MemorySegment.copy(old, from, bigger, to, n);
            p += n;
        }
        ring = bigger;
        mask = newMask;
        return old;
    }

    /** Drops every byte (abort). */
    void clear() {
        head = tail;
    }

    /** Detaches the ring so it can go back to the pool; the buffer is empty and unusable afterwards. */
    MemorySegment detach() {
        MemorySegment r = ring;
        ring = null;
        mask = -1;
        head = tail;
        return r;
    }

    boolean attached() {
        return ring != null;
    }
}
