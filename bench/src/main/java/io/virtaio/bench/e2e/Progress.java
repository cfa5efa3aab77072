package io.virtaio.bench.e2e;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * A live line per workload run: what is running, elapsed time and the current rate, redrawn in place on a terminal
 * (a carriage return) or printed every few seconds otherwise. Systems add to {@link #count} as they go; a daemon
 * ticker redraws.
 */
public final class Progress implements AutoCloseable {
    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final String unit;
    private final double unitScale;
    private final long startNs = System.nanoTime();
    private final LongAdder count = new LongAdder();
    private final Thread ticker;
    private volatile boolean done;
    private long lastPrintNs;

    /**
     * @param label     e.g. "virtaio  bulk"
     * @param unit      e.g. "Gbit/s" or "rt/s"
     * @param unitScale multiplies count-per-second into the unit (bytes → Gbit/s: 8e-9)
     */
    public Progress(PrintStream out, boolean terminal, String label, String unit, double unitScale) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.unit = unit;
        this.unitScale = unitScale;
        this.ticker = Thread.ofPlatform().daemon().name("bench-progress").start(this::tick);
    }

    /** Adds to the running count (bytes moved or round trips completed). Thread-safe, cheap. */
    public void add(long n) {
        count.add(n);
    }

    private void tick() {
        long lastCount = 0;
        long lastNs = startNs;
        while (!done) {
            try {
                Thread.sleep(terminal ? 250 : 1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            long c = count.sum();
            double rate = (c - lastCount) * 1e9 / Math.max(1, now - lastNs) * unitScale;
            lastCount = c;
            lastNs = now;
            String line = String.format(Locale.ROOT, "  %-22s %5.1fs  %10.2f %s", label, (now - startNs) / 1e9, rate,
                    unit);
            synchronized (out) {
                if (terminal) {
                    out.print("\r" + line + "   ");
                    out.flush();
                } else if (now - lastPrintNs > 3_000_000_000L) {
                    out.println(line);
                    lastPrintNs = now;
                }
            }
        }
    }

    /** Stops redrawing and prints the final line for this run. */
    public void finish(String summary) {
        done = true;
        ticker.interrupt();
        try {
            ticker.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (out) {
            out.print(terminal ? "\r" : "");
            out.println(String.format(Locale.ROOT, "  %-22s %5.1fs  %s%s", label, (System.nanoTime() - startNs) / 1e9,
                    summary, terminal ? "          " : ""));
            out.flush();
        }
    }

    @Override
    public void close() {
        done = true;
        ticker.interrupt();
    }
}
