package io.virtaio.netstack.tcp;

import io.virtaio.netstack.time.Timer;
import io.virtaio.netstack.wire.Seq;
import io.virtaio.netstack.wire.TcpFlags;
import io.virtaio.netstack.wire.TcpOptions;
import io.virtaio.netstack.wire.TcpSegment;

/**
 * TIME_WAIT for connections whose socket is gone (RFC 9293 §3.3.2, §3.10.7.4 TIME-WAIT): what is needed to answer
 * the peer for 2·MSL — the 4-tuple, SND.NXT, RCV.NXT, the window and timestamps — in primitive arrays, about 60
 * bytes an entry, with no buffers and no timer each: entries expire in the order they came (all wait the same
 * time) behind one wheel timer. At most {@code limit} entries; beyond, the oldest ends early (counted), as Linux's
 * tcp_max_tw_buckets.
 */
final class TimeWaitTable {
    private static final byte USED = 1;
    private static final byte TS = 2;

    private final TcpLayer layer;
    private final int limit;
    private final int[] localAddr;
    private final int[] localPort;
    private final int[] remoteAddr;
    private final int[] remotePort;
    private final int[] sndNxt;
    private final int[] rcvNxt;
    private final int[] tsRecent;
    private final int[] tsOffset;
    private final int[] window;
    private final byte[] flags;
    private final long[] expiryNs;
    private final int[] gen;
    private final int[] free;
    private int freeTop;
    /** Entries in arrival order: generation << 32 | index; stale ones (removed early) are skipped. */
    private final long[] fifo;
    private int fifoHead;
    private int fifoSize;
    private final TupleIndex index;
    private final Timer timer;

    TimeWaitTable(TcpLayer layer, int limit, long seed) {
        this.layer = layer;
        this.limit = limit;
        localAddr = new int[limit];
        localPort = new int[limit];
        remoteAddr = new int[limit];
        remotePort = new int[limit];
        sndNxt = new int[limit];
        rcvNxt = new int[limit];
        tsRecent = new int[limit];
        tsOffset = new int[limit];
        window = new int[limit];
        flags = new byte[limit];
        expiryNs = new long[limit];
        gen = new int[limit];
        free = new int[limit];
        for (int i = 0; i < limit; i++) {
            free[i] = limit - 1 - i;
        }
        freeTop = limit;
        fifo = new long[limit];
        index = new TupleIndex(limit, seed);
        timer = new Timer(this::onTimer);
    }

    int size() {
        return limit - freeTop;
    }

    int limit() {
        return limit;
    }

    int find(int laddr, int lport, int raddr, int rport) {
        return index.get(laddr, lport, raddr, rport);
    }

    /** Takes over {@code c} (entering TIME_WAIT with its socket gone), acknowledging the FIN if still owed. */
    void add(Connection c, long nowNs) {
        if (freeTop == 0) {
            evictOldest();
        }
        int e = free[--freeTop];
        localAddr[e] = c.localAddr;
        localPort[e] = c.localPort;
        remoteAddr[e] = c.remoteAddr;
        remotePort[e] = c.remotePort;
        sndNxt[e] = c.snd.sndNxt;
        rcvNxt[e] = c.rcv.rcvNxt;
        tsRecent[e] = c.rcv.tsRecent;
        tsOffset[e] = c.tsOffset;
        window[e] = Math.min(c.rcv.window() >>> c.rcvWs, 0xFFFF);
        flags[e] = (byte) (USED | (c.tsOk ? TS : 0));
        expiryNs[e] = nowNs + layer.config.timeWaitNs();
        gen[e]++;
        fifo[(fifoHead + fifoSize) % limit] = (long) gen[e] << 32 | e;
        fifoSize++;
        index.put(c.localAddr, c.localPort, c.remoteAddr, c.remotePort, e);
        if (c.rcv.ackPending()) {
            ack(e, nowNs);
        }
        if (!timer.isArmed()) {
            layer.timers().arm(timer, expiryNs[e]);
        }
    }

    private void evictOldest() {
        while (fifoSize > 0) {
            long f = fifo[fifoHead];
            fifoHead = (fifoHead + 1) % limit;
            fifoSize--;
            int e = (int) f;
            if ((flags[e] & USED) != 0 && gen[e] == (int) (f >>> 32)) {
                remove(e);
                layer.counters.inc(TcpCounters.TIME_WAIT_EVICTED);
                return;
            }
        }
    }

    void remove(int e) {
        if ((flags[e] & USED) == 0) {
            return;
        }
        index.remove(localAddr[e], localPort[e], remoteAddr[e], remotePort[e], e);
        flags[e] = 0;
        gen[e]++;
        free[freeTop++] = e;
    }

    private void onTimer(long nowNs) {
        while (fifoSize > 0) {
            long f = fifo[fifoHead];
            int e = (int) f;
            if ((flags[e] & USED) == 0 || gen[e] != (int) (f >>> 32)) {
                fifoHead = (fifoHead + 1) % limit;
                fifoSize--;
                continue;
            }
            if (expiryNs[e] > nowNs) {
                layer.timers().arm(timer, expiryNs[e]);
                return;
            }
            fifoHead = (fifoHead + 1) % limit;
            fifoSize--;
            remove(e);
        }
    }

    /**
     * A segment for TIME_WAIT entry {@code e} (RFC 9293 §3.10.7.4 in TIME-WAIT, RFC 5961, RFC 7323 §5).
     *
     * @return false if it is a new SYN that may open a new connection (the entry is gone; RFC 6191 / RFC 1122
     *     4.2.2.13), true if it was consumed here
     */
    boolean segment(int e, TcpSegment seg, TcpOptions opts, long nowNs) {
        int f = seg.flags();
        int seq = seg.seq();
        boolean ts = (flags[e] & TS) != 0;
        boolean rst = (f & TcpFlags.RST) != 0;
        if (ts && !rst && opts.hasTimestamps() && Seq.lt(opts.tsVal(), tsRecent[e])) {
            layer.counters.inc(TcpCounters.DROP_PAWS);      // RFC 7323 §5.3 R1
            if (layer.allowChallengeAck(nowNs)) {
                ack(e, nowNs);
            }
            return true;
        }
        if (rst) {
            layer.counters.inc(TcpCounters.RST_RECEIVED);
            if (seq == rcvNxt[e]) {
                remove(e);          // RFC 9293: "enter the CLOSED state, delete the TCB"; RFC 5961 exact match
            }
            return true;
        }
        if ((f & TcpFlags.SYN) != 0 && (f & TcpFlags.ACK) == 0) {
            // RFC 6191 §2 / RFC 1122 4.2.2.13: a new incarnation may start if its ISN (or timestamp) is newer.
            boolean newer = ts && opts.hasTimestamps() ? Seq.gt(opts.tsVal(), tsRecent[e]) : Seq.gt(seq, rcvNxt[e]);
            if (newer) {
                remove(e);
                layer.counters.inc(TcpCounters.TIME_WAIT_REUSED);
                return false;
            }
            layer.challengeAckRaw(this, e, nowNs);
            return true;
        }
        if ((f & TcpFlags.FIN) != 0 && seq + seg.payloadLength() + 1 == rcvNxt[e]) {
            // RFC 9293: "The only thing that can arrive in this state is a retransmission of the remote FIN.
            // Acknowledge it, and restart the 2 MSL timeout."
            expiryNs[e] = nowNs + layer.config.timeWaitNs();
            ack(e, nowNs);
            return true;
        }
        if (seq != rcvNxt[e] || seg.payloadLength() > 0) {
            layer.challengeAckRaw(this, e, nowNs);
        }
        return true;
    }

    /** {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>} for entry {@code e}. */
    void ack(int e, long nowNs) {
        TcpOptions o = layer.output.options();
        if ((flags[e] & TS) != 0) {
            o.setTimestamps((int) (nowNs / TcpConfig.MS) + tsOffset[e], tsRecent[e]);
        }
        layer.output.writeRaw(localAddr[e], remoteAddr[e], localPort[e], remotePort[e], sndNxt[e], rcvNxt[e],
                TcpFlags.ACK, window[e], o);
    }

    /** Ends every entry (stack shutdown). */
    void clear() {
        for (int e = 0; e < limit; e++) {
            remove(e);
        }
        fifoSize = 0;
        layer.timers().cancel(timer);
    }
}
