package io.virtaio.bench.examples;

import java.io.PrintStream;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one echo example measured: messages, bytes, elapsed time, round-trip latencies, and a few counters of the
 * runtime.
 *
 * @param messages  round trips completed
 * @param bytes     payload bytes echoed (each counted once)
 * @param elapsedNs wall time of the round trips
 * @param rttNs     round-trip latencies in ns
 * @param counters  the runtime's counters after the run
 */
public record EchoReport(String name, int messages, long bytes, long elapsedNs, Histogram rttNs,
        Map<String, Long> counters) {

    /** Prints a short human-readable summary. */
    public void print(PrintStream out) {
        double seconds = elapsedNs / 1e9;
        out.printf("%s: %d round trips of %d bytes over two stacks on the in-process virtio wire%n", name, messages,
                messages == 0 ? 0 : bytes / messages);
        out.printf("  %.3f s, %.0f round trips/s, %.1f MB/s each way%n", seconds, messages / seconds,
                bytes / seconds / 1e6);
        out.printf("  round trip: p50 %.1f us, p99 %.1f us, max %.1f us%n", rttNs.getValueAtPercentile(50) / 1e3,
                rttNs.getValueAtPercentile(99) / 1e3, rttNs.getMaxValue() / 1e3);
        out.printf("  requests: %d submitted, %d completed, %d failed; bytes received straight into reads: %d%n",
                counters.getOrDefault("requests.submitted", 0L), counters.getOrDefault("requests.completed", 0L),
                counters.getOrDefault("requests.failed", 0L),
                counters.getOrDefault("node.a.directBytes", 0L) + counters.getOrDefault("node.b.directBytes", 0L));
    }
}
