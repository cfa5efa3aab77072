package io.virtaio.netstack.tcp;

/**
 * The retransmission timer's value (RFC 6298): SRTT and RTTVAR from RTT samples, RTO with the configured lower
 * and upper bounds, and exponential backoff. Samples come from the sender: the precise send time of a segment
 * that was never retransmitted (Karn's rule, RFC 6298 §3), or the RFC 7323 §4 timestamp echo. Also keeps the
 * minimum and latest samples for RACK (RFC 8985) and CUBIC. Times in ns.
 */
final class RttEstimator {
    /** RFC 6298 §2: clock granularity G. */
    private static final long G_NS = 1_000_000L;

    private final long rtoMinNs;
    private final long rtoMaxNs;
    private long srttNs;
    private long rttvarNs;
    private long rtoNs;
    private boolean hasSample;
    private long minRttNs = Long.MAX_VALUE;
    private long latestNs;
    private int backoff;

    RttEstimator(long rtoInitialNs, long rtoMinNs, long rtoMaxNs) {
        this.rtoMinNs = rtoMinNs;
        this.rtoMaxNs = rtoMaxNs;
        this.rtoNs = rtoInitialNs;      // RFC 6298 §2.1: until a sample, RTO = 1 s (configured)
    }

    /** Takes one RTT measurement. */
    void sample(long rttNs) {
        long r = Math.max(rttNs, 1);
        latestNs = r;
        minRttNs = Math.min(minRttNs, r);
        if (!hasSample) {
            // RFC 6298 §2.2: the first measurement R: SRTT <- R, RTTVAR <- R/2.
            srttNs = r;
            rttvarNs = r / 2;
            hasSample = true;
        } else {
            // RFC 6298 §2.3: RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|, beta = 1/4 (RTTVAR first);
            // SRTT <- (1 - alpha) * SRTT + alpha * R', alpha = 1/8.
            rttvarNs = rttvarNs - (rttvarNs >> 2) + (Math.abs(srttNs - r) >> 2);
            srttNs = srttNs - (srttNs >> 3) + (r >> 3);
        }
        // RFC 6298 §2.2/2.3: RTO <- SRTT + max(G, K*RTTVAR), K = 4; §2.4: rounded up to the minimum; §2.5: a
        // maximum may be placed on it.
        rtoNs = Math.clamp(srttNs + Math.max(G_NS, 4 * rttvarNs), rtoMinNs, rtoMaxNs);
        // RFC 6298 §5.7 note: a new sample after backoff collapses the backoff.
        backoff = 0;
    }

    /** The current RTO including backoff (RFC 6298 §5.5: doubled per expiry, capped at the maximum). */
    long rtoNs() {
        long r = rtoNs;
        for (int i = 0; i < backoff && r < rtoMaxNs; i++) {
            r <<= 1;
        }
        return Math.min(r, rtoMaxNs);
    }

    /** RFC 6298 §5.5: back off the timer after an expiry. */
    void backOff() {
        if (backoff < 30) {
            backoff++;
        }
    }

    void resetBackoff() {
        backoff = 0;
    }

    int backoffCount() {
        return backoff;
    }

    boolean hasSample() {
        return hasSample;
    }

    long srttNs() {
        return srttNs;
    }

    long rttvarNs() {
        return rttvarNs;
    }

    /** RTO without backoff. */
    long baseRtoNs() {
        return rtoNs;
    }

    long minRttNs() {
        return minRttNs;
    }

    long latestNs() {
        return latestNs;
    }
}
