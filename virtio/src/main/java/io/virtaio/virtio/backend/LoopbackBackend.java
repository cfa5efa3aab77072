package io.virtaio.virtio.backend;

import java.lang.foreign.MemorySegment;

/**
 * Frames a device transmits come back on its own receive path, at once and on the transmitting thread: a cable from
 * a port to itself. No copy here; the receiving device copies into its receive buffer.
 *
 * <p>{@link #accept} returns {@link FrameSink#OK} for every frame it carried: what the receiving side then did is
 * its business, counted as {@link BackendCounters#delivered()} or {@link BackendCounters#refused()} here and by
 * reason in the device.
 */
public final class LoopbackBackend implements Backend {
    private final BackendCounters counters = new BackendCounters();
    private FrameSink device = Sinks.NOT_CONNECTED;

    @Override
    public void connect(FrameSink toDevice) {
        if (device != Sinks.NOT_CONNECTED) {
            throw new IllegalStateException("loopback already connected to " + device);
        }
        device = toDevice;
    }

    @Override
    public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
        counters.frames++;
        counters.bytes += frameLen;
        counters.countDelivery(device.accept(hdr, frame, frameOff, frameLen, nowNs), frameLen);
        return OK;
    }

    @Override
    public void flush(long nowNs) {
        counters.batches++;
        device.flush(nowNs);
    }

    public BackendCounters counters() {
        return counters;
    }
}
