package io.virtaio.netstack.tcp;

import io.virtaio.netstack.wire.Seq;
import java.lang.foreign.MemorySegment;

/**
 * The receive half of a connection: the receive sequence variables (RFC 9293 §3.3.1), the receive buffer with
 * out-of-order data placed directly in it (bounded by an {@link Assembler}), timestamps to echo (RFC 7323 §4.3),
 * the window we advertise with receiver-side silly window avoidance (RFC 9293 §3.8.6.2.2), and when to acknowledge
 * (delayed ACKs, RFC 9293 §3.8.6.3 / RFC 1122 4.2.3.2 / RFC 5681 §4.2). Allocation-free after construction.
 */
final class Receiver {
    /** Linux's quick-ACK mode at connection start: the first segments are acknowledged at once (slow start). */
    static final int QUICK_ACKS = 16;

    private final Connection c;
    private final int configuredBytes;

    int irs;
    int rcvNxt;
    /** The right edge of the window last advertised (RCV.NXT + RCV.WND at that time); it never moves left. */
    int advEdge;
    ReceiveBuffer buf;
    final Assembler ooo;

    // RFC 7323 §4.3 timestamps.
    int tsRecent;
    long tsRecentNs;
    /** Last.ACK.sent. */
    int lastAckSent;

    // Acknowledgment state.
    boolean ackNow;
    int segsSinceAck;
    int bytesSinceAck;
    int quickAcks = QUICK_ACKS;
    /** Estimate of the peer's segment size (largest payload seen), for "full-sized" (RFC 1122 4.2.3.2). */
    int rcvMss = 536;
    /**
     * Unacknowledged in-order data ended a write burst (PSH, or shorter than full-sized): Linux's ICSK_ACK_PUSHED
     * (tcp_measure_rcv_mss), which makes a read that empties the buffer acknowledge at once (tcp_cleanup_rbuf).
     */
    boolean pushed;
    /** When data last arrived (Linux icsk_ack.lrcvtime), -1 before any. */
    long lastDataNs = -1;
    /**
     * Request-response traffic (Linux's ping-pong mode, tcp_event_data_sent): we sent data within the delayed-ACK
     * time of receiving some, so the data we send next is expected to carry the ACK. While on, a read that empties
     * the buffer after a pushed segment does not force an ACK (tcp_cleanup_rbuf checks !pingpong) and quick-ACK mode
     * waits (tcp_in_quickack_mode); the delayed-ACK timer still bounds the wait, and its firing ends the mode, as do
     * out-of-order data and a restart after silence (tcp_enter_quickack_mode).
     */
    boolean interactive;

    // The peer's FIN.
    boolean finReceived;
    boolean finPending;
    int peerFinSeq;

    /** RFC 2883: a duplicate segment to report in the next ACK's first SACK block. */
    boolean dsackPending;
    int dsackLeft;
    int dsackRight;

    boolean readShut;
    TcpSocket.DirectReader direct;

    // Receive-buffer autotuning (Linux's dynamic right-sizing, tcp_rcv_space_adjust).
    /** Autotuning bound for {@link #buf} (0: fixed size, SO_RCVBUF was set). */
    int bufferMax;
    /** Bytes handed to the application so far (Linux copied_seq). */
    long consumed;
    /** rcvq_space: the most the application took in one round trip so far, and the current measurement's start. */
    long spaceBytes;
    long spaceConsumed;
    long spaceTimeNs = -1;
    /** Receiver-side RTT (Linux tcp_rcv_rtt_measure): the least time one window's worth of data took to arrive. */
    long rcvRttNs;
    int rttEstSeq;
    long rttEstNs = -1;

    Receiver(Connection c, TcpConfig cfg, int bufferBytes) {
        this.c = c;
        this.configuredBytes = BufferPool.ringSize(bufferBytes);
        this.ooo = new Assembler(cfg.reassemblyMaxRanges());
    }

    void init(int peerIsn) {
        irs = peerIsn;
        rcvNxt = peerIsn + 1;
        // The window our SYN or SYN-ACK offered (RFC 7323 §2.2: unscaled).
        advEdge = rcvNxt + Math.min(capacity(), 0xFFFF);
        lastAckSent = rcvNxt;
    }

    void attach(ReceiveBuffer b) {
        buf = b;
    }

    void releaseBuffer() {
        if (buf != null && buf.attached()) {
            c.layer.pool.release(buf.detach());
        }
    }

    int capacity() {
        return buf != null && buf.attached() ? buf.capacity() : configuredBytes;
    }

    int readable() {
        return buf != null && buf.attached() ? buf.readable() : 0;
    }

    /** RCV.WND as last advertised: what segments are tested against (RFC 9293 §3.4). */
    int window() {
        return Math.max(0, Seq.diff(advEdge, rcvNxt));
    }

    /** The window (scaled right edge) to advertise now: never shrinking, growing by at least SWS steps. */
    int windowField(boolean syn) {
        int free = buf != null && buf.attached() ? buf.free() : configuredBytes;
        if (syn) {
            // RFC 7323 §2.2: the window in a SYN or SYN-ACK is never scaled.
            int w = Math.min(free, 0xFFFF);
            advEdge = rcvNxt + w;
            return w;
        }
        int edge = rcvNxt + free;
        int current = Seq.diff(advEdge, rcvNxt);
        int growth = Seq.diff(edge, advEdge);
        // RFC 9293 §3.8.6.2.2: move the right edge only by min(Fr * RCV.BUFF, Eff.snd.MSS) or more, Fr = 1/2.
        if (growth > 0 && growth < Math.min(capacity() / 2, rcvMss)) {
            edge = advEdge;
        }
        if (Seq.lt(edge, advEdge)) {
            edge = advEdge;         // never shrink the window (RFC 9293 §3.8.6.2.2, RFC 7323 §2.4)
        }
        int wnd = Math.max(0, Seq.diff(edge, rcvNxt));
        int field = Math.min(wnd >>> c.rcvWs, 0xFFFF);
        int advertised = rcvNxt + (field << c.rcvWs);
        if (Seq.gt(advertised, advEdge)) {
            advEdge = advertised;
        }
        // Rounding down to the scale may make the window look smaller than advEdge by < 2^rcvWs (RFC 7323 §2.4);
        // segments are still accepted up to advEdge, for which there is room.
        return field;
    }

    /**
     * Stores payload that passed the acceptability test (RFC 9293 §3.10.7.4 seventh step), trimmed here to
     * {@code [RCV.NXT, RCV.NXT + RCV.WND)}.
     *
     * @return bytes newly in order (0 for out-of-order or duplicate data), or -1 if out-of-order data was dropped
     *     because the reassembly bound was reached
     */
    int onData(int seq, MemorySegment src, long off, int len, boolean psh, long nowNs) {
        int rel = Seq.diff(seq, rcvNxt);
        long o = off;
        int n = len;
        if (rel < 0) {
            o -= rel;
            n += rel;
            rel = 0;
        }
        int wnd = Math.min(window(), buf.free());
        if (rel + n > wnd) {
            n = wnd - rel;
        }
        if (n <= 0) {
            ackNow = true;
            return 0;
        }
        if (len > rcvMss) {
            rcvMss = Math.min(len, 0xFFFF);
        }
        if (lastDataNs >= 0 && nowNs - lastDataNs > c.snd.rtt.rtoNs()) {
            // Linux tcp_event_data_recv: data after a silence longer than the RTO comes from a sender restarting
            // from a small window (a retransmission timeout, or RFC 5681 §4.1 after idling): ACK it at once.
            enterQuickAck();
        }
        lastDataNs = nowNs;
        if (readShut) {
            // SHUT_RD: data is acknowledged and discarded (Linux keeps accepting it).
            if (rel == 0 && buf.readable() == 0) {
                buf.bypass(n);              // keep the ring's positions in step with RCV.NXT
                rcvNxt += n;
                bytesSinceAck += n;
                countSegment(len);
                return n;
            }
            return 0;
        }
        if (rel > 0) {
            long pos = buf.endPos() + rel;
            if (ooo.contains(pos, pos + n)) {
                dsack(seq, seq + n);
                ackNow = true;
                return 0;
            }
            if (!ooo.add(pos, pos + n)) {
                ackNow = true;
                return -1;
            }
            buf.store(rel, src, o, n);
            // RFC 5681 §4.2: an out-of-order segment is acknowledged at once (it carries SACK information).
            ackNow = true;
            enterQuickAck();
            return 0;
        }
        if (psh || len < rcvMss) {
            pushed = true;
        }
        int took = 0;
        if (direct != null && buf.readable() == 0 && ooo.isEmpty()) {
            took = Math.min(direct.take(src, o, n), n);
            if (took > 0) {
                buf.bypass(took);
                onConsumed(took, nowNs);
            }
            if (took == n && pushed && !interactive) {
                ackNow = true;          // the reader consumed a pushed segment whole (see afterRead)
            }
        }
        if (took < n) {
            buf.store(0, src, o + took, n - took);
            buf.commit(n - took);
        }
        int inOrder = n;
        if (!ooo.isEmpty()) {
            long end = buf.endPos();
            long after = ooo.advance(end);
            int filled = (int) (after - end);
            if (filled > 0) {
                buf.commit(filled);
                inOrder += filled;
                ackNow = true;          // RFC 5681 §4.2: ACK at once when a segment fills a hole
            }
        }
        rcvNxt += inOrder;
        bytesSinceAck += inOrder;
        countSegment(len);
        measureRtt(nowNs);
        return inOrder;
    }

    /**
     * Linux tcp_rcv_rtt_measure: the time for RCV.NXT to advance by one advertised window is at least a round
     * trip (the sender cannot have more than a window in flight); the least such time is the receiver's RTT
     * estimate, needed to measure how fast the application reads per round trip. Needs no timestamps.
     */
    private void measureRtt(long nowNs) {
        if (bufferMax <= capacity()) {
            return;             // fixed size, or grown to the bound: nothing left to size
        }
        if (rttEstNs >= 0) {
            if (Seq.lt(rcvNxt, rttEstSeq)) {
                return;
            }
            long sample = Math.max(1, nowNs - rttEstNs);
            rcvRttNs = rcvRttNs == 0 ? sample : Math.min(rcvRttNs, sample);
        }
        rttEstSeq = rcvNxt + window();
        rttEstNs = nowNs;
    }

    /**
     * The application took {@code n} bytes. Once per receiver RTT, Linux's dynamic right-sizing
     * (tcp_rcv_space_adjust): if the application read more in the last round trip than ever before, the buffer
     * (and with it the window) grows to twice that — "to cope with packet losses, we need a 2x factor" — plus a
     * cushion of 16 segments and twice the growth since the last round trip (a sender in slow start doubles),
     * within the configured bound and the stack's pool. The window scale was chosen for that bound at SYN time.
     */
    void onConsumed(int n, long nowNs) {
        consumed += n;
        if (bufferMax <= capacity()) {
            return;
        }
        int advMss = c.layer.output.advertisedMss(c.remoteAddr);
        if (spaceTimeNs < 0) {
            // Linux tcp_init_buffer_space: rcvq_space.space = min(rcv_wnd, TCP_INIT_CWND * advmss), where Linux's
            // initial window is half its initial buffer: a round trip that reads more than half the buffer means
            // the buffer is short of the 2x factor below.
            spaceBytes = Math.min(capacity() / 2, 10L * advMss);
            spaceConsumed = consumed - n;
            spaceTimeNs = nowNs;
            return;
        }
        if (rcvRttNs == 0 || nowNs - spaceTimeNs < rcvRttNs) {
            return;
        }
        long copied = consumed - spaceConsumed;
        if (copied > spaceBytes) {
            long rcvWin = 2 * copied + 16L * advMss;
            rcvWin += 2 * (rcvWin * (copied - spaceBytes) / Math.max(1, spaceBytes));
            int size = BufferPool.ringSize((int) Math.min(rcvWin, bufferMax));
            if (size > capacity()) {
                MemorySegment bigger = c.layer.pool.allocate(size);
                if (bigger != null) {
                    c.layer.pool.release(buf.grow(bigger));
                }
            }
            spaceBytes = copied;
        }
        spaceConsumed = consumed;
        spaceTimeNs = nowNs;
    }

    /**
     * Acknowledges the next segments at once, as Linux does after out-of-order data (tcp_enter_quickack_mode): the
     * peer is recovering from a loss, its window is cut and clocked by our ACKs (RFC 6937), so a delayed ACK would
     * stall it — RFC 5681 §4.2: out-of-order and hole-filling segments are acknowledged at once "to provide
     * feedback to a sender recovering from losses as quickly as possible". As many as cover half the window
     * (Linux tcp_incr_quickack: rcv_wnd / (2 * rcv_mss), at least 2, at most {@link #QUICK_ACKS}).
     */
    private void enterQuickAck() {
        interactive = false;
        int n = Math.clamp(capacity() / (2L * Math.max(1, rcvMss)), 2, QUICK_ACKS);
        quickAcks = Math.max(quickAcks, n);
    }

    private void countSegment(int len) {
        if (len > 0) {
            segsSinceAck++;
        }
    }

    void dsack(int left, int right) {
        dsackPending = true;
        dsackLeft = left;
        dsackRight = right;
    }

    /**
     * Whether an ACK must go out now (at the end of the input batch): requested at once, or for at least a
     * second full-sized segment (RFC 1122 4.2.3.2, RFC 9293 §3.8.6.3), or in quick-ACK mode.
     */
    boolean ackDueNow() {
        // Like Linux's __tcp_ack_snd_check: more than one full-sized segment's worth unacknowledged.
        return ackNow || bytesSinceAck > rcvMss || (quickAcks > 0 && bytesSinceAck > 0 && !interactive);
    }

    /** Whether received data awaits acknowledgment at all. */
    boolean ackPending() {
        return bytesSinceAck > 0 || ackNow;
    }

    /** An ACK (or any segment carrying one) went out. */
    void onAckSent() {
        if (bytesSinceAck > 0 && quickAcks > 0) {
            quickAcks--;
        }
        ackNow = false;
        pushed = false;
        segsSinceAck = 0;
        bytesSinceAck = 0;
        dsackPending = false;
        lastAckSent = rcvNxt;
        c.layer.timers().cancel(c.delAckTimer);
    }

    void onDelayedAckTimer(long nowNs) {
        if (c.state == TcpState.CLOSED) {
            return;
        }
        ackNow = true;
        interactive = false;        // Linux tcp_delack_timer_handler: the reply did not come in time
        c.wantOutput();
    }

    /** We sent new data: within the delayed-ACK time of receiving some, the connection is {@link #interactive}. */
    void onDataSent(long nowNs) {
        if (lastDataNs >= 0 && nowNs - lastDataNs < c.layer.config.delayedAckNs()) {
            interactive = true;
        }
    }

    /** The application read; acknowledge or advertise the opened window if worth it (Linux tcp_cleanup_rbuf). */
    void afterRead() {
        // Linux tcp_cleanup_rbuf: a read that empties the buffer after a pushed segment (the end of the peer's
        // write burst) acknowledges it now rather than after the delayed-ACK timer: the sender may be waiting for
        // that ACK (cwnd- or buffer-bound, or a tail loss probe), and no second segment may be coming to trigger
        // the every-second-segment ACK (RFC 1122 4.2.3.2). Not in request-response traffic (interactive): there the
        // reply carries the ACK, and the delayed-ACK timer covers a reply that does not come.
        if (pushed && bytesSinceAck > 0 && buf.readable() == 0 && !interactive) {
            ackNow = true;
            c.wantOutput();
            return;
        }
        int current = window();
        int most = c.rcvWs >= 16 ? Integer.MAX_VALUE : 0xFFFF << c.rcvWs;      // what the field can express
        int free = Math.min(buf.free(), most);
        int cap = Math.min(buf.capacity(), most);
        // Send a window update when the advertised window is at most half the buffer and would at least double
        // (and grow by at least the SWS step); the sender may be waiting on it.
        if (2 * current <= cap && free >= 2 * current && free - current >= Math.min(cap / 2, rcvMss)) {
            ackNow = true;
            c.wantOutput();
        }
    }

    /** Fills SACK block arrays (sequence numbers) for an outgoing segment; D-SACK first (RFC 2883). */
    int sackBlocks(int[] left, int[] right, int max, long[] tmpStart, long[] tmpEnd) {
        int n = 0;
        if (dsackPending && max > 0) {
            left[n] = dsackLeft;
            right[n] = dsackRight;
            n++;
        }
        if (buf != null && buf.attached() && !ooo.isEmpty()) {
            int k = ooo.sackBlocks(tmpStart, tmpEnd, max - n);
            long base = buf.endPos();
            for (int i = 0; i < k; i++) {
                left[n] = rcvNxt + (int) (tmpStart[i] - base);
                right[n] = rcvNxt + (int) (tmpEnd[i] - base);
                if (finPending && right[n] == peerFinSeq) {
                    right[n]++;         // the FIN held behind the hole is in the block too, as Linux reports it
                }
                n++;
            }
        }
        return n;
    }
}
