package io.virtaio.bench.e2e;

/** One of the systems the benchmark compares: it runs a workload and reports what it measured. */
public interface SystemUnderTest extends AutoCloseable {
    /** Name as it appears in the report: "virtaio", "jdk-nio", "jdk-nio2". */
    String name();

    /**
     * Runs {@code workload} with {@code params}, reporting progress (bytes or round trips so far) as it goes.
     *
     * @throws Exception on failure; the caller records it in the report and goes on
     */
    Result run(Workload workload, Params params, Progress progress) throws Exception;

    @Override
    default void close() throws java.io.IOException {
    }
}
