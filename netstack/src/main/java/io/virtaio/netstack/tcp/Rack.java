package io.virtaio.netstack.tcp;

import io.virtaio.netstack.wire.Seq;

/**
 * RACK-TLP loss detection (RFC 8985). RACK: a segment is lost once a segment sent at least a reordering window
 * after it has been delivered (§6), which detects several losses per round trip and lost retransmissions. TLP: when
 * new data stops flowing, a probe after about two round trips (§7) turns a tail loss into a SACK-triggered
 * recovery instead of an RTO. Works on the {@link SentLog} through the {@link Scoreboard}. Allocation-free.
 */
final class Rack {
    /** RFC 8985 §7.2: WCDelAckT, the worst-case delayed-ACK time assumed when one segment is in flight. */
    static final long WC_DEL_ACK_NS = 200_000_000L;
    /** Linux TCP_TIMEOUT_MIN: what the probe timeout allows beyond 2·SRTT for end-host delays. */
    static final long TIMEOUT_MIN_NS = 2_000_000L;

    private final SentLog log;
    private final Scoreboard board;

    /** RACK.xmit_ts / RACK.end_seq: the most recently sent segment among those delivered. */
    long xmitNs = -1;
    int endSeq;
    /** RACK.rtt: the RTT of that segment. */
    long rttNs;
    boolean reorderingSeen;
    int reoWndMult = 1;
    int reoWndPersist;
    boolean dsackRoundValid;
    int dsackRound;

    /** TLP state (RFC 8985 §7): a probe is outstanding until SND.UNA passes {@code tlpEndSeq}. */
    boolean tlpOutstanding;
    boolean tlpIsRetrans;
    int tlpEndSeq;
    /** Where the probe's segment starts, and whether a D-SACK reported it a duplicate (§7.4.1). */
    int tlpStartSeq;
    boolean tlpDsacked;

    Rack(SentLog log, Scoreboard board) {
        this.log = log;
        this.board = board;
    }

    /** RFC 8985 §6.2 step 1: "sent after" with the sequence number breaking ties of equal send times. */
    static boolean sentAfter(long t1, int seq1, long t2, int seq2) {
        return t1 > t2 || (t1 == t2 && Seq.gt(seq1, seq2));
    }

    /** RFC 8985 §6.2 steps 2–3: a segment was delivered (cumulatively or by SACK). */
    void onDelivered(long sentNs, int segEnd, boolean everRetransmitted, int fack, long nowNs) {
        long rtt = nowNs - sentNs;
        // Step 2: a retransmitted segment whose RTT is below the minimum was probably delivered as the original.
        if (everRetransmitted && rtt < minRttNs) {
            return;
        }
        // Step 3: delivered below the highest delivered sequence without retransmission = reordering.
        if (!everRetransmitted && Seq.lt(segEnd, fack)) {
            reorderingSeen = true;
        }
        if (xmitNs < 0 || sentAfter(sentNs, segEnd, xmitNs, endSeq)) {
            xmitNs = sentNs;
            endSeq = segEnd;
            rttNs = rtt;
        }
    }

    /** Set by the sender from its RTT estimator before each ACK is processed. */
    long minRttNs = Long.MAX_VALUE;

    /** RFC 8985 §6.2 step 4: the reordering window. */
    long reoWnd(boolean inRecovery, int sndUna, int sndNxt, boolean dsackSeen, long srttNs) {
        if (dsackRoundValid && Seq.ge(sndUna, dsackRound)) {
            dsackRoundValid = false;
        }
        if (!dsackRoundValid && dsackSeen) {
            dsackRoundValid = true;
            dsackRound = sndNxt;
            reoWndMult++;
            reoWndPersist = 16;
        }
        if (!reorderingSeen) {
            if (inRecovery || board.sackedSegs >= 3) {
                return 0;
            }
        }
        long minRtt = minRttNs == Long.MAX_VALUE ? 0 : minRttNs;
        return Math.min(reoWndMult * (minRtt / 4), srttNs);
    }

    /** RFC 8985 §6.2 step 4, on leaving recovery: the window decays back after 16 recoveries without D-SACK. */
    void onRecoveryExit() {
        if (--reoWndPersist <= 0) {
            reoWndMult = 1;
        }
    }

    /**
     * RFC 8985 §6.2 step 5, RACK_detect_loss: marks lost every segment sent a reordering window before the most
     * recently delivered one.
     *
     * @return ns until the earliest not-yet-lost candidate would be (the reordering timer), or 0
     */
    long detectLoss(long reoWndNs, long nowNs) {
        if (xmitNs < 0) {
            return 0;
        }
        long timeout = 0;
        boolean ordered = board.everRetransSegs == 0;
        for (int i = 0; i < log.size(); i++) {
            int f = log.flags(i);
            if ((f & SentLog.SACKED) != 0) {
                continue;
            }
            long sent = log.sentNs(i);
            if (sentAfter(sent, log.end(i), xmitNs, endSeq)) {
                if (ordered) {
                    break;      // send order is sequence order: every later record was sent later still
                }
                continue;
            }
            if ((f & (SentLog.LOST | SentLog.RETRANS)) == SentLog.LOST) {
                continue;       // lost and not yet retransmitted
            }
            long remaining = sent + rttNs + reoWndNs - nowNs;
            if (remaining <= 0) {
                board.markLost(i);
            } else {
                timeout = Math.max(timeout, remaining);
            }
        }
        return timeout;
    }

    /**
     * RFC 8985 §7.2: the probe timeout: 2·SRTT, plus WCDelAckT when one segment is in flight; 1 s without an
     * RTT sample; never beyond the RTO. With more in flight, 2 ms more, as Linux (tcp_schedule_loss_probe adds
     * TCP_TIMEOUT_MIN): §7.2 doubles SRTT because "end-host delay variance can cause an ACK to be delayed beyond
     * SRTT", but with round trips of microseconds a peer's thread descheduled for a millisecond is beyond any
     * multiple of it — on two loop threads every probe of a 2·SRTT timeout was spurious (answered by a D-SACK).
     */
    static long pto(RttEstimator rtt, long flight, int mss, long rtoRemainingNs) {
        long pto;
        if (rtt.hasSample()) {
            pto = 2 * rtt.srttNs() + (flight <= mss ? WC_DEL_ACK_NS : TIMEOUT_MIN_NS);
        } else {
            pto = 1_000_000_000L;
        }
        return Math.min(pto, rtoRemainingNs);
    }

    void reset() {
        xmitNs = -1;
        tlpOutstanding = false;
    }
}
