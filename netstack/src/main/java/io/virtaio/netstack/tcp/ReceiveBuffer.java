package io.virtaio.netstack.tcp;

import java.lang.foreign.MemorySegment;

/**
 * Received bytes waiting for the application, and out-of-order bytes stored directly at their place: a ring of
 * native memory indexed by stream position (byte 0 is the first after the peer's SYN). {@code [readPos,
 * readPos + readable)} is in order and readable; bytes beyond, up to the window, are placed at
 * {@code position & mask} as they arrive, and their extent is tracked by an {@link Assembler}. Allocation-free.
 */
final class ReceiveBuffer {
    private MemorySegment ring;
    private int mask;
    private long readPos;
    private int readable;

    ReceiveBuffer(MemorySegment ring) {
        this.ring = ring;
        this.mask = (int) ring.byteSize() - 1;
    }

    int capacity() {
        return mask + 1;
    }

    int readable() {
        return readable;
    }

    /** Room for bytes not yet read: the most the receive window may cover. */
    int free() {
        return capacity() - readable;
    }

    /** Stream position of the next in-order byte to arrive (RCV.NXT as a stream position). */
    long endPos() {
        return readPos + readable;
    }

    /** Stores {@code len} bytes whose first byte is {@code rel} bytes past the in-order end; must fit in free(). */
    void store(int rel, MemorySegment src, long off, int len) {
        assert rel >= 0 && rel + len <= free();
        int at = (int) ((readPos + readable + rel) & mask);
        int first = Math.min(len, capacity() - at);
        MemorySegment.copy(src, off, ring, at, first);
        if (len > first) {
            MemorySegment.copy(src, off + first, ring, 0, len - first);
        }
    }

    /** {@code n} more bytes at the in-order end became contiguous (stored earlier or just now). */
    void commit(int n) {
        readable += n;
    }

    /**
     * Bytes handed straight to a reader without passing through the ring (only when nothing is readable): the
     * positions move on as if they had been stored and read.
     */
    void bypass(int n) {
        assert readable == 0;
        readPos += n;
    }

    /** Copies up to {@code len} readable bytes into {@code dst}; returns the count. */
    int read(MemorySegment dst, long off, int len) {
        int n = Math.min(len, readable);
        int at = (int) (readPos & mask);
        int first = Math.min(n, capacity() - at);
        MemorySegment.copy(ring, at, dst, off, first);
        if (n > first) {
            MemorySegment.copy(ring, 0, dst, off + first, n - first);
        }
        readPos += n;
        readable -= n;
        return n;
    }

    /** Discards up to {@code n} readable bytes. */
    int skip(int n) {
        int k = Math.min(n, readable);
        readPos += k;
        readable -= k;
        return k;
    }

    /**
     * Moves everything the window may hold — readable bytes and out-of-order bytes placed beyond them, up to the
     * old capacity — into {@code bigger} (a larger power-of-two ring); returns the old ring for the pool. Positions
     * stay as they are: each byte lands at {@code position & newMask}.
     */
    MemorySegment grow(MemorySegment bigger) {
        MemorySegment old = ring;
        int oldMask = mask;
        int newMask = (int) bigger.byteSize() - 1;
        long p = readPos;
        long end = readPos + oldMask + 1;
        while (p < end) {
            int from = (int) (p & oldMask);
            int to = (int) (p & newMask);
            int n = (int) Math.min(end - p, Math.min(oldMask + 1 - from, newMask + 1 - to));
            MemorySegment.copy(old, from, bigger, to, n);
            p += n;
        }
        ring = bigger;
        mask = newMask;
        return old;
    }

    MemorySegment detach() {
        MemorySegment r = ring;
        ring = null;
        mask = -1;
        readable = 0;
        return r;
    }

    boolean attached() {
        return ring != null;
    }
}
