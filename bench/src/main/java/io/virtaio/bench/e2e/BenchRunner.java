package io.virtaio.bench.e2e;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Runs every workload on every system, one after the other in this JVM, with a live progress line each, and
 * collects the figures into a {@link Report}. A system that fails a workload is recorded as failed with the reason;
 * the run goes on.
 */
public final class BenchRunner {
    private BenchRunner() {
    }

    public static Report run(List<SystemUnderTest> systems, List<Workload> workloads, Params params, PrintStream out,
                             boolean terminal) {
        Report report = new Report(Env.current());
        for (Workload w : workloads) {
            for (SystemUnderTest s : systems) {
                boolean bulk = w == Workload.BULK;
                String label = String.format(Locale.ROOT, "%-8s %s", w.label(), s.name());
                Progress progress = new Progress(out, terminal, label, bulk ? "Gbit/s" : "round trips/s",
                        bulk ? 8e-9 : 1);
                Result r;
                try {
                    r = s.run(w, params, progress);
                    progress.finish(bulk ? String.format(Locale.ROOT, "%.2f Gbit/s", r.gbps())
                            : String.format(Locale.ROOT, "%.0f round trips/s, p50 %.1f µs, p99 %.1f µs",
                                    r.opsPerSec(), r.p50Us(), r.p99Us()));
                } catch (Exception | AssertionError e) {
                    String why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                    r = Result.failed(s.name(), w, why);
                    progress.finish("FAILED: " + why);
                } finally {
                    progress.close();
                }
                report.add(r);
                // Let the previous run's garbage and threads settle before the next one is measured.
                System.gc();
            }
        }
        return report;
    }
}
