package io.virtaio.bench.e2e;

/**
 * How long and how much each workload runs.
 *
 * @param bulkBytes   volume of the bulk transfer, measured after the warm-up
 * @param warmupNs    warm-up time of every workload (transferred or timed, not recorded): long enough for the JIT
 * @param measureNs   measured time of the RPC workloads
 */
public record Params(long bulkBytes, long warmupNs, long measureNs) {
    public static final Params FULL = new Params(8L << 30, 2_000_000_000L, 6_000_000_000L);
    public static final Params QUICK = new Params(2L << 30, 1_000_000_000L, 2_000_000_000L);
}
