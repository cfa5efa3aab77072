package io.virtaio.netstack.tcp;

/**
 * CUBIC (RFC 9438): after a reduction the window follows {@code W_cubic(t) = C·(t − K)^3 + W_max}, concave up to
 * the window where the last loss happened, then convex beyond it; never slower than the Reno-friendly estimate
 * {@code W_est} (§4.3); fast convergence lowers W_max when losses repeat below it (§4.7). Slow start is standard
 * (RFC 5681; HyStart is not implemented). Windows are tracked in segments as doubles inside, bytes outside.
 */
final class Cubic implements CongestionControl {
    /** RFC 9438 §5: C = 0.4. */
    static final double C = 0.4;
    /** RFC 9438 §4.6: beta_cubic = 0.7. */
    static final double BETA = 0.7;
    /** RFC 9438 §4.3: alpha_cubic = 3 (1 - beta) / (1 + beta). */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private long cwnd;
    private long ssthresh = Long.MAX_VALUE;
    /** Segments, of the window before the last reduction (RFC 9438 §4.1 W_max). */
    private double wMax;
    /** Segments, for fast convergence: W_max before the last update. */
    private double wLastMax;
    /** cwnd before the last reduction (RFC 9438 §4.3 cwnd_prior), segments. */
    private double cwndPrior;
    private double k;
    private long epochStartNs = -1;
    private double wEst;

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
        ssthresh = Long.MAX_VALUE;
        epochStartNs = -1;
        wMax = 0;
        wLastMax = 0;
    }

    @Override
    public void onAck(long ackedBytes, int mss, long nowNs, long srttNs, boolean cwndLimited) {
        if (!cwndLimited) {
            return;                 // RFC 9438 §5.8 / RFC 7661: no growth while application-limited
        }
        long acked = ackedBytes;
        if (cwnd < ssthresh) {
            long grow = Math.min(acked, ssthresh - cwnd);   // RFC 9438 §4.10: standard slow start
            cwnd += grow;
            acked -= grow;
            if (acked == 0) {
                return;
            }
        }
        double seg = mss;
        double w = cwnd / seg;
        if (epochStartNs < 0) {
            // RFC 9438 §4.2: a new congestion-avoidance epoch.
            epochStartNs = nowNs;
            if (w < wMax) {
                k = Math.cbrt((wMax - w) / C);              // RFC 9438 eq. (2), cwnd_epoch = cwnd
            } else {
                k = 0;
                wMax = w;
            }
            wEst = w;
        }
        double segmentsAcked = acked / seg;
        // RFC 9438 §4.3: W_est += alpha_cubic * segments_acked / cwnd; alpha becomes 1 once W_est >= cwnd_prior.
        double alpha = wEst >= cwndPrior ? 1.0 : ALPHA;
        wEst += alpha * segmentsAcked / w;
        double t = (nowNs - epochStartNs) / 1e9;
        double rtt = srttNs / 1e9;
        double wCubicNow = cubic(t);
        if (wCubicNow < wEst) {
            // RFC 9438 §4.3: Reno-friendly region, cwnd = W_est.
            w = Math.max(w, wEst);
        } else {
            // RFC 9438 §4.4/4.5: target = W_cubic(t + RTT), clamped to [cwnd, 1.5 cwnd]; cwnd grows by
            // (target - cwnd) / cwnd per acknowledged segment.
            double target = Math.clamp(cubic(t + rtt), w, 1.5 * w);
            w += (target - w) * segmentsAcked / w;
        }
        cwnd = Math.max(cwnd, (long) (w * seg));
    }

    private double cubic(double t) {
        double d = t - k;
        return C * d * d * d + wMax;                        // RFC 9438 eq. (1)
    }

    private void reduce(long flightBytes, int mss) {
        double w = cwnd / (double) mss;
        cwndPrior = w;
        // RFC 9438 §4.7 fast convergence: a loss below the previous W_max releases bandwidth.
        if (w < wLastMax) {
            wLastMax = w;
            wMax = w * (1 + BETA) / 2;
        } else {
            wLastMax = w;
            wMax = w;
        }
        // RFC 9438 §4.6: ssthresh = cwnd * beta_cubic (at least 2 segments, RFC 5681).
        ssthresh = Math.max((long) (cwnd * BETA), 2L * mss);
        epochStartNs = -1;
    }

    @Override
    public void onLoss(long flightBytes, int mss, long nowNs) {
        reduce(flightBytes, mss);
        cwnd = ssthresh;
    }

    @Override
    public void onTimeout(long flightBytes, int mss, long nowNs) {
        // RFC 9438 §4.8: as a congestion event, then cwnd = 1 SMSS (RFC 5681 loss window).
        reduce(flightBytes, mss);
        cwnd = mss;
    }

    @Override
    public void onIdleRestart(long restartWindowBytes) {
        cwnd = Math.min(cwnd, restartWindowBytes);
        epochStartNs = -1;
    }

    @Override
    public void setCwnd(long bytes) {
        cwnd = bytes;
    }

    @Override
    public String name() {
        return "cubic";
    }

    double wMax() {
        return wMax;
    }

    double k() {
        return k;
    }
}
