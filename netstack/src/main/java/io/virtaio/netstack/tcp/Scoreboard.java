package io.virtaio.netstack.tcp;

import io.virtaio.netstack.wire.Seq;
import io.virtaio.netstack.wire.TcpOptions;

/**
 * The SACK scoreboard of RFC 6675 over the {@link SentLog}: which segments the peer holds (SACKed), which are
 * deemed lost, which retransmissions are in flight, and from those the estimate of bytes in the network,
 * {@code pipe} (RFC 6675 §4 SetPipe), kept incrementally as Linux does:
 * {@code pipe = (SND.NXT − SND.UNA) − sacked − lost + retransmitted}.
 *
 * <p>Without SACK the same counters emulate it from duplicate ACKs (each one is taken to mean a segment left the
 * network, as RFC 5681 §3.2 step 4 inflates cwnd), so NewReno recovery (RFC 6582) uses the same pipe-based
 * transmission rule. Allocation-free.
 */
final class Scoreboard {
    private final SentLog log;
    long sackedBytes;
    long lostBytes;
    long retransBytes;
    int sackedSegs;
    /** Records in the log that were ever retransmitted: when 0, send order equals sequence order. */
    int everRetransSegs;
    /** Bytes a non-SACK peer's duplicate ACKs tell us have left the network (RFC 5681 §3.2 step 4). */
    long dupAckBytes;
    /** The highest sequence number SACKed or acknowledged (RACK.fack, RFC 8985 §6.2). */
    int fack;
    /** Set by {@link #applySack}: a D-SACK block (RFC 2883) was present. */
    boolean dsack;
    int dsackStart;
    int dsackEnd;

    Scoreboard(SentLog log) {
        this.log = log;
    }

    /** RFC 6675 §4 pipe, the bytes deemed in the network. */
    long pipe(long flight) {
        return Math.max(0, flight - sackedBytes - lostBytes - dupAckBytes + retransBytes);
    }

    /**
     * Record {@code i} (and any retransmission of it in flight) is deemed lost. As in Linux, the flag stays set
     * while a retransmission is in flight, so the segment counts once in pipe (as the retransmission).
     */
    void markLost(int i) {
        if (log.has(i, SentLog.SACKED)) {
            return;
        }
        int len = log.length(i);
        if (log.has(i, SentLog.RETRANS)) {
            log.clear(i, SentLog.RETRANS);
            retransBytes -= len;
        }
        if (!log.has(i, SentLog.LOST)) {
            log.set(i, SentLog.LOST);
            lostBytes += len;
        }
    }

    void markRetransmitted(int i, long nowNs) {
        int len = log.length(i);
        if (!log.has(i, SentLog.RETRANS)) {
            log.set(i, SentLog.RETRANS);
            retransBytes += len;
        }
        if (!log.has(i, SentLog.EVER_RETRANS)) {
            log.set(i, SentLog.EVER_RETRANS);
            everRetransSegs++;
        }
        log.setSentNs(i, nowNs);
    }

    /** Marks record {@code i} SACKed; returns its length if it was not SACKed before, else 0. */
    int markSacked(int i) {
        if (log.has(i, SentLog.SACKED)) {
            return 0;
        }
        int len = log.length(i);
        if (log.has(i, SentLog.LOST)) {
            log.clear(i, SentLog.LOST);
            lostBytes -= len;
        }
        if (log.has(i, SentLog.RETRANS)) {
            log.clear(i, SentLog.RETRANS);
            retransBytes -= len;
        }
        log.set(i, SentLog.SACKED);
        sackedBytes += len;
        sackedSegs++;
        return len;
    }

    /** Forgets the oldest record (cumulatively acknowledged); returns its length if it was not SACKed. */
    int removeFirst() {
        int len = log.length(0);
        int f = log.flags(0);
        int delivered = len;
        if ((f & SentLog.SACKED) != 0) {
            sackedBytes -= len;
            sackedSegs--;
            delivered = 0;
        }
        if ((f & SentLog.LOST) != 0) {
            lostBytes -= len;
        }
        if ((f & SentLog.RETRANS) != 0) {
            retransBytes -= len;
        }
        if ((f & SentLog.EVER_RETRANS) != 0) {
            everRetransSegs--;
        }
        log.removeFirst();
        return delivered;
    }

    /** The oldest record was acknowledged up to {@code ack} (inside it); returns the bytes newly delivered. */
    int trimFirst(int ack) {
        int cut = Seq.diff(ack, log.start(0));
        int f = log.flags(0);
        if ((f & SentLog.SACKED) != 0) {
            sackedBytes -= cut;
        }
        if ((f & SentLog.LOST) != 0) {
            lostBytes -= cut;
        }
        if ((f & SentLog.RETRANS) != 0) {
            retransBytes -= cut;
        }
        log.trimFirst(ack);
        return (f & SentLog.SACKED) != 0 ? 0 : cut;
    }

    /**
     * Applies the SACK blocks of an ACK whose cumulative part was already applied (SND.UNA = {@code una}).
     * Marks fully covered records SACKed (a partially covered one stays unSACKed: it is retransmitted whole,
     * which costs bytes, never correctness) and reports each newly SACKed record to {@code rack}.
     *
     * @return bytes newly SACKed
     */
    long applySack(TcpOptions opts, int ack, int una, int sndNxt, Rack rack, long nowNs) {
        dsack = false;
        int n = opts.sackCount();
        long newly = 0;
        // Reordering (RFC 8985 §6.2 step 3) is judged against what earlier ACKs delivered, not against blocks of
        // this ACK processed first (the option lists the most recent block first).
        int fackBefore = fack;
        for (int b = 0; b < n; b++) {
            int left = opts.sackLeft(b);
            int right = opts.sackRight(b);
            if (!Seq.lt(left, right)) {
                continue;
            }
            // RFC 2883 §4: the first block is a D-SACK if it lies below the cumulative ACK or inside the second.
            if (b == 0 && (Seq.le(right, ack)
                    || (n > 1 && Seq.ge(left, opts.sackLeft(1)) && Seq.le(right, opts.sackRight(1))))) {
                dsack = true;
                dsackStart = left;
                dsackEnd = right;
                continue;
            }
            // RFC 2018 §8 / RFC 6675 §5: ignore blocks outside (SND.UNA, SND.NXT].
            if (Seq.le(right, una) || Seq.gt(right, sndNxt)) {
                continue;
            }
            int i = log.find(Seq.max(left, una));
            if (i < 0) {
                continue;
            }
            if (Seq.lt(log.start(i), left)) {
                i++;
            }
            for (; i < log.size() && Seq.le(sackedEnd(i), right); i++) {
                long sentNs = log.sentNs(i);
                boolean everRetrans = log.has(i, SentLog.EVER_RETRANS);
                int len = markSacked(i);
                if (len > 0) {
                    newly += len;
                    rack.onDelivered(sentNs, log.end(i), everRetrans, fackBefore, nowNs);
                    if (Seq.gt(log.end(i), fack)) {
                        fack = log.end(i);
                    }
                }
            }
        }
        return newly;
    }

    /**
     * Where a SACK block must reach for record {@code i} to count as SACKed. A SACK block reports data (RFC 2018
     * §3); a receiver may or may not extend it over a FIN it holds (Linux does), so a record carrying data and our
     * FIN counts as SACKed once its data is covered — otherwise a lost segment just before the last one could only
     * be repaired by the RTO, RACK never seeing the last segment delivered. A FIN alone needs the FIN covered.
     */
    private int sackedEnd(int i) {
        int end = log.end(i);
        return log.has(i, SentLog.FIN) && log.length(i) > 1 ? end - 1 : end;
    }

    /** The first record deemed lost and not yet retransmitted (RFC 6675 NextSeg rule 1), or -1. */
    int nextLost() {
        if (lostBytes == 0) {
            return -1;
        }
        for (int i = 0; i < log.size(); i++) {
            if ((log.flags(i) & (SentLog.LOST | SentLog.RETRANS)) == SentLog.LOST) {
                return i;
            }
        }
        return -1;
    }

    /**
     * RFC 6675 §4 IsLost for the oldest record, used without RACK: lost if DupThresh (3) SACKed segments or
     * more than (DupThresh − 1)·SMSS SACKed bytes lie above it.
     */
    void markLostByDupThresh(int mss) {
        if (sackedSegs == 0) {
            return;
        }
        int sackedAbove = 0;
        long bytesAbove = 0;
        for (int i = log.size() - 1; i >= 0; i--) {
            if (log.has(i, SentLog.SACKED)) {
                sackedAbove++;
                bytesAbove += log.length(i);
            } else if (sackedAbove >= 3 || bytesAbove > 2L * mss) {
                markLost(i);
            }
        }
    }

    /** Everything not SACKed is lost (RFC 6675 §5.1 / RFC 5681 after an RTO, as Linux's tcp_enter_loss). */
    void markAllLost() {
        for (int i = 0; i < log.size(); i++) {
            if (!log.has(i, SentLog.SACKED)) {
                markLost(i);
            }
        }
        dupAckBytes = 0;
    }

    /** Forgets SACK information (the peer may renege, RFC 2018 §8): used after an RTO without SACK support. */
    void clearSacked() {
        for (int i = 0; i < log.size(); i++) {
            if (log.has(i, SentLog.SACKED)) {
                log.clear(i, SentLog.SACKED);
                sackedBytes -= log.length(i);
                sackedSegs--;
            }
        }
    }

    void reset() {
        sackedBytes = 0;
        lostBytes = 0;
        retransBytes = 0;
        sackedSegs = 0;
        everRetransSegs = 0;
        dupAckBytes = 0;
    }
}
