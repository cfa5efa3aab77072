package io.virtaio.netstack.fault;

import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.queue.Doorbell;
import java.lang.foreign.MemorySegment;

/**
 * A backend wrapper that asks to be polled every {@code periodNs}: gives a simulated host a heartbeat, so that the
 * simulation's clock moves on even when the network is idle and a test's application can act at chosen times.
 */
final class Ticker implements Backend {
    private final Backend inner;
    private final long periodNs;

    Ticker(Backend inner, long periodNs) {
        this.inner = inner;
        this.periodNs = periodNs;
    }

    @Override
    public void connect(FrameSink toDevice) {
        inner.connect(toDevice);
    }

    @Override
    public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
        return inner.accept(hdr, frame, frameOff, frameLen, nowNs);
    }

    @Override
    public void flush(long nowNs) {
        inner.flush(nowNs);
    }

    @Override
    public long txReadyAt(long nowNs) {
        return inner.txReadyAt(nowNs);
    }

    @Override
    public long poll(long nowNs) {
        return Math.min(inner.poll(nowNs), (nowNs / periodNs + 1) * periodNs);
    }

    @Override
    public void setWakeup(Doorbell wakeup) {
        inner.setWakeup(wakeup);
    }

    @Override
    public void close() {
        inner.close();
    }
}
