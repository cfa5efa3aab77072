package io.virtaio.virtio.backend;

import io.virtaio.virtio.queue.Doorbell;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Records every frame a device sends and receives to a {@link PcapWriter}, and otherwise is the backend it wraps:
 * {@code new PcapBackend(wire.a(), writer)}. The capture holds Ethernet frames only (no virtio-net header), with
 * the {@code nowNs} of each call as timestamp; in pcapng each frame is marked outbound or inbound. Frames are
 * recorded before the next stage sees them, so inbound frames the device then drops are in the capture too, as on
 * a real interface.
 *
 * <p>A write error stops the capture (counted in {@link #counters()} as dropped), never the traffic.
 * {@link #close()} closes the wrapped backend and the writer.
 */
public final class PcapBackend implements Backend {
    private final Backend inner;
    private final PcapWriter writer;
    /** Frames recorded: outbound (from the device) as frames, inbound as delivered; failed writes as dropped. */
    private final BackendCounters counters = new BackendCounters();
    private final FrameSink inbound = new Inbound();
    private FrameSink device = Sinks.NOT_CONNECTED;
    private volatile IOException failure;

    public PcapBackend(Backend inner, PcapWriter writer) {
        if (inner == null || writer == null) {
            throw new IllegalArgumentException("inner backend and writer are required");
        }
        this.inner = inner;
        this.writer = writer;
    }

    @Override
    public void connect(FrameSink toDevice) {
        if (device != Sinks.NOT_CONNECTED) {
            throw new IllegalStateException("pcap backend already connected");
        }
        device = toDevice;
        inner.connect(inbound);
    }

    @Override
    public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
        if (record(frame, frameOff, frameLen, nowNs, PcapWriter.OUTBOUND)) {
            counters.frames++;
            counters.bytes += frameLen;
        }
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
        return inner.poll(nowNs);
    }

    @Override
    public void setWakeup(Doorbell wakeup) {
        inner.setWakeup(wakeup);
    }

    private boolean record(MemorySegment frame, long frameOff, int frameLen, long nowNs, int direction) {
        if (failure != null) {
            return false;
        }
        try {
            writer.write(nowNs, frame, frameOff, frameLen, direction, null);
            return true;
        } catch (IOException e) {
            failure = e;
            counters.dropped++;
            return false;
        }
    }

    /** The write error that stopped the capture, or null. */
    public IOException failure() {
        return failure;
    }

    /** frames/bytes: outbound frames recorded; delivered/deliveredBytes: inbound frames recorded. */
    public BackendCounters counters() {
        return counters;
    }

    public Backend inner() {
        return inner;
    }

    public PcapWriter writer() {
        return writer;
    }

    @Override
    public void close() {
        try {
            inner.close();
        } finally {
            try {
                writer.close();
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    /** The wrapped backend's frames towards the device pass here. */
    private final class Inbound implements FrameSink {
        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            if (record(frame, frameOff, frameLen, nowNs, PcapWriter.INBOUND)) {
                counters.delivered++;
                counters.deliveredBytes += frameLen;
            }
            return device.accept(hdr, frame, frameOff, frameLen, nowNs);
        }

        @Override
        public void flush(long nowNs) {
            device.flush(nowNs);
        }
    }
}
