package io.virtaio.aio.loop;

/**
 * How a thread with nothing to do waits: spin, then yield, then park until its next deadline or a wake-up. An
 * idle loop therefore parks and uses no CPU, while a busy one never pays for a park/unpark round trip.
 *
 * @param spins  idle rounds spent in {@link Thread#onSpinWait()} before yielding
 * @param yields idle rounds spent in {@link Thread#yield()} before parking
 */
public record Backoff(int spins, int yields) {
    /** Spin rounds of {@link #DEFAULT}. */
    public static final int DEFAULT_SPINS = 200;
    /** Yield rounds of {@link #DEFAULT}. */
    public static final int DEFAULT_YIELDS = 20;
    /** A short spin: on a 2-vCPU machine long spins starve the other threads (performance.md). */
    public static final Backoff DEFAULT = new Backoff(DEFAULT_SPINS, DEFAULT_YIELDS);
    /** Parks at once; for tests and for machines where every core is taken. */
    public static final Backoff PARK = new Backoff(0, 0);

    public Backoff {
        if (spins < 0 || yields < 0) {
            throw new IllegalArgumentException("backoff rounds must be >= 0: " + spins + ", " + yields);
        }
    }

    /** True while idle round {@code round} (1-based) should still spin or yield rather than park. */
    public boolean busy(int round) {
        if (round <= spins) {
            Thread.onSpinWait();
            return true;
        }
        if (round <= spins + yields) {
            Thread.yield();
            return true;
        }
        return false;
    }
}
