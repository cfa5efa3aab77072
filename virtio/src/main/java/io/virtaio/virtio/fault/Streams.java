package io.virtaio.virtio.fault;

import java.util.SplittableRandom;

/**
 * Where a stage's randomness comes from: one {@link SplittableRandom} per (direction, rule slot, use), seeded from
 * the stage's seed and the stream's name by the SplitMix64 finalizer (Steele, Lea and Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014). A stream depends only on the seed and its name — not on which
 * other streams exist or how often they were drawn — so adding, removing or changing one impairment leaves every
 * other decision of the run unchanged.
 */
final class Streams {
    private Streams() {
    }

    /** Uses of randomness; each is its own stream in every (direction, slot). */
    static final int LOSS = 0;
    static final int BURST_STATE = 1;
    static final int BURST_LOSS = 2;
    static final int CORRUPT = 3;
    static final int CORRUPT_POSITION = 4;
    static final int DUPLICATE = 5;
    static final int JITTER = 6;
    static final int REORDER = 7;
    static final int USES = 8;

    /** Streams outside the network stage (device faults) use names from here on. */
    static final long DEVICE_BASE = 1L << 32;

    /** The stream for (direction, slot, use) of {@code seed}. */
    static SplittableRandom stream(long seed, Direction d, int slot, int use) {
        return named(seed, ((long) d.ordinal() << 24) | ((long) slot << 8) | use);
    }

    /** The stream named {@code name} of {@code seed}. */
    static SplittableRandom named(long seed, long name) {
        return new SplittableRandom(mix64(seed ^ mix64(name + 0x9E3779B97F4A7C15L)));
    }

    /** SplitMix64's finalizer (MurmurHash3's fmix64 constants as refined by Stafford, variant 13). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
