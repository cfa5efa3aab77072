package io.virtaio.netstack.ip;

import io.virtaio.netstack.link.EthernetSender;
import io.virtaio.netstack.wire.EtherType;
import io.virtaio.netstack.wire.EthernetFrame;
import io.virtaio.netstack.wire.Icmpv4Code;
import io.virtaio.netstack.wire.Icmpv4Type;
import io.virtaio.netstack.wire.Ipv4Packet;
import io.virtaio.netstack.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * Packets waiting for their next hop's MAC address: a bounded, stack-wide FIFO of complete frames in buffers of its
 * own, so an unresolved neighbour holds no device buffer. RFC 1122 §2.3.2.2: "SHOULD save (rather than discard) at
 * least one (the latest) packet of each set of packets destined to the same unresolved IP address".
 *
 * <p>When all {@code arpPendingLimit} buffers are taken, the oldest packet is dropped (and counted) to make room:
 * the latest packets are the ones worth keeping. When the neighbour resolves, its packets leave in the order they
 * came, as soon as transmit buffers allow (the rest on the next poll); when it does not, they are dropped and each
 * sender hears EHOSTUNREACH through the {@link TransportErrorListener}.
 *
 * <p>Thread: the stack's. Allocation-free after construction.
 */
public final class PendingQueue implements NeighborListener {
    private static final int NONE = -1;

    private final EthernetSender tx;
    private final TransportErrorListener errors;
    private final MemorySegment buffers;
    private final int frameCapacity;
    private final int[] nextHop;
    private final int[] length;
    private final int[] csumStart;
    private final int[] csumOffset;
    private final long[] mac;
    private final boolean[] resolved;
    private final int[] prev;
    private final int[] next;
    private final int[] free;
    private final Ipv4Packet quoted = new Ipv4Packet();
    private int freeCount;
    private int head = NONE;
    private int tail = NONE;
    private int size;
    private int resolvedWaiting;

    private long queued;
    private long sent;
    private long droppedOverflow;
    private long droppedUnreachable;
    private long refused;

    /** {@code limit} buffers of {@code frameCapacity} bytes (an Ethernet header plus the MTU). */
    public PendingQueue(int limit, int frameCapacity, EthernetSender tx, TransportErrorListener errors) {
        this.tx = tx;
        this.errors = errors;
        this.frameCapacity = frameCapacity;
        this.buffers = MemorySegment.ofArray(new byte[Math.multiplyExact(limit, frameCapacity)]);
        this.nextHop = new int[limit];
        this.length = new int[limit];
        this.csumStart = new int[limit];
        this.csumOffset = new int[limit];
        this.mac = new long[limit];
        this.resolved = new boolean[limit];
        this.prev = new int[limit];
        this.next = new int[limit];
        this.free = new int[limit];
        for (int i = 0; i < limit; i++) {
            free[i] = limit - 1 - i;
        }
        this.freeCount = limit;
    }

    /** A buffer for one more packet, dropping the oldest waiting packet if none is free. */
    public int reserve() {
        if (freeCount == 0) {
            int oldest = head;
            unlink(oldest);
            release(oldest);
            droppedOverflow++;
        }
        return free[--freeCount];
    }

    /** The segment the buffers live in. */
    public MemorySegment segment() {
        return buffers;
    }

    /** Where buffer {@code slot}'s frame (its Ethernet header) starts in {@link #segment()}. */
    public long frameOffset(int slot) {
        return (long) slot * frameCapacity;
    }

    /** Appends the frame in {@code slot} (its destination MAC still to be written) to wait for {@code hop}. */
    public void enqueue(int slot, int hop, int frameLength, int checksumStart, int checksumOffset) {
        nextHop[slot] = hop;
        length[slot] = frameLength;
        csumStart[slot] = checksumStart;
        csumOffset[slot] = checksumOffset;
        resolved[slot] = false;
        prev[slot] = tail;
        next[slot] = NONE;
        if (tail == NONE) {
            head = slot;
        } else {
            next[tail] = slot;
        }
        tail = slot;
        size++;
        queued++;
    }

    /** Gives back a buffer from {@link #reserve()} that was not enqueued. */
    public void release(int slot) {
        free[freeCount++] = slot;
    }

    @Override
    public void onResolved(int addr, long hw) {
        for (int s = head; s != NONE; s = next[s]) {
            if (nextHop[s] == addr && !resolved[s]) {
                resolved[s] = true;
                mac[s] = hw;
                resolvedWaiting++;
            }
        }
        flushResolved();
    }

    @Override
    public void onUnreachable(int addr) {
        for (int s = head; s != NONE; ) {
            int following = next[s];
            if (nextHop[s] == addr && !resolved[s]) {
                unlink(s);
                droppedUnreachable++;
                quoted.wrap(buffers, frameOffset(s) + EthernetFrame.HEADER_LENGTH,
                        length[s] - EthernetFrame.HEADER_LENGTH);
                if (quoted.checkEmbedded() == WireError.OK && quoted.payloadLength() >= 8) {
                    errors.onError(Icmpv4Type.DST_UNREACHABLE, Icmpv4Code.HOST_UNREACHABLE, 0, quoted);
                }
                release(s);
            }
            s = following;
        }
    }

    /** Sends the packets whose next hop is resolved, oldest first, while transmit buffers last. */
    public void flushResolved() {
        for (int s = head; s != NONE && resolvedWaiting > 0; ) {
            int following = next[s];
            if (resolved[s]) {
                int id = tx.acquire();
                if (id < 0) {
                    return;
                }
                MemorySegment.copy(buffers, frameOffset(s), tx.segment(), tx.frameOffset(id), length[s]);
                tx.writeHeader(id, mac[s], EtherType.IPV4);
                if (tx.submit(id, length[s], csumStart[s], csumOffset[s])) {
                    sent++;
                } else {
                    refused++;
                }
                unlink(s);
                resolvedWaiting--;
                release(s);
            }
            s = following;
        }
    }

    /** True if resolved packets wait for transmit buffers. */
    public boolean hasSendable() {
        return resolvedWaiting > 0;
    }

    /** Packets waiting. */
    public int size() {
        return size;
    }

    /** Drops every waiting packet (stack shutdown). */
    public void clear() {
        while (head != NONE) {
            int s = head;
            unlink(s);
            release(s);
        }
        resolvedWaiting = 0;
    }

    private void unlink(int s) {
        if (prev[s] == NONE) {
            head = next[s];
        } else {
            next[prev[s]] = next[s];
        }
        if (next[s] == NONE) {
            tail = prev[s];
        } else {
            prev[next[s]] = prev[s];
        }
        size--;
    }

    /** Adds the {@code arp.pending.*} counters to {@code into}. */
    public void putCounters(Map<String, Long> into) {
        into.put("arp.pending.queued", queued);
        into.put("arp.pending.sent", sent);
        into.put("arp.pending.waiting", (long) size);
        into.put("arp.pending.drop.overflow", droppedOverflow);
        into.put("arp.pending.drop.unreachable", droppedUnreachable);
        into.put("arp.pending.drop.refused", refused);
    }
}
