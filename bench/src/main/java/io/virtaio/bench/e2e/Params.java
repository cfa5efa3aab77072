package io.virtaio.bench.e2e;

/**
 * How long and how much each workload runs.
 *
 * @param bulkBytes   volume of the bulk transfer (measured after a warm-up of a quarter of it)
 * @param warmupNs    warm-up time of the RPC workloads (not recorded)
 * @param measureNs   measured time of the RPC workloads
 */
public record Params(long bulkBytes, long warmupNs, long measureNs) {
    public static final Params FULL = new Params(4L << 30, 2_000_000_000L, 6_000_000_000L);
    public static final Params QUICK = new Params(1L << 30, 700_000_000L, 2_000_000_000L);
}
