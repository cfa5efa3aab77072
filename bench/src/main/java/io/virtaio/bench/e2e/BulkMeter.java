package io.virtaio.bench.e2e;

/**
 * The receiving end's view of a bulk run, the same for every system: the first {@link Params#warmupNs()} of the
 * stream warm the JIT and the connection up and are not counted; then the next {@link Params#bulkBytes()} are
 * timed. The sender keeps sending until {@link #done()}. Thread-safe (readers of several systems complete on
 * different threads).
 */
final class BulkMeter {
    private final long warmupNs;
    private final long bytes;
    private long firstNs;
    private long startNs;
    private long received;
    private long mark;
    private long endNs;
    private volatile boolean done;

    BulkMeter(Params p) {
        this.warmupNs = p.warmupNs();
        this.bytes = p.bulkBytes();
    }

    /** Counts {@code n} bytes received; returns true once the measured volume is complete. */
    synchronized boolean received(long n) {
        if (done) {
            return true;
        }
        long now = System.nanoTime();
        if (firstNs == 0) {
            firstNs = now;
        }
        received += n;
        if (startNs == 0) {
            if (now - firstNs >= warmupNs) {
                startNs = now;
                mark = received;
            }
            return false;
        }
        if (received - mark >= bytes) {
            endNs = now;
            done = true;
        }
        return done;
    }

    /** True once the measured volume has arrived: senders stop. */
    boolean done() {
        return done;
    }

    /** Goodput of the measured part, in Gbit/s. */
    synchronized double gbps() {
        return (received - mark) * 8.0 / (endNs - startNs);
    }
}
