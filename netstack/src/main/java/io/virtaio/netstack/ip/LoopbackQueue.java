package io.virtaio.netstack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/**
 * The loopback interface's queue: IPv4 packets this host sends to itself (its own address or 127.0.0.0/8), held in
 * one bounded byte ring until the next poll delivers them, so a socket can talk to another socket of the same stack
 * and a send never re-enters the receive path.
 *
 * <p>Each packet is one contiguous record: an 8-byte header holding its length, then the packet, padded to 8 bytes;
 * a record that would not fit before the end of the ring starts again at its beginning, after a wrap marker. Room
 * is reserved for the largest packet a sender may write and trimmed to the committed length. Like Linux's
 * {@code lo}, the interface has a 64 KiB MTU, so loopback TCP moves large segments.
 *
 * <p>Thread: the stack's. Allocation-free after construction.
 */
public final class LoopbackQueue {
    /** The loopback MTU: the largest IPv4 packet. */
    public static final int MTU = 0xFFFF;
    /** Room for three maximum-size packets and many small ones. */
    public static final int DEFAULT_CAPACITY = 256 * 1024;

    private static final int HEADER = 8;
    private static final int WRAP = -1;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private final MemorySegment ring;
    private final int capacity;
    private int head;
    private int tail;
    private int used;
    private int count;
    private int reservedAt = -1;
    private int reservedMax;

    private long packets;
    private long bytes;
    private long full;

    /** A ring of {@code capacity} bytes (a multiple of 8 that holds at least one packet of {@link #MTU}). */
    public LoopbackQueue(int capacity) {
        if (capacity % 8 != 0 || capacity < record(MTU)) {
            throw new IllegalArgumentException("loopback ring must be a multiple of 8 of at least " + record(MTU));
        }
        this.ring = MemorySegment.ofArray(new byte[capacity]);
        this.capacity = capacity;
    }

    private static int record(int length) {
        return HEADER + ((length + 7) & ~7);
    }

    /**
     * Reserves room for a packet of up to {@code maxLength} bytes; returns its offset in {@link #segment()}, or -1
     * (counted) when the ring has no contiguous room for it. One reservation at a time.
     */
    public long reserve(int maxLength) {
        if (reservedAt >= 0) {
            throw new IllegalStateException("a loopback packet is already reserved");
        }
        if (maxLength < 0 || maxLength > MTU) {
            throw new IllegalArgumentException("loopback packet length not in 0.." + MTU + ": " + maxLength);
        }
        int need = record(maxLength);
        if (used == 0) {
            head = 0;
            tail = 0;
        }
        boolean tailAfterHead = tail > head || (tail == head && used == 0);
        if (tailAfterHead) {
            if (capacity - tail < need) {
                if (head < need) {
                    full++;
                    return -1;
                }
                ring.set(INT, tail, WRAP);
                used += capacity - tail;
                tail = 0;
            }
        } else if (head - tail < need) {
            full++;
            return -1;
        }
        reservedAt = tail;
        reservedMax = maxLength;
        return tail + HEADER;
    }

    /** Queues the reserved packet with its actual {@code length}. */
    public void commit(int length) {
        if (reservedAt < 0 || length < 0 || length > reservedMax) {
            throw new IllegalStateException("commit of " + length + " bytes without a reservation that holds them");
        }
        ring.set(INT, reservedAt, length);
        int rec = record(length);
        tail = reservedAt + rec;
        if (tail == capacity) {
            tail = 0;
        }
        used += rec;
        count++;
        packets++;
        bytes += length;
        reservedAt = -1;
    }

    /** Gives the reservation back. */
    public void cancel() {
        reservedAt = -1;
    }

    /** The ring's segment. */
    public MemorySegment segment() {
        return ring;
    }

    /** Packets queued. */
    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** Offset of the oldest packet in {@link #segment()}; only when not empty. */
    public long headOffset() {
        return head + HEADER;
    }

    /** Length of the oldest packet; only when not empty. */
    public int headLength() {
        return ring.get(INT, head);
    }

    /** Removes the oldest packet. */
    public void pop() {
        int rec = record(ring.get(INT, head));
        head += rec;
        used -= rec;
        count--;
        if (head == capacity) {
            head = 0;
        }
        if (count == 0 && reservedAt < 0) {
            head = 0;
            tail = 0;
            used = 0;
        } else if (head != tail && ring.get(INT, head) == WRAP) {
            // The next record (queued, or being reserved now) starts at the beginning of the ring.
            used -= capacity - head;
            head = 0;
        }
    }

    /** Drops every queued packet. */
    public void clear() {
        head = 0;
        tail = 0;
        used = 0;
        count = 0;
        reservedAt = -1;
    }

    /** Packets and bytes looped back, and reservations refused for lack of room. */
    public void putCounters(Map<String, Long> into) {
        into.put("ipv4.loopback.packets", packets);
        into.put("ipv4.loopback.bytes", bytes);
        into.put("ipv4.loopback.drop.full", full);
    }
}
