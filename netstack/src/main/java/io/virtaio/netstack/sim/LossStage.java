package io.virtaio.netstack.sim;

import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.FrameSink;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * Drops each frame a device transmits with probability {@code p}, from a seeded random source: the simplest
 * impairment, for {@code ./virtaio sim --loss}. Wrap both hosts' backends to lose frames in both directions.
 */
public final class LossStage implements Backend {
    private final Backend inner;
    private final double p;
    private final SplittableRandom random;
    private long dropped;

    public LossStage(Backend inner, double p, long seed) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("loss probability must be in [0, 1]: " + p);
        }
        this.inner = inner;
        this.p = p;
        this.random = new SplittableRandom(seed);
    }

    /** An impairment that wraps each host's egress with its own stream derived from the seed. */
    public static TransferScenario.Impairment egressLoss(double p) {
        return (host, seed, backend) -> p == 0 ? backend : new LossStage(backend, p, seed * 0x9E3779B97F4A7C15L + host);
    }

    @Override
    public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
        if (random.nextDouble() < p) {
            dropped++;
            return OK;
        }
        return inner.accept(hdr, frame, frameOff, frameLen, nowNs);
    }

    @Override
    public void flush(long nowNs) {
        inner.flush(nowNs);
    }

    @Override
    public void connect(FrameSink toDevice) {
        inner.connect(toDevice);
    }

    @Override
    public long txReadyAt(long nowNs) {
        return inner.txReadyAt(nowNs);
    }

    @Override
    public long poll(long nowNs) {
        return inner.poll(nowNs);
    }

    @Override
    public void close() {
        inner.close();
    }

    /** Frames dropped so far. */
    public long dropped() {
        return dropped;
    }
}
