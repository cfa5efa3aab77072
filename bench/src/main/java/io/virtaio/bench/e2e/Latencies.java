package io.virtaio.bench.e2e;

import org.HdrHistogram.Histogram;

/**
 * Round-trip latencies of one run, in ns: one histogram per connection (single writer each), merged at the end.
 * HdrHistogram with 3 significant digits from 100 ns to 60 s.
 */
public final class Latencies {
    /** Percentiles plotted as the latency curve in the HTML report. */
    static final double[] CURVE = {50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};

    private final Histogram[] perConnection;

    public Latencies(int connections) {
        perConnection = new Histogram[connections];
        for (int i = 0; i < connections; i++) {
            perConnection[i] = new Histogram(100, 60_000_000_000L, 3);
        }
    }

    /** Records one round trip of connection {@code c}; only that connection's thread may call it. */
    public void record(int c, long ns) {
        perConnection[c].recordValue(Math.max(100, Math.min(ns, 60_000_000_000L)));
    }

    /** The merged histogram. */
    public Histogram merged() {
        Histogram all = new Histogram(100, 60_000_000_000L, 3);
        for (Histogram h : perConnection) {
            all.add(h);
        }
        return all;
    }

    /** A result for an RPC workload from these latencies and the measured rate. */
    public Result result(String system, Workload w, long roundTrips, long measuredNs) {
        Histogram all = merged();
        double[][] curve = new double[CURVE.length][];
        for (int i = 0; i < CURVE.length; i++) {
            curve[i] = new double[] {CURVE[i], all.getValueAtPercentile(CURVE[i]) / 1000.0};
        }
        return new Result(system, w, Double.NaN, roundTrips * 1e9 / measuredNs, all.getValueAtPercentile(50) / 1000.0,
                all.getValueAtPercentile(99) / 1000.0, all.getValueAtPercentile(99.9) / 1000.0, curve, "");
    }
}
