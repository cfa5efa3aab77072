package io.virtaio.bench.e2e;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashSet;
import java.util.Set;

/**
 * How much CPU an idle runtime burns: after {@code settleNs} with no traffic, the CPU time of the threads the runtime
 * started, over {@code windowNs}, as a percentage of one core. Loops that park use next to nothing; a loop that
 * spins shows as ~100%.
 */
public final class IdleCheck {
    private IdleCheck() {
    }

    /**
     * Measures the threads that {@code start} creates (everything it starts besides this thread).
     *
     * @param start builds the runtime and returns it (closed afterwards)
     * @return percent of one core used by the new threads over the window
     */
    public static double percentOfCore(java.util.function.Supplier<AutoCloseable> start, long settleNs, long windowNs)
            throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Set<Long> before = new HashSet<>();
        for (long id : mx.getAllThreadIds()) {
            before.add(id);
        }
        try (AutoCloseable runtime = start.get()) {
            Thread.sleep(settleNs / 1_000_000);
            Set<Long> started = new HashSet<>();
            for (long id : mx.getAllThreadIds()) {
                if (!before.contains(id)) {
                    started.add(id);
                }
            }
            long cpu0 = cpu(mx, started);
            long t0 = System.nanoTime();
            Thread.sleep(windowNs / 1_000_000);
            long cpu1 = cpu(mx, started);
            long elapsed = System.nanoTime() - t0;
            if (runtime == null) {
                throw new IllegalStateException("no runtime");
            }
            return 100.0 * (cpu1 - cpu0) / elapsed;
        }
    }

    private static long cpu(ThreadMXBean mx, Set<Long> ids) {
        long sum = 0;
        for (long id : ids) {
            long t = mx.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }
}
