package io.virtaio.netstack.tcp;

import io.virtaio.netstack.time.Timer;

/**
 * Half-open passive connections (RFC 9293 SYN-RECEIVED after a SYN to a listener), before the final ACK: the
 * "SYN queue" of RFC 4987 §3.3. Entries are tiny (the handshake's numbers and options, no buffers, no timer each)
 * and bounded twice: per listener by the configured SYN queue limit (beyond it, SYN cookies), and stack-wide by
 * this table's capacity. SYN-ACKs are retransmitted with exponential backoff from one wheel timer that scans the
 * (bounded) table when it fires.
 */
final class SynQueue {
    static final int SACK = 1;
    static final int TS = 2;

    private final TcpLayer layer;
    private final int capacity;
    final int[] localAddr;
    final int[] localPort;
    final int[] remoteAddr;
    final int[] remotePort;
    final int[] iss;
    final int[] irs;
    final int[] peerMss;
    /** The peer's window scale, -1 if it sent none. */
    final int[] peerWs;
    final int[] flags;
    final int[] tsRecent;
    final int[] retries;
    final long[] deadlineNs;
    final Listener[] listener;
    private final int[] free;
    private int freeTop;
    private final TupleIndex index;
    private final Timer timer;

    SynQueue(TcpLayer layer, int capacity, long seed) {
        this.layer = layer;
        this.capacity = capacity;
        localAddr = new int[capacity];
        localPort = new int[capacity];
        remoteAddr = new int[capacity];
        remotePort = new int[capacity];
        iss = new int[capacity];
        irs = new int[capacity];
        peerMss = new int[capacity];
        peerWs = new int[capacity];
        flags = new int[capacity];
        tsRecent = new int[capacity];
        retries = new int[capacity];
        deadlineNs = new long[capacity];
        listener = new Listener[capacity];
        free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        freeTop = capacity;
        index = new TupleIndex(capacity, seed);
        timer = new Timer(this::onTimer);
    }

    int size() {
        return capacity - freeTop;
    }

    int capacity() {
        return capacity;
    }

    boolean isFull() {
        return freeTop == 0;
    }

    int find(int laddr, int lport, int raddr, int rport) {
        return index.get(laddr, lport, raddr, rport);
    }

    /** A new entry (the caller checked {@link #isFull()} and the listener's limit). */
    int add(Listener l, int laddr, int lport, int raddr, int rport, long nowNs) {
        int e = free[--freeTop];
        localAddr[e] = laddr;
        localPort[e] = lport;
        remoteAddr[e] = raddr;
        remotePort[e] = rport;
        listener[e] = l;
        retries[e] = 0;
        deadlineNs[e] = nowNs + layer.config.rtoInitialNs();
        index.put(laddr, lport, raddr, rport, e);
        l.synCount++;
        if (!timer.isArmed() || timer.deadlineNs() > deadlineNs[e]) {
            layer.timers().arm(timer, deadlineNs[e]);
        }
        return e;
    }

    void remove(int e) {
        Listener l = listener[e];
        if (l == null) {
            return;
        }
        l.synCount--;
        listener[e] = null;
        index.remove(localAddr[e], localPort[e], remoteAddr[e], remotePort[e], e);
        free[freeTop++] = e;
    }

    /** Drops every entry of {@code l} (the listener closed). */
    void removeAll(Listener l) {
        for (int e = 0; e < capacity; e++) {
            if (listener[e] == l) {
                remove(e);
            }
        }
    }

    private void onTimer(long nowNs) {
        long next = Long.MAX_VALUE;
        int limit = layer.config.synAckRetries();
        for (int e = 0; e < capacity; e++) {
            if (listener[e] == null) {
                continue;
            }
            if (deadlineNs[e] <= nowNs) {
                if (retries[e] >= limit) {
                    layer.counters.inc(TcpCounters.SYN_QUEUE_EXPIRED);
                    remove(e);
                    continue;
                }
                retries[e]++;
                // RFC 6298 §5.5 applied to the SYN-ACK: 1 s, 2 s, 4 s, ...
                deadlineNs[e] = nowNs + Math.min(layer.config.rtoInitialNs() << retries[e], layer.config.rtoMaxNs());
                layer.counters.inc(TcpCounters.SYNACK_RETRANS);
                layer.passive.sendSynAck(e, nowNs);
            }
            next = Math.min(next, deadlineNs[e]);
        }
        if (next != Long.MAX_VALUE) {
            layer.timers().arm(timer, next);
        }
    }

    void clear() {
        for (int e = 0; e < capacity; e++) {
            remove(e);
        }
        layer.timers().cancel(timer);
    }
}
