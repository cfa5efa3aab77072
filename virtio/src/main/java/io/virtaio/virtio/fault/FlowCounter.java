package io.virtaio.virtio.fault;

/**
 * Counts the data segments of each TCP connection in one direction, for rules that select the Nth: a bounded
 * open-addressing table keyed by the 4-tuple (source and destination address and port). A SYN without ACK starts
 * a connection's count over (a new incarnation of the 4-tuple, RFC 9293 §3.4); an RST ends it and frees its entry.
 * Retransmitted segments count again: they cross the wire again.
 *
 * <p>Bounded: a connection whose entry finds no free place among its {@value #PROBES} probe positions is not
 * counted (its segments read as data segment 0, and the stage counts it in
 * {@link FaultCounters#untrackedFlows()}). Confined to one thread; allocation-free.
 */
final class FlowCounter {
    static final int PROBES = 16;

    private final int mask;
    private final long[] addresses;
    private final int[] ports;
    private final int[] count;
    private final boolean[] used;

    FlowCounter(int capacity) {
        if (capacity < PROBES || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("flow table capacity must be a power of two >= " + PROBES + ": "
                    + capacity);
        }
        mask = capacity - 1;
        addresses = new long[capacity];
        ports = new int[capacity];
        count = new int[capacity];
        used = new boolean[capacity];
    }

    /** Result of {@link #count} for a segment whose connection could not be tracked. */
    static final int UNTRACKED = -1;

    /**
     * Accounts one TCP segment.
     *
     * @return its ordinal among its connection's data segments (from 1), 0 if it carries no data, or
     *     {@link #UNTRACKED}
     */
    int count(FrameView f) {
        if (!f.isTcp()) {
            return 0;
        }
        int flags = f.tcpFlags();
        boolean data = f.isDataSegment();
        boolean syn = (flags & FrameView.SYN) != 0 && (flags & FrameView.ACK) == 0;
        boolean rst = (flags & FrameView.RST) != 0;
        if (!data && !syn && !rst) {
            return 0;
        }
        long addr = ((long) f.sourceAddress() << 32) | (f.destinationAddress() & 0xFFFF_FFFFL);
        int port = (f.sourcePort() << 16) | f.destinationPort();
        int home = (int) Streams.mix64(addr ^ ((long) port * 0x9E3779B97F4A7C15L)) & mask;
        int freeAt = -1;
        // Probe every position (not stopping at a hole): entries freed by RST leave holes behind them.
        for (int i = 0; i < PROBES; i++) {
            int at = (home + i) & mask;
            if (!used[at]) {
                if (freeAt < 0) {
                    freeAt = at;
                }
                continue;
            }
            if (addresses[at] == addr && ports[at] == port) {
                if (rst) {
                    used[at] = false;
                    return 0;
                }
                if (syn) {
                    count[at] = 0;
                }
                return data ? ++count[at] : 0;
            }
        }
        if (rst) {
            return 0;
        }
        if (freeAt < 0) {
            return data ? UNTRACKED : 0;
        }
        used[freeAt] = true;
        addresses[freeAt] = addr;
        ports[freeAt] = port;
        count[freeAt] = data ? 1 : 0;
        return count[freeAt];
    }
}
