package io.virtaio.netstack.tcp;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.wire.Seq;
import io.virtaio.netstack.wire.TcpOptions;
import java.lang.foreign.MemorySegment;

/**
 * The send half of a connection: the send sequence variables of RFC 9293 §3.3.1, the send buffer, the log of
 * segments in flight, and everything that decides when to send and what to retransmit — ACK processing
 * (§3.10.7.4 fifth step), RTT measurement (RFC 6298, RFC 7323 §4), congestion control (pluggable), loss recovery
 * (RFC 6675 with SACK, RFC 6582 NewReno without), RACK-TLP (RFC 8985), the retransmission timeout with backoff and
 * limit, and the persist timer (RFC 9293 §3.8.6.1). {@link TcpOutput} asks it what to send and reports what went.
 *
 * <p>Timers: one wheel timer multiplexes four deadlines (RTO, TLP, RACK reordering, persist) as Linux's
 * retransmission timer does; {@link #rearmTimer} arms it at the earliest. Allocation-free after construction.
 */
final class Sender {
    static final int DUP_THRESH = 3;
    static final boolean DEBUG = Boolean.getBoolean("tcp.debug");        // RFC 5681 §3.2, RFC 6675 §2 DupThresh
    /** Linux tcp_min_snd_mss: no smaller MSS is accepted from the peer or from ICMP. */
    static final int MIN_MSS = 48;

    private final Connection c;
    private final TcpConfig cfg;

    int iss;
    int sndUna;
    int sndNxt;
    int sndWl1;
    int sndWl2;
    /** SND.WND in bytes (already scaled). */
    long sndWnd;
    long maxSndWnd;
    /** SMSS: payload of a full-sized segment with our usual options (RFC 9293 §3.7.1 Eff.snd.MSS). */
    int mss = 536;

    SendBuffer buf;
    /** The sequence number of the byte at {@code buf.head()}. */
    int bufHeadSeq;
    /** Autotuning bound for {@link #buf} (0: fixed size, SO_SNDBUF was set). */
    int bufferMax;

    final SentLog log;
    final Scoreboard board;
    final Rack rack;
    final RttEstimator rtt;
    CongestionControl cc;

    // Handshake.
    boolean synPending;
    long synSentNs;
    boolean synRetransmitted;
    int synRetries;

    // FIN.
    boolean finQueued;
    boolean finSent;
    int finSeq;

    // Recovery.
    boolean inRecovery;
    /** After an RTO until SND.UNA passes the recovery point: retransmit everything marked lost in slow start. */
    boolean lossRecovery;
    int recoveryPoint;
    int dupAcks;
    /** The first retransmission of a recovery episode goes regardless of pipe (RFC 6675 §5 step 4.3). */
    boolean fastRetransmitPending;
    boolean cwndLimited;
    // RFC 6937 Proportional Rate Reduction state for the current recovery episode.
    long prrDelivered;
    long prrOut;
    long recoverFs;

    // Deadlines multiplexed on the connection's rtxTimer; 0 = not set.
    long rtoDeadlineNs;
    long tlpDeadlineNs;
    long reorderDeadlineNs;
    long persistDeadlineNs;
    int rtoCount;
    int persistProbes;
    int persistBackoff;
    /** The next output sends a window/keepalive probe (or, with a small open window, what fits). */
    boolean probePending;
    /** The next output sends a tail loss probe. */
    boolean tlpPending;

    long lastSendNs;
    /** End of the last segment sent shorter than SMSS (Minshall's Nagle). */
    int smallSentEnd;
    /** send() returned less than asked: tell the socket when space frees up. */
    boolean appBlocked;
    /** A soft error (ICMP) reported if the connection times out (RFC 1122 4.2.3.9). */
    int softError;

    Sender(Connection c, TcpConfig cfg, int bufferBytes) {
        this.c = c;
        this.cfg = cfg;
        // Enough records for a full buffer of 536-byte segments, twice over (smaller ones wait for ACKs).
        int cap = Math.max(64, 2 * bufferBytes / 536);
        this.log = new SentLog(Math.min(cap, 1 << 14));
        this.board = new Scoreboard(log);
        this.rack = new Rack(log, board);
        this.rtt = new RttEstimator(cfg.rtoInitialNs(), cfg.rtoMinNs(), cfg.rtoMaxNs());
        this.cc = CongestionControl.of(cfg.congestionControl());
    }

    void init(int isn) {
        iss = isn;
        sndUna = isn;
        sndNxt = isn;
        bufHeadSeq = isn + 1;
        recoveryPoint = isn;
        finSeq = isn;
        smallSentEnd = isn;
        board.fack = isn;
    }

    void attach(SendBuffer b) {
        buf = b;
    }

    void releaseBuffer() {
        if (buf != null && buf.attached()) {
            c.layer.pool.release(buf.detach());
        }
    }

    /** RFC 9293 §3.7.1: Eff.snd.MSS = min(SendMSS + 20, MMS_S) − TCP header (with our usual options) − IP options. */
    void updateMss() {
        int limit = Math.min(c.peerMss + 20, c.pathL4);
        mss = Math.max(MIN_MSS, limit - 20 - (c.tsOk ? 12 : 0));
    }

    /** The most a segment's TCP header plus payload may span. */
    int segmentLimit() {
        return Math.max(MIN_MSS + 20, Math.min(c.peerMss + 20, c.pathL4));
    }

    void onEstablished(long nowNs) {
        updateMss();
        // RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)) generalised to the configured segment count.
        int iw = cfg.initialWindowSegments();
        long initial = iw <= 2 ? (long) iw * mss : Math.min((long) iw * mss, Math.max(2L * mss, 1460L * iw));
        cc.init(initial);
        lastSendNs = nowNs;
    }

    long initialWindow() {
        int iw = cfg.initialWindowSegments();
        return iw <= 2 ? (long) iw * mss : Math.min((long) iw * mss, Math.max(2L * mss, 1460L * iw));
    }

    /** SND.NXT − SND.UNA: sequence space in flight (FlightSize, RFC 5681 §2). */
    long flight() {
        return Integer.toUnsignedLong(sndNxt - sndUna);
    }

    long pipe() {
        return board.pipe(flight());
    }

    /** The sequence number after the last byte the application wrote. */
    int dataEndSeq() {
        return bufHeadSeq + (buf == null ? 0 : buf.length());
    }

    /** Bytes written and never sent. */
    int unsent() {
        if (buf == null || finSent) {
            return 0;
        }
        return Math.max(0, Seq.diff(dataEndSeq(), sndNxt));
    }

    /** The send-buffer stream offset of sequence number {@code seq}. */
    long streamOffset(int seq) {
        return buf.head() + Seq.diff(seq, bufHeadSeq);
    }

    /** True if a FIN should go out now: requested and all data sent. */
    boolean finReady() {
        return finQueued && !finSent && unsent() == 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // ACK processing

    /**
     * Processes the acknowledgment of a segment that passed the checks of RFC 9293 §3.10.7.4 and RFC 5961 §5.2
     * ({@code SND.UNA − MAX.SND.WND ≤ SEG.ACK ≤ SND.NXT}).
     *
     * @param pureAck true if the segment carries no data, SYN or FIN (a duplicate-ACK candidate, RFC 5681 §2)
     */
    void onAck(int ack, int segSeq, int segWindow, boolean pureAck, TcpOptions opts, long nowNs) {
        int acked = Seq.diff(ack, sndUna);
        if (acked < 0) {
            return;             // RFC 9293 §3.10.7.4: an old duplicate ACK is ignored (after the range check)
        }
        long flightBefore = flight();
        long pipeBefore = pipe();
        long wnd = (long) segWindow << c.sndWs;   // RFC 7323 §2.3: scale the window of non-SYN segments
        long oldWnd = sndWnd;
        // RFC 9293 §3.10.7.4: "If SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK), set SND.WND <-
        // SEG.WND, set SND.WL1 <- SEG.SEQ, and set SND.WL2 <- SEG.ACK."
        if (Seq.lt(sndWl1, segSeq) || (sndWl1 == segSeq && Seq.le(sndWl2, ack))) {
            sndWnd = wnd;
            sndWl1 = segSeq;
            sndWl2 = ack;
            maxSndWnd = Math.max(maxSndWnd, wnd);
        }
        boolean windowChanged = sndWnd != oldWnd;
        if (sndWnd > 0 && oldWnd == 0) {
            persistBackoff = 0;
            persistDeadlineNs = 0;
        }
        persistProbes = 0;      // the peer answers: a zero window may last forever (RFC 1122 4.2.2.17)
        rack.minRttNs = rtt.minRttNs();

        long delivered = 0;
        long rttSampleNs = -1;
        if (acked > 0) {
            while (!log.isEmpty()) {
                int end = log.end(0);
                if (Seq.le(end, ack)) {
                    long sent = log.sentNs(0);
                    boolean ever = log.has(0, SentLog.EVER_RETRANS);
                    if (!log.has(0, SentLog.SACKED)) {
                        rack.onDelivered(sent, end, ever, board.fack, nowNs);
                        if (!ever) {
                            rttSampleNs = nowNs - sent;     // Karn's rule (RFC 6298 §3): never retransmitted
                        }
                    }
                    delivered += board.removeFirst();
                } else {
                    if (Seq.lt(log.start(0), ack)) {
                        delivered += board.trimFirst(ack);
                    }
                    break;
                }
            }
            if (Seq.gt(ack, board.fack)) {
                board.fack = ack;
            }
            sndUna = ack;
            int dataAck = finSent && Seq.gt(ack, finSeq) ? finSeq : ack;
            if (buf != null && buf.attached() && Seq.gt(dataAck, bufHeadSeq)) {
                buf.release(streamOffset(dataAck));
                bufHeadSeq = dataAck;
            }
            rtoCount = 0;
            softError = 0;
        }
        long sacked = 0;
        if (c.sackOk && opts.sackCount() > 0) {
            sacked = board.applySack(opts, ack, sndUna, sndNxt, rack, nowNs);
            if (board.dsack) {
                c.layer.counters.inc(TcpCounters.DSACKS_RECEIVED);
            }
        } else {
            board.dsack = false;
        }
        // RTT: the precise send time when Karn allows; else the timestamp echo (RFC 7323 §4.1), which is valid
        // for retransmitted segments too. Only ACKs that advance SND.UNA give samples (RFC 7323 §4.2).
        if (rttSampleNs >= 0) {
            rtt.sample(rttSampleNs);
        } else if (acked > 0 && c.tsOk && opts.hasTimestamps() && opts.tsEcr() != 0) {
            int ms = c.tsVal(nowNs) - opts.tsEcr();
            if (ms >= 0 && ms < 600_000) {
                rtt.sample(Math.max(1, ms) * TcpConfig.MS);
            }
        }

        // RFC 5681 §2 DUPLICATE ACKNOWLEDGMENT: outstanding data, no data/SYN/FIN, same ACK, same window.
        boolean dup = acked == 0 && pureAck && !windowChanged && flightBefore > 0;
        if (dup) {
            dupAcks++;
            c.dupAcksIn++;
            c.layer.counters.inc(TcpCounters.DUP_ACKS);
        } else if (acked > 0) {
            dupAcks = 0;
            if (!inRecovery && !c.sackOk) {
                board.dupAckBytes = 0;
            }
        }

        // RFC 8985 §7.4: was the tail loss probe a repair of a real loss? Decided once SND.UNA covers the probe
        // (TLP_process_ack); a D-SACK for the probe's own range, on this ACK or an earlier one, says the original
        // arrived too (§7.4.1: no loss); a D-SACK for some other segment says nothing about it.
        if (rack.tlpOutstanding) {
            if (board.dsack && Seq.lt(board.dsackStart, rack.tlpEndSeq)
                    && Seq.gt(board.dsackEnd, rack.tlpStartSeq)) {
                rack.tlpDsacked = true;
            }
            if (Seq.ge(ack, rack.tlpEndSeq)) {
                if (rack.tlpIsRetrans && !rack.tlpDsacked && !inRecovery && !lossRecovery) {
                    // §7.4.2: the retransmitted probe repaired a loss: reduce as fast recovery would.
                    cc.onLoss(flightBefore, mss, nowNs);
                    c.layer.counters.inc(TcpCounters.TLP_RECOVERIES);
                }
                rack.tlpOutstanding = false;
            }
        }

        // Loss detection.
        if (c.sackOk) {
            if (cfg.rackTlp()) {
                long reo = rack.reoWnd(inRecovery || lossRecovery, sndUna, sndNxt, board.dsack, rtt.srttNs());
                long wait = rack.detectLoss(reo, nowNs);
                reorderDeadlineNs = wait > 0 ? nowNs + wait : 0;
            } else {
                board.markLostByDupThresh(mss);
            }
            // RFC 6675 §5: DupAcks >= DupThresh with SACK also means the first segment is lost.
            if (dupAcks >= DUP_THRESH && !log.isEmpty() && !inRecovery && !lossRecovery) {
                board.markLost(0);
            }
        } else if (dup) {
            if (inRecovery || (!lossRecovery && dupAcks < DUP_THRESH)) {
                // RFC 5681 §3.2 step 4: each further duplicate ACK means a segment left the network; before the
                // third, the same accounting is RFC 3042 Limited Transmit (a new segment per duplicate ACK, so a
                // small window still produces the three duplicates fast retransmit needs).
                board.dupAckBytes = Math.min(board.dupAckBytes + mss, flight());
            } else if (dupAcks == DUP_THRESH && !lossRecovery && Seq.ge(ack, recoveryPoint) && !log.isEmpty()) {
                // RFC 5681 §3.2 step 2: fast retransmit. RFC 6582 §3.2 step 2's "recover" check guards against
                // duplicate ACKs caused by retransmissions after a timeout; those are excluded by lossRecovery, so
                // a loss of the very segment at "recover" is allowed to trigger (RFC 6582 §4.1 heuristics).
                board.dupAckBytes = Math.min((long) DUP_THRESH * mss, flight());
                board.markLost(0);
            }
        }

        // Recovery state.
        boolean recoveryEnded = false;
        if (inRecovery) {
            if (Seq.ge(sndUna, recoveryPoint)) {
                exitRecovery(nowNs);
                recoveryEnded = true;
            } else if (acked > 0 && !c.sackOk) {
                // RFC 6582 §3.2 step 5, partial ACK: retransmit the first unacknowledged segment, deflate the
                // window by the amount acknowledged.
                board.dupAckBytes = Math.max(0, board.dupAckBytes - acked);
                if (!log.isEmpty()) {
                    board.markLost(0);
                }
                fastRetransmitPending = true;
            }
        } else if (lossRecovery) {
            if (Seq.ge(sndUna, recoveryPoint)) {
                lossRecovery = false;
                rack.onRecoveryExit();
            }
        } else if (board.lostBytes > 0 && Seq.gt(sndUna, recoveryPoint - 1)) {
            enterRecovery(nowNs);
        }

        if (inRecovery) {
            proportionalRateReduction(delivered + sacked);
        }
        // Congestion control grows on cumulatively acknowledged data (RFC 5681 §3.1), not during or on the ACK
        // ending recovery (RFC 5681 §3.2, RFC 6675 §5); slow start after an RTO.
        if (!inRecovery && !recoveryEnded && acked > 0) {
            long cwnd = cc.cwnd();
            boolean limited = cwndLimited || pipeBefore + 2L * mss >= cwnd
                    || (cwnd < cc.ssthresh() && 2 * pipeBefore >= cwnd);
            cc.onAck(acked, mss, nowNs, rtt.srttNs(), limited);
        }

        // RFC 6298 §5.2/5.3: stop the timer when all is acknowledged, restart it on new data acknowledged.
        if (acked > 0) {
            rtoDeadlineNs = flight() > 0 ? nowNs + rtt.rtoNs() : 0;
            scheduleTlp(nowNs);
        }
        if (flight() == 0) {
            tlpDeadlineNs = 0;
            reorderDeadlineNs = 0;
        }
        if (acked > 0 && appBlocked && buf != null && buf.attached() && bufferMax > buf.capacity()) {
            expandBuffer();
        }
        if (acked > 0 && appBlocked && buf != null && buf.free() > 0) {
            appBlocked = false;
            c.notifySocket();
        }
        if (acked > 0 || sacked > 0 || windowChanged || board.lostBytes > 0 || dup) {
            c.wantOutput();
        }
        rearmTimer(nowNs);
    }

    /**
     * Send-buffer autotuning as Linux's tcp_sndbuf_expand: the application is waiting for room, so let the buffer
     * hold twice the congestion window (at least twice the initial window) — "Fast Recovery (RFC 5681 3.2): Cubic
     * needs 1.7 factor, rounded to 2": data sent during recovery sits in the buffer next to the data still
     * unacknowledged below the holes, so new data keeps flowing (and reveals lost retransmissions, RFC 8985 §6)
     * instead of the buffer running dry. Not when cwnd is what limits sending (tcp_should_expand_sndbuf), never
     * beyond the configured bound or the stack's buffer pool.
     */
    private void expandBuffer() {
        if (pipe() >= cc.cwnd()) {
            return;
        }
        long target = Math.min(2 * Math.max(cc.cwnd(), initialWindow()), bufferMax);
        int size = BufferPool.ringSize((int) target);
        if (size <= buf.capacity()) {
            return;
        }
        MemorySegment bigger = c.layer.pool.allocate(size);
        if (bigger != null) {
            c.layer.pool.release(buf.grow(bigger));
        }
    }

    /** True once our FIN was sent and acknowledged. */
    boolean finAcked() {
        return finSent && Seq.gt(sndUna, finSeq);
    }

    /**
     * RFC 6937 §3: during recovery cwnd follows what the network delivers, so the ACK clock keeps running and
     * lost retransmissions are still followed by segments that reveal them (instead of a stall until the RTO):
     * proportional while pipe is above ssthresh, slow-start reduction bound (PRR-SSRB) below it.
     */
    private void proportionalRateReduction(long deliveredData) {
        prrDelivered += deliveredData;
        long pipe = pipe();
        long ssthresh = cc.ssthresh();
        long sndcnt;
        if (pipe > ssthresh) {
            sndcnt = ceilDiv(prrDelivered * ssthresh, Math.max(1, recoverFs)) - prrOut;
        } else {
            long limit = Math.max(prrDelivered - prrOut, deliveredData) + mss;
            sndcnt = Math.min(ssthresh - pipe, limit);
        }
        // Count in whole segments as packet-based implementations do (Linux tcp_cwnd_reduction): a positive
        // sndcnt below one SMSS would otherwise send nothing, and a lost retransmission would then go unnoticed
        // (nothing sent after it to be SACKed, RFC 8985 §6) until the RTO.
        if (sndcnt > 0 && sndcnt < mss) {
            sndcnt = mss;
        }
        cc.setCwnd(pipe + Math.max(sndcnt, 0));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** {@code bytes} of data (new or retransmitted) left during recovery: PRR's prr_out. */
    void onRecoverySend(int bytes) {
        if (inRecovery) {
            prrOut += bytes;
        }
    }

    private void enterRecovery(long nowNs) {
        inRecovery = true;
        prrDelivered = 0;
        prrOut = 0;
        recoverFs = flight();                   // RFC 6937: RecoverFS = snd.nxt - snd.una at the start
        recoveryPoint = sndNxt;                 // RFC 6675 §5 step 4.1 RecoveryPoint = HighData; RFC 6582 recover
        fastRetransmitPending = true;
        cc.onLoss(flight(), mss, nowNs);        // RFC 6675 §5 step 4.2 via the controller
        rack.tlpOutstanding = false;
        tlpDeadlineNs = 0;
        if (c.sackOk) {
            c.sackRecoveries++;
            c.layer.counters.inc(TcpCounters.SACK_RECOVERIES);
        } else {
            c.renoRecoveries++;
            c.layer.counters.inc(TcpCounters.RENO_RECOVERIES);
        }
    }

    private void exitRecovery(long nowNs) {
        inRecovery = false;
        board.dupAckBytes = 0;
        // RFC 6937 §3: "cwnd = ssthresh" at the end of recovery (PRR has already brought pipe near it, so there
        // is no burst; this replaces RFC 6582's option (1)).
        cc.setCwnd(Math.max(cc.ssthresh(), mss));
        rack.onRecoveryExit();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Timers

    /**
     * RFC 8985 §7.2: (re)arm the probe timeout after sending new data or on an ACK of new data — "unless it is
     * already in fast recovery, RTO recovery, or segments have been SACKed" — and only one probe at a time (§7.3).
     * A PTO beyond the RTO's expiry is cut to it ("If Now() + PTO > TCP_RTO_expire(): PTO = TCP_RTO_expire() -
     * Now()"): the probe then goes in the RTO's place, as in Linux (tcp_schedule_loss_probe), and the RTO is
     * re-armed after it (§7.3), so a single lost segment costs a probe rather than a collapse to one segment.
     */
    void scheduleTlp(long nowNs) {
        if (!c.sackOk || !cfg.rackTlp() || inRecovery || lossRecovery || rack.tlpOutstanding || flight() == 0
                || board.sackedSegs > 0 || !c.isSynchronized()) {
            tlpDeadlineNs = 0;
            return;
        }
        long rtoRemaining = rtoDeadlineNs != 0 ? rtoDeadlineNs - nowNs : rtt.rtoNs();
        tlpDeadlineNs = nowNs + Rack.pto(rtt, flight(), mss, Math.max(0, rtoRemaining));
    }

    /** A segment with data (or SYN/FIN) went out: RFC 6298 §5.1 starts the timer if it is not running. */
    void onDataSent(long nowNs) {
        if (rtoDeadlineNs == 0) {
            rtoDeadlineNs = nowNs + rtt.rtoNs();
        }
        lastSendNs = nowNs;
    }

    /** Arms the connection's timer at the earliest deadline, or cancels it. */
    void rearmTimer(long nowNs) {
        // Persist (RFC 9293 §3.8.6.1): data waiting, nothing in flight, and the window does not let it go.
        if (flight() == 0 && c.canSendOrFin() && (unsent() > 0 || finReady()) && windowBlocked()) {
            if (persistDeadlineNs == 0) {
                long t = rtt.rtoNs();
                for (int i = 0; i < persistBackoff && t < cfg.rtoMaxNs(); i++) {
                    t <<= 1;
                }
                persistDeadlineNs = nowNs + Math.min(t, cfg.rtoMaxNs());
            }
        } else {
            persistDeadlineNs = 0;
        }
        long d = Long.MAX_VALUE;
        if (rtoDeadlineNs != 0) {
            d = rtoDeadlineNs;
        }
        if (tlpDeadlineNs != 0) {
            d = Math.min(d, tlpDeadlineNs);
        }
        if (reorderDeadlineNs != 0) {
            d = Math.min(d, reorderDeadlineNs);
        }
        if (persistDeadlineNs != 0) {
            d = Math.min(d, persistDeadlineNs);
        }
        if (d == Long.MAX_VALUE) {
            c.layer.timers().cancel(c.rtxTimer);
        } else if (!c.rtxTimer.isArmed() || c.rtxTimer.deadlineNs() != d) {
            c.layer.timers().arm(c.rtxTimer, d);
        }
    }

    /** True if the peer's window is what keeps queued data (or the FIN) from going out. */
    boolean windowBlocked() {
        long room = sndWnd - flight();
        int want = unsent() > 0 ? Math.min(unsent(), mss) : 1;
        return room < want && !(room > 0 && room >= maxSndWnd / 2);
    }

    void onTimer(long nowNs) {
        if (c.state == TcpState.CLOSED) {
            return;
        }
        if (reorderDeadlineNs != 0 && nowNs >= reorderDeadlineNs) {
            reorderDeadlineNs = 0;
            // RFC 8985 §6.3: the reordering timer re-runs loss detection.
            long reo = rack.reoWnd(inRecovery || lossRecovery, sndUna, sndNxt, false, rtt.srttNs());
            long wait = rack.detectLoss(reo, nowNs);
            reorderDeadlineNs = wait > 0 ? nowNs + wait : 0;
            if (board.lostBytes > 0 && !inRecovery && !lossRecovery) {
                enterRecovery(nowNs);
            }
            c.wantOutput();
        }
        if (tlpDeadlineNs != 0 && nowNs >= tlpDeadlineNs) {
            tlpDeadlineNs = 0;
            if (flight() > 0) {
                tlpPending = true;                  // RFC 8985 §7.3: send a probe
                // §7.3: "After attempting to send a loss probe, regardless of whether a loss probe was sent, the
                // sender MUST re-arm the RTO timer, not the PTO timer, if the FlightSize is not zero."
                rtoDeadlineNs = nowNs + rtt.rtoNs();
                c.wantOutput();
            }
        }
        if (rtoDeadlineNs != 0 && nowNs >= rtoDeadlineNs) {
            rtoDeadlineNs = 0;
            onRetransmissionTimeout(nowNs);
            if (c.state == TcpState.CLOSED) {
                return;
            }
        }
        if (persistDeadlineNs != 0 && nowNs >= persistDeadlineNs) {
            persistDeadlineNs = 0;
            onPersistTimeout(nowNs);
            if (c.state == TcpState.CLOSED) {
                return;
            }
        }
        rearmTimer(nowNs);
    }

    /** RFC 6298 §5.4–5.7 and RFC 5681 §3.1: the retransmission timer expired. */
    private void onRetransmissionTimeout(long nowNs) {
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
            int limit = c.state == TcpState.SYN_SENT ? cfg.synRetries() : cfg.synAckRetries();
            if (++synRetries > limit) {
                c.fail(softError != 0 ? softError : Errno.ETIMEDOUT, false, nowNs);
                return;
            }
            synRetransmitted = true;
            synPending = true;
            rtt.backOff();
            c.retransRto++;
            c.layer.counters.inc(TcpCounters.RETRANS_RTO);
            c.wantOutput();
            return;
        }
        if (flight() == 0) {
            return;
        }
        c.layer.counters.inc(TcpCounters.RTO_EXPIRATIONS);
        // A peer that shrank its window to zero but keeps answering is not dead (Linux tcp_retransmit_timer).
        boolean zeroWindowAlive = sndWnd == 0 && nowNs - c.lastReceiveNs < cfg.rtoMaxNs();
        if (!zeroWindowAlive && ++rtoCount > cfg.maxRetransmits()) {
            c.fail(softError != 0 ? softError : Errno.ETIMEDOUT, false, nowNs);
            return;
        }
        // RFC 5681 §3.1: ssthresh is reduced only by the first timeout of a loss episode; cwnd = 1 SMSS.
        if (!lossRecovery) {
            cc.onTimeout(flight(), mss, nowNs);
        } else {
            cc.setCwnd(mss);
        }
        // RFC 6675 §5.1 / Linux tcp_enter_loss: everything not SACKed is presumed lost, retransmitted in order.
        // RFC 2018 §8 / RFC 6675 §5.1: SACK information is advisory. If the segment at SND.UNA is itself marked
        // SACKed, the peer reneged: forget every SACK mark so that everything is retransmitted (Linux
        // tcp_check_sack_reneging); otherwise keep the marks and resend only the holes.
        if (!c.sackOk || (!log.isEmpty() && log.has(0, SentLog.SACKED))) {
            board.clearSacked();
        }
        board.markAllLost();
        inRecovery = false;
        lossRecovery = true;
        recoveryPoint = sndNxt;
        fastRetransmitPending = true;
        rack.tlpOutstanding = false;
        tlpDeadlineNs = 0;
        reorderDeadlineNs = 0;
        dupAcks = 0;
        rtt.backOff();                                  // RFC 6298 §5.5
        rtoDeadlineNs = nowNs + rtt.rtoNs();            // RFC 6298 §5.6
        c.wantOutput();
    }

    /** RFC 9293 §3.8.6.1 / RFC 1122 4.2.2.17: probe a closed window, backing off, as long as the peer answers. */
    private void onPersistTimeout(long nowNs) {
        if (++persistProbes > cfg.maxRetransmits()) {
            c.fail(softError != 0 ? softError : Errno.ETIMEDOUT, false, nowNs);
            return;
        }
        persistBackoff++;
        probePending = true;
        c.layer.counters.inc(TcpCounters.PERSIST_PROBES);
        c.wantOutput();
    }

    /** ICMP fragmentation needed (RFC 1191 §6.4): a smaller path MTU; oversized segments in flight go again. */
    void onPathMtu(int l4, long nowNs) {
        if (l4 >= c.pathL4) {
            return;
        }
        c.pathL4 = Math.max(l4, MIN_MSS + 40);
        updateMss();
        int limit = segmentLimit() - 20 - (c.tsOk ? 12 : 0);
        for (int i = 0; i < log.size(); i++) {
            int payload = log.length(i) - (log.has(i, SentLog.FIN) ? 1 : 0);
            if (payload > limit && !log.has(i, SentLog.SACKED)) {
                // The whole oversized segment was dropped on the path: both pieces go again (Linux
                // tcp_simple_retransmit marks every segment above the new MSS lost).
                boolean wasRetrans = log.has(i, SentLog.RETRANS);
                if (wasRetrans) {
                    board.markLost(i);      // moves the retransmitted bytes out of pipe before the split
                }
                if (!log.split(i, log.start(i) + limit)) {
                    break;
                }
                board.markLost(i);
                board.markLost(i + 1);
                i++;
            }
        }
        c.wantOutput();
    }

    /** Resets after a connection abort so nothing more is sent. */
    void clear() {
        log.clearAll();
        board.reset();
        rack.reset();
        if (buf != null && buf.attached()) {
            buf.clear();
        }
        rtoDeadlineNs = 0;
        tlpDeadlineNs = 0;
        reorderDeadlineNs = 0;
        persistDeadlineNs = 0;
    }
}
