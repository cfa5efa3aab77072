package io.virtaio.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every path of {@link CopyBench} delivers its payload intact, before and after the JIT compiled it, and allocates
 * nothing per operation once compiled: what its scores and its B/op column rest on.
 */
class CopyBenchTest {
    private static final int WINDOW = 10_000;
    /** Windows to wait for: interpreted and C1-compiled memory access still allocates now and then. */
    private static final int WINDOWS = 40;

    @ParameterizedTest(name = "{0}, {1} bytes")
    @CsvSource({"memcopy, 4096", "memcopy, 65536", "wire, 4096", "wire, 65536", "stack, 4096", "stack, 65536",
        "aio, 4096", "aio, 65536"})
    void deliversThePayloadIntactAndAllocatesNothingOnceCompiled(String path, int size) {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof ThreadMXBean,
                "needs the HotSpot per-thread allocation counter");
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        CopyBench bench = new CopyBench();
        bench.path = path;
        bench.size = size;
        bench.setUp();                                      // checks CopyBench.VERIFY_ROUNDS operations
        try {
            bench.startIteration();
            long allocated = -1;
            int windows = 0;
            while (allocated != 0 && windows < WINDOWS) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < WINDOW; i++) {
                    bench.copy();                           // throws unless size bytes arrived
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
                windows++;
            }
            assertEquals(0, allocated, "bytes allocated by the last of " + windows + " windows of " + WINDOW
                    + " operations");
            bench.verify();                                 // and again, compiled
        } finally {
            bench.endIteration();
            bench.tearDown();
        }
    }
}
