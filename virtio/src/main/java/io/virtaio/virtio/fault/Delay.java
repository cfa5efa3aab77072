package io.virtaio.virtio.fault;

import java.util.Locale;

/**
 * A delay with jitter: each frame waits {@code baseNs} plus a random amount drawn from the seed, clamped at 0.
 *
 * <p>Order: with {@code mayReorder} false (the default) a frame never leaves before the one ahead of it in its
 * class — a single path queues, it does not reorder — so jitter stretches gaps without reordering. With it true,
 * each frame keeps its own drawn delay and jitter reorders frames, as netem's jitter does (netem keeps order only
 * when a rate is also set). Use {@link Reordering} for reordering you control.
 *
 * <p>SPEC: {@code delay=BASE[~JITTER][:uniform|:normal][:fifo|:reorder]}, e.g. {@code delay=1ms},
 * {@code delay=1ms~300us}, {@code delay=20ms~5ms:normal:reorder}.
 *
 * @param baseNs       constant part
 * @param jitterNs     uniform: the half-width of {@code [base - jitter, base + jitter]}; normal: the standard
 *                     deviation
 * @param distribution of the jitter
 * @param mayReorder   whether jitter may reorder frames
 */
public record Delay(long baseNs, long jitterNs, Distribution distribution, boolean mayReorder) {
    /** The jitter's distribution. */
    public enum Distribution {
        /** Uniform in {@code [-jitter, +jitter]}. */
        UNIFORM,
        /** Normal with standard deviation {@code jitter} (the seeded generator's {@code nextGaussian}). */
        NORMAL;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Delay {
        if (baseNs < 0 || jitterNs < 0) {
            throw new IllegalArgumentException("delay and jitter must be >= 0: " + baseNs + " ns ~ " + jitterNs
                    + " ns");
        }
        if (distribution == null) {
            throw new IllegalArgumentException("distribution is required");
        }
    }

    /** A constant delay. */
    public static Delay constant(long ns) {
        return new Delay(ns, 0, Distribution.UNIFORM, false);
    }

    /** {@code base ± jitter}, uniform, order kept. */
    public static Delay uniform(long baseNs, long jitterNs) {
        return new Delay(baseNs, jitterNs, Distribution.UNIFORM, false);
    }

    public Delay withDistribution(Distribution d) {
        return new Delay(baseNs, jitterNs, d, mayReorder);
    }

    public Delay withReordering(boolean reorder) {
        return new Delay(baseNs, jitterNs, distribution, reorder);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(SpecValues.duration(baseNs));
        if (jitterNs > 0) {
            b.append('~').append(SpecValues.duration(jitterNs));
        }
        if (distribution != Distribution.UNIFORM) {
            b.append(':').append(distribution.key());
        }
        if (mayReorder) {
            b.append(":reorder");
        }
        return b.toString();
    }
}
