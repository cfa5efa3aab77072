package io.virtaio.netstack.udp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A UDP socket's receive queue: datagrams with their senders, in one byte ring, bounded in bytes.
 *
 * <p>Each datagram is a record of an 8-byte header (length, source port, source address) and its payload padded to
 * 8 bytes; the payload may wrap around the end of the ring, the header never does (records start 8-aligned in a
 * ring whose size is a multiple of 8). A record is charged its whole size against the limit, as Linux charges
 * buffer overhead against SO_RCVBUF, so the bound holds for empty datagrams too. Raising the limit beyond the
 * storage grows it (a control-path copy); lowering it keeps what is queued.
 *
 * <p>Thread: the stack's. Offer and take copy in place and allocate nothing.
 */
final class DatagramQueue {
    private static final int HEADER = 8;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

    private MemorySegment ring;
    private int capacity;
    private int limit;
    private int head;
    private int used;
    private int count;

    DatagramQueue(int limit) {
        this.limit = limit;
        this.capacity = align(limit);
        this.ring = MemorySegment.ofArray(new byte[capacity]);
    }

    private static int align(int n) {
        return (n + 7) & ~7;
    }

    /** Queues a copy of {@code len} bytes at {@code off} of {@code src}; false if the bound does not allow it. */
    boolean offer(int srcAddress, int srcPort, MemorySegment src, long off, int len) {
        int charge = HEADER + align(len);
        if (charge > limit - used || charge > capacity - used) {
            return false;
        }
        int tail = (head + used) % capacity;
        ring.set(U16, tail, (short) len);
        ring.set(U16, tail + 2, (short) srcPort);
        ring.set(I32, tail + 4, srcAddress);
        int at = (tail + HEADER) % capacity;
        int first = Math.min(len, capacity - at);
        MemorySegment.copy(src, off, ring, at, first);
        MemorySegment.copy(src, off + first, ring, 0, len - first);
        used += charge;
        count++;
        return true;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int count() {
        return count;
    }

    /** Bytes charged by the queued datagrams. */
    int used() {
        return used;
    }

    /** The oldest datagram's length; only when not empty. */
    int headLength() {
        return ring.get(U16, head) & 0xFFFF;
    }

    int headPort() {
        return ring.get(U16, head + 2) & 0xFFFF;
    }

    int headAddress() {
        return ring.get(I32, head + 4);
    }

    /** Copies up to {@code max} bytes of the oldest datagram to {@code dst} at {@code off}, drops it; returns the count. */
    int take(MemorySegment dst, long off, int max) {
        int len = headLength();
        int n = Math.min(len, max);
        int at = (head + HEADER) % capacity;
        int first = Math.min(n, capacity - at);
        MemorySegment.copy(ring, at, dst, off, first);
        MemorySegment.copy(ring, 0, dst, off + first, n - first);
        int charge = HEADER + align(len);
        head = (head + charge) % capacity;
        used -= charge;
        count--;
        if (count == 0) {
            head = 0;
        }
        return n;
    }

    int limit() {
        return limit;
    }

    /** Sets the bound; storage grows to it if needed, keeping the queued datagrams. */
    void setLimit(int newLimit) {
        int needed = align(newLimit);
        if (needed > capacity) {
            MemorySegment bigger = MemorySegment.ofArray(new byte[needed]);
            int first = Math.min(used, capacity - head);
            MemorySegment.copy(ring, head, bigger, 0, first);
            MemorySegment.copy(ring, 0, bigger, first, used - first);
            ring = bigger;
            capacity = needed;
            head = 0;
        }
        limit = newLimit;
    }

    /** Drops everything and releases the storage. */
    void release() {
        ring = MemorySegment.ofArray(new byte[0]);
        capacity = 0;
        limit = 0;
        head = 0;
        used = 0;
        count = 0;
    }
}
