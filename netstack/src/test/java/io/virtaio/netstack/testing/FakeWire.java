package io.virtaio.netstack.testing;

import java.util.SplittableRandom;

/**
 * A cable between two {@link FakeNetDevice}s: {@link #transfer()} moves every frame each has transmitted into the
 * other's receive queue, in place and allocation-free, optionally dropping each with a seeded probability. The
 * same seed drops the same frames. Frames the receiver has no room for are dropped there, and counted by it.
 */
public final class FakeWire {
    private final FakeNetDevice a;
    private final FakeNetDevice b;
    private final SplittableRandom random;
    private final double dropRate;
    private long delivered;
    private long dropped;

    /** A lossless wire. */
    public FakeWire(FakeNetDevice a, FakeNetDevice b) {
        this(a, b, 0, 0.0);
    }

    /** A wire that drops each frame with probability {@code dropRate}, decided by a generator seeded {@code seed}. */
    public FakeWire(FakeNetDevice a, FakeNetDevice b, long seed, double dropRate) {
        if (dropRate < 0 || dropRate > 1) {
            throw new IllegalArgumentException("drop rate must be within 0..1: " + dropRate);
        }
        this.a = a;
        this.b = b;
        this.random = new SplittableRandom(seed);
        this.dropRate = dropRate;
    }

    /** Moves every queued frame both ways; returns how many frames left a device (delivered or dropped). */
    public int transfer() {
        return move(a, b) + move(b, a);
    }

    private int move(FakeNetDevice from, FakeNetDevice to) {
        int n = 0;
        while (from.txPending() > 0) {
            boolean drop = dropRate > 0 && random.nextDouble() < dropRate;
            from.transferTo(to, drop);
            if (drop) {
                dropped++;
            } else {
                delivered++;
            }
            n++;
        }
        return n;
    }

    public long delivered() {
        return delivered;
    }

    public long dropped() {
        return dropped;
    }
}
