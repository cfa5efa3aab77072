package io.virtaio.netstack.tcp;

/**
 * Reno's window arithmetic (RFC 5681 §3.1, with byte counting per RFC 3465): slow start below ssthresh, one SMSS
 * per window of acknowledged data above it, ssthresh = max(FlightSize / 2, 2·SMSS) on loss. NewReno's partial-ACK
 * handling (RFC 6582) lives in the sender's recovery, which every controller shares.
 */
final class NewReno implements CongestionControl {
    private long cwnd;
    private long ssthresh = Long.MAX_VALUE;
    private long bytesAcked;

    @Override
    public long cwnd() {
        return cwnd;
    }

    @Override
    public long ssthresh() {
        return ssthresh;
    }

    @Override
    public void init(long initialWindowBytes) {
        cwnd = initialWindowBytes;
        ssthresh = Long.MAX_VALUE;  // RFC 5681 §3.1: initial ssthresh SHOULD be arbitrarily high
    }

    @Override
    public void onAck(long ackedBytes, int mss, long nowNs, long srttNs, boolean cwndLimited) {
        if (!cwndLimited) {
            return;                 // RFC 7661 §4.3: no growth for an application-limited window
        }
        long acked = ackedBytes;
        if (cwnd < ssthresh) {
            // RFC 5681 §3.1 slow start with RFC 3465 byte counting; like Linux, a stretch ACK counts in full
            // (no L limit), the part beyond ssthresh carries into congestion avoidance.
            long room = ssthresh - cwnd;
            long grow = Math.min(acked, room);
            cwnd += grow;
            acked -= grow;
            if (acked == 0) {
                return;
            }
        }
        // RFC 5681 §3.1 congestion avoidance, RFC 3465 §2.1: +1 SMSS per cwnd bytes acknowledged.
        bytesAcked += acked;
        if (bytesAcked >= cwnd) {
            bytesAcked -= cwnd;
            cwnd += mss;
        }
    }

    @Override
    public void onLoss(long flightBytes, int mss, long nowNs) {
        // RFC 5681 §3.2 eq. (4): ssthresh = max(FlightSize / 2, 2*SMSS); RFC 6675 §5 step 4.2: cwnd = ssthresh.
        ssthresh = Math.max(flightBytes / 2, 2L * mss);
        cwnd = ssthresh;
        bytesAcked = 0;
    }

    @Override
    public void onTimeout(long flightBytes, int mss, long nowNs) {
        // RFC 5681 §3.1 eq. (4) and: "cwnd MUST be set to no more than the loss window, LW, which equals 1 full-sized
        // segment".
        ssthresh = Math.max(flightBytes / 2, 2L * mss);
        cwnd = mss;
        bytesAcked = 0;
    }

    @Override
    public void onIdleRestart(long restartWindowBytes) {
        cwnd = Math.min(cwnd, restartWindowBytes);
    }

    @Override
    public void setCwnd(long bytes) {
        cwnd = bytes;
    }

    @Override
    public String name() {
        return "newreno";
    }
}
