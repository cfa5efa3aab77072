package io.virtaio.netstack.tcp;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.wire.Seq;
import io.virtaio.netstack.wire.TcpFlags;
import io.virtaio.netstack.wire.TcpOptions;
import io.virtaio.netstack.wire.TcpSegment;

/**
 * Segment arrival for a connection in SYN_SENT or a synchronized state: RFC 9293 §3.10.7.3 and §3.10.7.4 step by
 * step, with the blind-attack defences of RFC 5961 (§3 RST, §4 SYN, §5 ACK; challenge ACKs rate-limited per
 * stack), PAWS (RFC 7323 §5) and the timestamp rules of RFC 7323 §4.3. Segments for listeners, half-open
 * connections and TIME_WAIT entries go through {@link PassiveOpen} and {@link TimeWaitTable} instead.
 * Allocation-free.
 */
final class TcpInput {
    /** RFC 7323 §5.5: TS.Recent is invalid after 24 days of idleness. */
    private static final long PAWS_IDLE_NS = 24L * 24 * 3600 * 1_000_000_000L;

    private final TcpLayer layer;

    TcpInput(TcpLayer layer) {
        this.layer = layer;
    }

    void segmentArrives(Connection c, TcpSegment seg, TcpOptions opts, long nowNs) {
        c.segsIn++;
        if (c.state == TcpState.SYN_SENT) {
            synSent(c, seg, opts, nowNs);
        } else if (c.state != TcpState.CLOSED && c.state != TcpState.LISTEN) {
            otherStates(c, seg, opts, nowNs);
        }
    }

    /** RFC 9293 §3.10.7.3 SYN-SENT STATE. */
    private void synSent(Connection c, TcpSegment seg, TcpOptions opts, long nowNs) {
        Sender s = c.snd;
        int flags = seg.flags();
        int ack = seg.ack();
        boolean hasAck = (flags & TcpFlags.ACK) != 0;
        // First: "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST bit is set) ... and discard".
        if (hasAck && (Seq.le(ack, s.iss) || Seq.gt(ack, s.sndNxt))) {
            if ((flags & TcpFlags.RST) == 0) {
                layer.output.sendResetReply(c.localAddr, c.remoteAddr, seg);
            }
            layer.counters.inc(TcpCounters.DROP_BAD_ACK);
            return;
        }
        // Second: RST. RFC 5961 §3.2 / RFC 9293: acceptable only if it acknowledges our SYN.
        if ((flags & TcpFlags.RST) != 0) {
            layer.counters.inc(TcpCounters.RST_RECEIVED);
            if (hasAck) {
                c.fail(Errno.ECONNREFUSED, false, nowNs);
            }
            return;
        }
        if ((flags & TcpFlags.SYN) == 0) {
            return;                     // "If neither of the SYN or RST bits is set, then drop the segment"
        }
        // Fourth: SYN. Options of the SYN/SYN-ACK (RFC 9293 §3.7.1 MSS, RFC 7323 §2.2/§3.2, RFC 2018 §2).
        negotiate(c, opts, nowNs);
        c.rcv.init(seg.seq());
        c.onReceive(nowNs);
        if (hasAck) {
            s.sndUna = ack;
            // RFC 7323 §2.2: the window in a SYN-ACK is not scaled.
            s.sndWnd = seg.window();
            s.maxSndWnd = s.sndWnd;
            s.sndWl1 = seg.seq();
            s.sndWl2 = ack;
            if (!s.synRetransmitted) {
                s.rtt.sample(nowNs - s.synSentNs);      // Karn's rule: only an unretransmitted SYN
            }
            s.rtoDeadlineNs = 0;
            s.synRetries = 0;
            c.established(nowNs);
            c.rcv.ackNow = true;        // "form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it"
            c.wantOutput();
            s.rearmTimer(nowNs);
        } else {
            // Simultaneous open: "enter SYN-RECEIVED, form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT>".
            c.setState(TcpState.SYN_RECEIVED);
            s.sndWnd = seg.window();
            s.maxSndWnd = s.sndWnd;
            s.sndWl1 = seg.seq();
            s.sndWl2 = s.iss;
            s.synPending = true;
            s.rtoDeadlineNs = 0;
            c.wantOutput();
        }
    }

    /** Adopts the peer's SYN options (active open or simultaneous open). */
    private void negotiate(Connection c, TcpOptions opts, long nowNs) {
        TcpConfig cfg = layer.config;
        // RFC 9293 §3.7.1 / RFC 6691: 536 when the MSS option is absent.
        c.peerMss = opts.hasMss() ? Math.max(Sender.MIN_MSS, opts.mss()) : 536;
        // RFC 7323 §2.2: scaling only if both sent the option; the shift then applies to all later segments.
        c.wsOk = cfg.windowScaling() && opts.hasWindowScale();
        c.sndWs = c.wsOk ? opts.windowScale() : 0;
        if (!c.wsOk) {
            c.rcvWs = 0;
        }
        c.sackOk = cfg.sack() && opts.sackPermitted();
        c.tsOk = cfg.timestamps() && opts.hasTimestamps();
        if (c.tsOk) {
            c.rcv.tsRecent = opts.tsVal();
            c.rcv.tsRecentNs = nowNs;
        }
        c.snd.updateMss();
    }

    /** RFC 9293 §3.10.7.4 "Otherwise" (SYN_RECEIVED and the synchronized states). */
    private void otherStates(Connection c, TcpSegment seg, TcpOptions opts, long nowNs) {
        Sender s = c.snd;
        Receiver r = c.rcv;
        int flags = seg.flags();
        int seq = seg.seq();
        int payload = seg.payloadLength();
        int segLen = seg.sequenceLength();
        boolean rst = (flags & TcpFlags.RST) != 0;

        // Simultaneous open (RFC 9293 §3.5 figure 7, line 6): the peer's SYN,ACK repeats its SYN (one below
        // RCV.NXT) and acknowledges ours. Like Linux (tcp_validate_incoming), take it as the ACK that completes
        // the handshake rather than as an old SYN.
        if (c.state == TcpState.SYN_RECEIVED && !c.passive
                && (flags & (TcpFlags.SYN | TcpFlags.ACK | TcpFlags.RST)) == (TcpFlags.SYN | TcpFlags.ACK)
                && seq + 1 == r.rcvNxt && seg.ack() == s.sndNxt) {
            s.sndUna = seg.ack();
            s.sndWnd = seg.window();        // a SYN's window is never scaled (RFC 7323 §2.2)
            s.maxSndWnd = s.sndWnd;
            s.sndWl1 = seq;
            s.sndWl2 = seg.ack();
            s.rtoDeadlineNs = 0;
            c.onReceive(nowNs);
            c.established(nowNs);
            s.rearmTimer(nowNs);
            return;
        }

        // RFC 7323 §3.2: once negotiated, a non-RST segment without timestamps SHOULD be dropped.
        if (c.tsOk && !rst && !opts.hasTimestamps()) {
            layer.counters.inc(TcpCounters.DROP_NO_TIMESTAMP);
            return;
        }
        // RFC 7323 §5.3 R1 (PAWS): SEG.TSval < TS.Recent (still valid) and not a RST: not acceptable.
        if (c.tsOk && !rst && opts.hasTimestamps() && Seq.lt(opts.tsVal(), r.tsRecent)
                && nowNs - r.tsRecentNs < PAWS_IDLE_NS) {
            layer.counters.inc(TcpCounters.DROP_PAWS);
            c.dropsPaws++;
            r.ackNow = true;            // "Send an acknowledgment in reply ... and drop the segment"
            c.wantOutput();
            return;
        }

        // First: the sequence number (RFC 9293 §3.10.7.4, the four cases of the acceptability test).
        int rcvWnd = r.window();
        boolean acceptable;
        if (segLen == 0) {
            acceptable = rcvWnd == 0 ? seq == r.rcvNxt : Seq.inWindow(seq, r.rcvNxt, rcvWnd);
        } else {
            acceptable = rcvWnd != 0
                    && (Seq.inWindow(seq, r.rcvNxt, rcvWnd) || Seq.inWindow(seq + segLen - 1, r.rcvNxt, rcvWnd));
        }
        boolean zeroWindowAck = false;
        if (!acceptable && rcvWnd == 0 && seq == r.rcvNxt && (flags & TcpFlags.ACK) != 0) {
            // "If the RCV.WND is zero, no segments will be acceptable, but special allowance should be made to
            // accept valid ACKs, URGs, and RSTs": process the ACK, drop the text.
            acceptable = true;
            zeroWindowAck = true;
        }
        if (!acceptable) {
            if (!rst) {
                if (payload > 0 && Seq.le(seq + payload, r.rcvNxt) && c.sackOk) {
                    r.dsack(seq, seq + payload);        // RFC 2883: report the duplicate
                }
                r.ackNow = true;        // "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>" and drop
                c.wantOutput();
                if (c.state == TcpState.TIME_WAIT && (flags & TcpFlags.FIN) != 0 && seq + payload + 1 == r.rcvNxt) {
                    // TIME-WAIT: a retransmitted FIN is acknowledged and "restart the 2 MSL timeout".
                    layer.timers().arm(c.lifeTimer, nowNs + layer.config.timeWaitNs());
                }
            }
            c.dropsOutOfWindow++;
            layer.counters.inc(TcpCounters.DROP_OUT_OF_WINDOW);
            return;
        }
        c.onReceive(nowNs);

        // Second: RST (RFC 5961 §3.2): exactly RCV.NXT resets; elsewhere in the window draws a challenge ACK.
        if (rst) {
            layer.counters.inc(TcpCounters.RST_RECEIVED);
            if (seq != r.rcvNxt) {
                layer.challengeAck(c, nowNs);
                return;
            }
            switch (c.state) {
                case SYN_RECEIVED -> c.fail(c.passive ? 0 : Errno.ECONNREFUSED, false, nowNs);
                case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> c.fail(Errno.ECONNRESET, false, nowNs);
                default -> c.fail(0, false, nowNs);       // CLOSING, LAST_ACK, TIME_WAIT
            }
            return;
        }
        // Fourth: SYN in a synchronized state (RFC 5961 §4.2; RFC 9293 §3.10.7.4): challenge ACK, drop.
        if ((flags & TcpFlags.SYN) != 0) {
            layer.challengeAck(c, nowNs);
            return;
        }
        // Fifth: ACK.
        if ((flags & TcpFlags.ACK) == 0) {
            return;                     // "if the ACK bit is off, drop the segment and return"
        }
        int ack = seg.ack();
        if (c.state == TcpState.SYN_RECEIVED) {
            // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED ... else <SEQ=SEG.ACK><CTL=RST>".
            if (Seq.lt(s.sndUna, ack) && Seq.le(ack, s.sndNxt)) {
                s.sndUna = ack;
                s.sndWnd = (long) seg.window() << c.sndWs;
                s.maxSndWnd = s.sndWnd;
                s.sndWl1 = seq;
                s.sndWl2 = ack;
                if (!s.synRetransmitted) {
                    s.rtt.sample(nowNs - s.synSentNs);
                }
                s.rtoDeadlineNs = 0;
                c.established(nowNs);
            } else {
                layer.output.sendResetReply(c.localAddr, c.remoteAddr, seg);
                return;
            }
        }
        // RFC 5961 §5.2: acceptable iff (SND.UNA − MAX.SND.WND) =< SEG.ACK =< SND.NXT; else challenge ACK, drop.
        // (RFC 9293: an ACK for something not yet sent is answered with an ACK and dropped.)
        long maxWnd = Math.min(s.maxSndWnd, Integer.MAX_VALUE);
        if (!Seq.between(s.sndUna - (int) maxWnd, ack, s.sndNxt)) {
            layer.counters.inc(TcpCounters.DROP_BAD_ACK);
            layer.challengeAck(c, nowNs);
            return;
        }
        // RFC 7323 §4.3 (2) / §5.3 R3: record TS.Recent from an acceptable segment at or before Last.ACK.sent.
        if (c.tsOk && Seq.ge(opts.tsVal(), r.tsRecent) && Seq.le(seq, r.lastAckSent)) {
            r.tsRecent = opts.tsVal();
            r.tsRecentNs = nowNs;
        }
        boolean pureAck = payload == 0 && (flags & (TcpFlags.SYN | TcpFlags.FIN)) == 0;
        s.onAck(ack, seq, seg.window(), pureAck, opts, nowNs);
        if (c.state == TcpState.CLOSED) {
            return;
        }
        if (s.finAcked()) {
            switch (c.state) {
                case FIN_WAIT_1 -> {
                    c.setState(TcpState.FIN_WAIT_2);
                    if (c.socket == null) {
                        layer.timers().arm(c.lifeTimer, nowNs + layer.config.finWait2TimeoutNs());
                    }
                }
                case CLOSING -> {
                    c.enterTimeWait(nowNs);
                    return;
                }
                case LAST_ACK -> {
                    c.fail(0, false, nowNs);        // "delete the TCB, enter the CLOSED state, and return"
                    return;
                }
                default -> {
                }
            }
        }
        if (zeroWindowAck) {
            if (payload > 0) {
                r.ackNow = true;        // tell the peer the window is still closed
                c.wantOutput();
            }
            return;
        }

        // Sixth: URG is not supported as out-of-band data (RFC 6093 §4 permits treating it as ordinary data).
        // Seventh: segment text.
        if (payload > 0) {
            switch (c.state) {
                case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> {
                    if (c.socket == null) {
                        // Data for a socket the application closed cannot be delivered: reset (RFC 2525 §2.17,
                        // Linux tcp_rcv_state_process).
                        c.fail(0, true, nowNs);
                        return;
                    }
                    boolean inOrder = seq == r.rcvNxt || Seq.lt(seq, r.rcvNxt);
                    int n = r.onData(seq, seg.segment(), seg.payloadOffset(), payload,
                            (flags & TcpFlags.PSH) != 0, nowNs);
                    if (n > 0) {
                        c.bytesIn += n;
                        layer.counters.add(TcpCounters.BYTES_IN, n);
                        c.notifySocket();
                    } else if (n < 0) {
                        layer.counters.inc(TcpCounters.DROP_REASSEMBLY);
                    }
                    if (!inOrder) {
                        c.oooSegs++;
                        layer.counters.inc(TcpCounters.OOO_SEGS);
                    }
                    c.wantOutput();
                }
                default -> {
                    // CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT: a FIN was received; "Ignore the segment text."
                }
            }
        }
        // Eighth: FIN.
        if ((flags & TcpFlags.FIN) != 0) {
            int finSeq = seq + payload;
            if (!r.finReceived && Seq.inWindow(finSeq, r.rcvNxt, Math.max(1, r.window() + 1))) {
                if (finSeq == r.rcvNxt) {
                    finArrived(c, nowNs);
                } else {
                    r.finPending = true;        // behind a hole: taken when the data before it arrives
                    r.peerFinSeq = finSeq;
                }
            } else if (r.finReceived) {
                r.ackNow = true;                // a retransmitted FIN: acknowledge again
                c.wantOutput();
                if (c.state == TcpState.TIME_WAIT) {
                    layer.timers().arm(c.lifeTimer, nowNs + layer.config.timeWaitNs());    // restart 2 MSL
                }
            }
        }
        if (r.finPending && !r.finReceived && r.rcvNxt == r.peerFinSeq) {
            finArrived(c, nowNs);
        }
    }

    /** RFC 9293 §3.10.7.4 eighth step: the peer's FIN is in sequence. */
    private void finArrived(Connection c, long nowNs) {
        Receiver r = c.rcv;
        r.rcvNxt += 1;
        r.finReceived = true;
        r.finPending = false;
        r.ackNow = true;
        c.wantOutput();
        switch (c.state) {
            case SYN_RECEIVED, ESTABLISHED -> c.setState(TcpState.CLOSE_WAIT);
            case FIN_WAIT_1 -> {
                if (c.snd.finAcked()) {
                    c.enterTimeWait(nowNs);
                } else {
                    c.setState(TcpState.CLOSING);
                }
            }
            case FIN_WAIT_2 -> c.enterTimeWait(nowNs);
            default -> {
            }
        }
    }
}
