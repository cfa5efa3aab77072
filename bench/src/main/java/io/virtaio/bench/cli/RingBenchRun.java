package io.virtaio.bench.cli;

import io.virtaio.bench.RingBench;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code virtaio bench --ring}: {@link RingBench} in a short form (one fork, short warmup and measurement), printing
 * round trips per second for the split virtqueue and its JCTools peer, measured in the same run, with the ratio per
 * batch size. For the full JMH run: {@code ./virtaio jmh RingBench -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc}.
 */
final class RingBenchRun {
    private final boolean quick;
    private final boolean noGc;

    RingBenchRun(boolean quick, boolean noGc) {
        this.quick = quick;
        this.noGc = noGc;
    }

    int call() throws RunnerException {
        int warmups = quick ? 1 : 2;
        int warmupSeconds = quick ? 1 : 2;
        int iterations = quick ? 3 : 4; // JMH gives no error bound below 3
        int seconds = quick ? 1 : 2;
        int configurations = 4;
        System.out.printf(Locale.ROOT, "virtaio bench: RingBench, %d configurations, about %d s ...%n",
                configurations, configurations * (warmups * warmupSeconds + iterations * seconds + 2));
        ChainedOptionsBuilder opts = new OptionsBuilder()
                .include(RingBench.class.getName() + "\\.")
                .forks(1)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.seconds(warmupSeconds))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(seconds))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT);
        if (!noGc) {
            opts.addProfiler(GCProfiler.class);
        }
        Collection<RunResult> results = new Runner(opts.build()).run();
        List<Row> rows = new ArrayList<>();
        for (RunResult rr : results) {
            Result<?> trips = rr.getSecondaryResults().get("roundTrips");
            Result<?> norm = rr.getSecondaryResults().get("gc.alloc.rate.norm");
            rows.add(new Row(rr.getParams().getParam("impl"), Integer.parseInt(rr.getParams().getParam("batch")),
                    trips == null ? Double.NaN : trips.getScore(), trips == null ? Double.NaN : trips.getScoreError(),
                    norm == null ? Double.NaN : norm.getScore()));
        }
        rows.sort(Comparator.comparingInt(Row::batch).thenComparing(Row::impl, Comparator.reverseOrder()));
        print(rows);
        return 0;
    }

    private record Row(String impl, int batch, double perSecond, double error, double bytesPerOp) {
    }

    private void print(List<Row> rows) {
        System.out.println();
        System.out.println("Split virtqueue round trip (add -> pop -> push -> reap), queue size " + RingBench.QUEUE_SIZE
                + ", driver and device busy-polling on two threads; peer: two JCTools SpscArrayQueues.");
        System.out.printf(Locale.ROOT, "%-8s %5s %18s %14s %8s%n", "impl", "batch", "round trips/s", "± (99.9%)",
                "B/op");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-8s %5d %18s %14s %8s%n", r.impl(), r.batch(), format("%,.0f", r.perSecond()),
                    format("%,.0f", r.error()), format("%.3f", r.bytesPerOp()));
        }
        for (int batch : rows.stream().mapToInt(Row::batch).distinct().sorted().toArray()) {
            double split = score(rows, "split", batch);
            double peer = score(rows, "jctools", batch);
            System.out.printf(Locale.ROOT, "ratio split/jctools at batch %d: %.2fx%n", batch, split / peer);
        }
        Runtime.Version v = Runtime.version();
        System.out.printf(Locale.ROOT, "machine: %d cores, %s %s %s, Java %s (%s), load average %.2f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("os.arch"), v,
                System.getProperty("java.vm.vendor"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("Round trips count completed chains (a JMH aux counter); a ratio only counts within one run."
                + " Two spinning threads need two idle cores: other load on the machine shows as wide errors.");
    }

    private static String format(String pattern, double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, pattern, v);
    }

    private static double score(List<Row> rows, String impl, int batch) {
        return rows.stream().filter(r -> r.impl().equals(impl) && r.batch() == batch).mapToDouble(Row::perSecond)
                .findFirst().orElse(Double.NaN);
    }
}
