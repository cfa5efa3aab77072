package io.virtaio.netstack.tcp;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.ip.Ipv4Output;
import io.virtaio.netstack.ip.TxPacket;
import io.virtaio.netstack.wire.Seq;
import io.virtaio.netstack.wire.IpProtocol;
import io.virtaio.netstack.wire.TcpFlags;
import io.virtaio.netstack.wire.TcpOptionWriter;
import io.virtaio.netstack.wire.TcpOptions;
import io.virtaio.netstack.wire.TcpSegment;

/**
 * Segment output for one stack: what a connection sends when its turn comes in {@link TcpLayer#output} —
 * handshake segments, retransmissions (RFC 6675 §5 NextSeg rule 1, bounded by {@code cwnd − pipe}), new data
 * (bounded by the peer's window and cwnd, with Nagle, RFC 1122 4.2.3.4, and sender-side SWS avoidance, RFC 9293
 * §3.8.6.2.1), the FIN, tail loss probes, window and keepalive probes, and pure ACKs — and the stateless replies
 * (RST, cookie SYN-ACK, TIME_WAIT ACKs). Segments are written in place into the IP layer's buffer: header, options
 * in Linux's layout, payload copied from the send ring; the IP layer fills the checksum.
 *
 * <p>Reuses one view and one options holder: allocation-free.
 */
final class TcpOutput {
    private final TcpLayer layer;
    private final TcpSegment view = new TcpSegment();
    private final TcpOptions opts = new TcpOptions();
    private final int[] sackLeft = new int[TcpOptions.MAX_SACK_BLOCKS];
    private final int[] sackRight = new int[TcpOptions.MAX_SACK_BLOCKS];
    private final long[] tmpStart = new long[TcpOptions.MAX_SACK_BLOCKS];
    private final long[] tmpEnd = new long[TcpOptions.MAX_SACK_BLOCKS];

    /** Why the last write failed: true = no buffer (retry later), false = no route (segment dropped). */
    private boolean backPressure;

    TcpOutput(TcpLayer layer) {
        this.layer = layer;
    }

    private Ipv4Output ip() {
        return layer.ctx.ip();
    }

    /**
     * Sends what {@code c} has pending.
     *
     * @return false if the IP layer ran out of buffers (the connection stays queued), else true
     */
    boolean transmit(Connection c, long nowNs) {
        Sender s = c.snd;
        Receiver r = c.rcv;
        switch (c.state) {
            case CLOSED, LISTEN -> {
                return true;
            }
            case SYN_SENT -> {
                if (s.synPending && !sendSyn(c, nowNs)) {
                    return false;
                }
                s.rearmTimer(nowNs);
                return true;
            }
            case SYN_RECEIVED -> {
                if (s.synPending && !sendSyn(c, nowNs)) {
                    return false;
                }
            }
            default -> {
            }
        }
        boolean ackSent = false;
        if (c.canSendOrFin() && s.buf != null && s.buf.attached()) {
            s.cwndLimited = false;
            // RFC 6675 §5 (C) / NextSeg rule 1: retransmit what is deemed lost while cwnd − pipe allows; the
            // first retransmission of an episode goes at once (§5 step 4.3, fast retransmit).
            int i;
            while ((i = s.board.nextLost()) >= 0) {
                int len = s.log.length(i);
                if (!s.fastRetransmitPending && s.pipe() + Math.min(len, s.mss) > s.cc.cwnd()) {
                    s.cwndLimited = true;
                    break;
                }
                if (!retransmit(c, i, nowNs, s.lossRecovery ? TcpCounters.RETRANS_RTO : TcpCounters.RETRANS_FAST)) {
                    return !backPressure;
                }
                s.fastRetransmitPending = false;
                ackSent = true;
            }
            s.fastRetransmitPending = false;
            if (s.tlpPending) {
                s.tlpPending = false;
                if (!tailLossProbe(c, nowNs)) {
                    return !backPressure;
                }
                ackSent = true;
            }
            if (s.flight() == 0 && c.state == TcpState.ESTABLISHED && nowNs - s.lastSendNs > s.rtt.rtoNs()
                    && s.unsent() > 0) {
                // RFC 5681 §4.1 restart window: after idling longer than an RTO, start from the initial window.
                s.cc.onIdleRestart(s.initialWindow());
            }
            int sent = sendNewData(c, nowNs);
            if (sent < 0) {
                return !backPressure;
            }
            ackSent |= sent > 0;
            if (s.probePending) {
                s.probePending = false;
                if (!probe(c, nowNs)) {
                    return !backPressure;
                }
                ackSent = true;
            }
        } else if (s.probePending) {
            s.probePending = false;
            if (c.isSynchronized() && !probe(c, nowNs)) {
                return !backPressure;
            }
            ackSent = true;
        }
        if (!ackSent && c.isSynchronized()) {
            if (r.ackDueNow()) {
                if (!write(c, s.sndNxt, TcpFlags.ACK, 0, 0, nowNs)) {
                    return !backPressure;
                }
            } else if (r.ackPending() && !c.delAckTimer.isArmed()) {
                // RFC 9293 §3.8.6.3: delay the ACK, but less than 0.5 s (configured: 40 ms).
                layer.timers().arm(c.delAckTimer, nowNs + layer.config.delayedAckNs());
            }
        }
        s.rearmTimer(nowNs);
        return true;
    }

    /** New data and the FIN, within the peer's window and cwnd; returns segments sent or -1 on failure. */
    private int sendNewData(Connection c, long nowNs) {
        Sender s = c.snd;
        int count = 0;
        while (true) {
            int unsent = s.unsent();
            boolean finWanted = s.finQueued && !s.finSent;
            if (unsent == 0 && !finWanted) {
                break;
            }
            if (s.log.isFull()) {
                break;
            }
            long wndRoom = s.sndWnd - s.flight();
            long cwndRoom = s.cc.cwnd() - s.pipe();
            int maxPayload = payloadRoom(c);
            int len = Math.min(unsent, maxPayload);
            if (len > 0) {
                if (len > wndRoom) {
                    // RFC 9293 §3.8.6.2.1 (3): send a partial segment only if it is at least half the largest
                    // window the peer offered; otherwise wait (the persist timer overrides, rule 4).
                    if (wndRoom > 0 && wndRoom >= s.maxSndWnd / 2) {
                        len = (int) wndRoom;
                    } else {
                        break;
                    }
                }
                if (len > cwndRoom) {
                    s.cwndLimited = true;
                    break;
                }
                if (len < s.mss && len < maxPayload) {
                    // Nagle (RFC 1122 4.2.3.4) in Minshall's variant, as Linux: hold a small segment while a
                    // previous small one is unacknowledged (not merely any data), unless TCP_NODELAY or closing;
                    // RFC 9293 §3.8.6.2.1 (2): all queued data fits and is pushed.
                    boolean nagleOk = c.noDelay || s.finQueued || !Seq.gt(s.smallSentEnd, s.sndUna);
                    boolean allQueued = len == unsent;
                    if (!nagleOk || !(allQueued || len >= s.maxSndWnd / 2)) {
                        break;
                    }
                }
            }
            boolean fin = finWanted && len == unsent && wndRoom >= len + 1;
            if (len == 0 && !fin) {
                break;
            }
            int seq = s.sndNxt;
            int flags = TcpFlags.ACK | (len == unsent && len > 0 ? TcpFlags.PSH : 0) | (fin ? TcpFlags.FIN : 0);
            if (!write(c, seq, flags, len > 0 ? s.streamOffset(seq) : 0, len, nowNs)) {
                return backPressure ? -1 : count;
            }
            int end = seq + len + (fin ? 1 : 0);
            s.log.add(seq, end, nowNs, fin ? SentLog.FIN : 0);
            s.sndNxt = end;
            if (len < s.mss) {
                s.smallSentEnd = end;
            }
            if (fin) {
                s.finSent = true;
                s.finSeq = seq + len;
            }
            s.onDataSent(nowNs);
            if (len > 0) {
                c.rcv.onDataSent(nowNs);
            }
            s.scheduleTlp(nowNs);
            count++;
            if (fin) {
                break;
            }
        }
        return count;
    }

    /** Payload that fits a segment with the options this connection sends now (SACK blocks shrink it). */
    private int payloadRoom(Connection c) {
        int room = c.snd.segmentLimit() - TcpSegment.MIN_HEADER_LENGTH - (c.tsOk ? 12 : 0);
        if (c.sackOk && (c.rcv.dsackPending || !c.rcv.ooo.isEmpty())) {
            int blocks = Math.min(c.tsOk ? 3 : 4, c.rcv.ooo.count() + (c.rcv.dsackPending ? 1 : 0));
            room -= 4 + 8 * blocks;
        }
        return Math.max(1, Math.min(room, c.snd.mss));
    }

    private boolean retransmit(Connection c, int i, long nowNs, int counter) {
        Sender s = c.snd;
        int limit = s.segmentLimit() - TcpSegment.MIN_HEADER_LENGTH - (c.tsOk ? 12 : 0);
        boolean fin = s.log.has(i, SentLog.FIN);
        int payload = s.log.length(i) - (fin ? 1 : 0);
        if (payload > limit && s.log.split(i, s.log.start(i) + limit)) {
            fin = false;
            payload = limit;
        }
        int seq = s.log.start(i);
        int flags = TcpFlags.ACK | (fin ? TcpFlags.FIN : 0);
        if (!write(c, seq, flags, payload > 0 ? s.streamOffset(seq) : 0, payload, nowNs)) {
            return false;
        }
        s.board.markRetransmitted(i, nowNs);
        c.bytesRetrans += payload;
        layer.counters.inc(counter);
        layer.counters.inc(TcpCounters.RETRANS_SEGS);
        if (counter == TcpCounters.RETRANS_RTO) {
            c.retransRto++;
        } else if (counter == TcpCounters.RETRANS_FAST) {
            c.retransFast++;
        }
        s.onDataSent(nowNs);
        return true;
    }

    /** RFC 8985 §7.3: send new data if possible, else retransmit the highest-sequence segment. */
    private boolean tailLossProbe(Connection c, long nowNs) {
        Sender s = c.snd;
        if (s.flight() == 0) {
            return true;
        }
        long wndRoom = s.sndWnd - s.flight();
        int unsent = s.unsent();
        boolean sent = false;
        if (unsent > 0 && wndRoom > 0 && !s.log.isFull()) {
            int len = (int) Math.min(Math.min(unsent, s.mss), wndRoom);
            int seq = s.sndNxt;
            if (!write(c, seq, TcpFlags.ACK | TcpFlags.PSH, s.streamOffset(seq), len, nowNs)) {
                return false;
            }
            s.log.add(seq, seq + len, nowNs, 0);
            s.sndNxt = seq + len;
            s.rack.tlpIsRetrans = false;
            s.rack.tlpStartSeq = seq;
            sent = true;
        } else {
            int i = s.log.size() - 1;
            while (i >= 0 && s.log.has(i, SentLog.SACKED)) {
                i--;
            }
            if (i >= 0) {
                if (!retransmit(c, i, nowNs, TcpCounters.RETRANS_TLP)) {
                    return false;
                }
                c.retransTlp++;
                s.rack.tlpIsRetrans = true;
                s.rack.tlpStartSeq = s.log.start(i);
                sent = true;
            }
        }
        if (sent) {
            layer.counters.inc(TcpCounters.TLP_PROBES);
            s.rack.tlpOutstanding = true;
            s.rack.tlpDsacked = false;
            s.rack.tlpEndSeq = s.sndNxt;
            s.rtoDeadlineNs = nowNs + s.rtt.rtoNs();        // RFC 8985 §7.3: arm the RTO after a probe
            s.lastSendNs = nowNs;
        }
        return true;
    }

    /**
     * A zero-window or keepalive probe. With a small open window and data waiting, the override of RFC 9293
     * §3.8.6.2.1 (4) sends what fits; otherwise, like Linux (tcp_xmit_probe_skb), an ACK with SEG.SEQ = SND.UNA − 1,
     * which the peer must answer with an ACK carrying its current window (§3.10.7.4), without adding a byte to
     * the sequence space that the closed window could not take.
     */
    private boolean probe(Connection c, long nowNs) {
        Sender s = c.snd;
        long wndRoom = s.sndWnd - s.flight();
        int unsent = s.unsent();
        if (wndRoom > 0 && unsent > 0 && !s.log.isFull() && c.canSendOrFin()) {
            int len = (int) Math.min(Math.min(unsent, s.mss), wndRoom);
            int seq = s.sndNxt;
            if (!write(c, seq, TcpFlags.ACK | TcpFlags.PSH, s.streamOffset(seq), len, nowNs)) {
                return false;
            }
            s.log.add(seq, seq + len, nowNs, 0);
            s.sndNxt = seq + len;
            s.onDataSent(nowNs);
            return true;
        }
        return write(c, s.sndUna - 1, TcpFlags.ACK, 0, 0, nowNs);
    }

    /** SYN (SYN_SENT) or SYN-ACK (SYN_RECEIVED) with our options (RFC 9293 §3.10.7.3, RFC 7323, RFC 2018). */
    private boolean sendSyn(Connection c, long nowNs) {
        Sender s = c.snd;
        Receiver r = c.rcv;
        boolean synAck = c.state == TcpState.SYN_RECEIVED;
        TcpConfig cfg = layer.config;
        opts.clear();
        opts.setMss(advertisedMss(c.remoteAddr));
        if (synAck ? c.tsOk : cfg.timestamps()) {
            opts.setTimestamps(c.tsVal(nowNs), synAck ? r.tsRecent : 0);
        }
        opts.setSackPermitted(synAck ? c.sackOk : cfg.sack());
        if (synAck ? c.sndWs >= 0 && c.wsOk : cfg.windowScaling()) {
            opts.setWindowScale(c.rcvWs);
        }
        int flags = TcpFlags.SYN | (synAck ? TcpFlags.ACK : 0);
        int window = r.windowField(true);
        if (!writeRaw(c.localAddr, c.remoteAddr, c.localPort, c.remotePort, s.iss, synAck ? r.rcvNxt : 0, flags,
                window, opts)) {
            return false;
        }
        c.segsOut++;
        s.synPending = false;
        s.synSentNs = nowNs;
        s.sndNxt = s.iss + 1;
        if (synAck) {
            r.onAckSent();
        }
        s.onDataSent(nowNs);
        return true;
    }

    /** Our MSS option: the largest transport part toward {@code dst} less 20 bytes of TCP header. */
    int advertisedMss(int dst) {
        return Math.clamp(ip().maxL4Length(dst) - TcpSegment.MIN_HEADER_LENGTH, Sender.MIN_MSS, 0xFFFF);
    }

    /**
     * Writes one segment of a synchronized connection: timestamps, SACK blocks that fit, window, ACK, and
     * {@code len} payload bytes from the send ring at {@code streamOff}. False when nothing was sent; then
     * {@link #backPressure} tells whether to retry (no buffer) or the route failed (recorded as a soft error).
     */
    private boolean write(Connection c, int seq, int flags, long streamOff, int len, long nowNs) {
        Receiver r = c.rcv;
        opts.clear();
        if (c.tsOk) {
            opts.setTimestamps(c.tsVal(nowNs), r.tsRecent);
        }
        int segLimit = c.snd.segmentLimit();
        if (c.sackOk && (flags & TcpFlags.ACK) != 0 && (r.dsackPending || !r.ooo.isEmpty())) {
            int max = TcpOptionWriter.maxSackBlocks(opts);
            int n = r.sackBlocks(sackLeft, sackRight, max, tmpStart, tmpEnd);
            int base = TcpOptionWriter.length(opts);
            while (n > 0 && TcpSegment.MIN_HEADER_LENGTH + base + 4 + 8 * n + len > segLimit) {
                n--;
            }
            for (int k = 0; k < n; k++) {
                opts.addSackBlock(sackLeft[k], sackRight[k]);
            }
        }
        int optLen = TcpOptionWriter.length(opts);
        int l4 = TcpSegment.MIN_HEADER_LENGTH + optLen + len;
        Ipv4Output ip = ip();
        TxPacket p = ip.begin(c.remoteAddr, IpProtocol.TCP, l4);
        if (p == null) {
            return noPacket(c, ip);
        }
        TcpSegment v = view.wrap(p.segment(), p.l4Offset(), l4);
        v.setSrcPort(c.localPort);
        v.setDstPort(c.remotePort);
        v.setSeq(seq);
        v.setAck((flags & TcpFlags.ACK) != 0 ? r.rcvNxt : 0);
        TcpOptionWriter.write(opts, v);
        v.setFlags(flags);
        v.setWindow(r.windowField(false));
        v.setChecksum(0);
        v.setUrgentPointer(0);
        if (len > 0) {
            c.snd.buf.copyOut(streamOff, p.segment(), v.payloadOffset(), len);
        }
        ip.commit(p, l4, TcpSegment.CHECKSUM_OFFSET);
        c.segsOut++;
        c.bytesOut += len;
        c.snd.onRecoverySend(len);
        layer.counters.inc(TcpCounters.SEGS_OUT);
        layer.counters.add(TcpCounters.BYTES_OUT, len);
        if ((flags & TcpFlags.ACK) != 0) {
            r.onAckSent();
        }
        return true;
    }

    private boolean noPacket(Connection c, Ipv4Output ip) {
        int err = ip.lastError();
        if (err == -Errno.ENOBUFS || err == 0) {
            backPressure = true;
            layer.counters.inc(TcpCounters.TX_NO_BUFFER);
            return false;
        }
        // No route: the segment is lost; retransmission retries, and a timeout reports this error (RFC 1122
        // 4.2.3.9 soft error).
        backPressure = false;
        c.snd.softError = -err;
        layer.counters.inc(TcpCounters.TX_NO_ROUTE);
        return false;
    }

    /** RST for an aborted connection (RFC 9293 §3.10.4 ABORT: {@code <SEQ=SND.NXT><CTL=RST>}). */
    void sendResetFor(Connection c, long nowNs) {
        opts.clear();
        if (c.tsOk) {
            opts.setTimestamps(c.tsVal(nowNs), c.rcv.tsRecent);    // RFC 7323 §3.2: SHOULD in a RST
        }
        if (writeRaw(c.localAddr, c.remoteAddr, c.localPort, c.remotePort, c.snd.sndNxt, c.rcv.rcvNxt,
                TcpFlags.RST | TcpFlags.ACK, 0, opts)) {
            layer.counters.inc(TcpCounters.RST_SENT);
        }
    }

    /**
     * RFC 9293 §3.10.7.1: the reset answering a segment that has no connection: {@code <SEQ=SEG.ACK><CTL=RST>} if it
     * carried an ACK, else {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}. Never in reply to a RST.
     */
    void sendResetReply(int localAddr, int remoteAddr, TcpSegment seg) {
        if (seg.hasFlags(TcpFlags.RST)) {
            return;
        }
        opts.clear();
        boolean ok;
        if (seg.hasFlags(TcpFlags.ACK)) {
            ok = writeRaw(localAddr, remoteAddr, seg.dstPort(), seg.srcPort(), seg.ack(), 0, TcpFlags.RST, 0, opts);
        } else {
            ok = writeRaw(localAddr, remoteAddr, seg.dstPort(), seg.srcPort(), 0, seg.seq() + seg.sequenceLength(),
                    TcpFlags.RST | TcpFlags.ACK, 0, opts);
        }
        if (ok) {
            layer.counters.inc(TcpCounters.RST_SENT);
        }
    }

    /** A segment not tied to a connection object (SYN-ACK from the SYN queue or a cookie, TIME_WAIT ACK). */
    boolean writeRaw(int localAddr, int remoteAddr, int localPort, int remotePort, int seq, int ack, int flags,
                     int window, TcpOptions o) {
        int optLen = TcpOptionWriter.length(o);
        int l4 = TcpSegment.MIN_HEADER_LENGTH + optLen;
        Ipv4Output ip = ip();
        TxPacket p = ip.begin(remoteAddr, IpProtocol.TCP, l4);
        if (p == null) {
            backPressure = ip.lastError() == -Errno.ENOBUFS;
            layer.counters.inc(backPressure ? TcpCounters.TX_NO_BUFFER : TcpCounters.TX_NO_ROUTE);
            return false;
        }
        TcpSegment v = view.wrap(p.segment(), p.l4Offset(), l4);
        v.setSrcPort(localPort);
        v.setDstPort(remotePort);
        v.setSeq(seq);
        v.setAck(ack);
        TcpOptionWriter.write(o, v);
        v.setFlags(flags);
        v.setWindow(window);
        v.setChecksum(0);
        v.setUrgentPointer(0);
        ip.commit(p, l4, TcpSegment.CHECKSUM_OFFSET);
        layer.counters.inc(TcpCounters.SEGS_OUT);
        return true;
    }

    /** The options holder for callers of {@link #writeRaw} (cleared). */
    TcpOptions options() {
        opts.clear();
        return opts;
    }
}
