package io.virtaio.bench.e2e;

/**
 * One system's figures for one workload. Fields that do not apply are {@code NaN} (null in JSON).
 *
 * @param system    "virtaio", "jdk-nio" or "jdk-nio2"
 * @param workload  the workload
 * @param gbps      goodput in Gbit/s (bulk)
 * @param opsPerSec round trips per second (rpc, rpc-64)
 * @param p50Us     median round-trip latency in µs
 * @param p99Us     99th percentile
 * @param p999Us    99.9th percentile
 * @param latencyCurve percentile → µs points for the HTML report (may be empty)
 * @param note      anything the reader should know (e.g. an error), or empty
 */
public record Result(String system, Workload workload, double gbps, double opsPerSec, double p50Us, double p99Us,
                     double p999Us, double[][] latencyCurve, String note) {
    public static Result bulk(String system, double gbps) {
        return new Result(system, Workload.BULK, gbps, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                new double[0][], "");
    }

    public static Result failed(String system, Workload w, String why) {
        return new Result(system, w, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, new double[0][], why);
    }

    /** The headline figure: Gbit/s for bulk, round trips/s otherwise. */
    public double headline() {
        return workload == Workload.BULK ? gbps : opsPerSec;
    }
}
