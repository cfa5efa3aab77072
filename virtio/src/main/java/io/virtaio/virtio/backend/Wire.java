package io.virtaio.virtio.backend;

import java.lang.foreign.MemorySegment;

/**
 * A cable between two devices: frames one end's device transmits reach the device connected to the other end.
 * Each direction has its own {@link LinkModel} state: a line rate (backpressure through {@link End#txReadyAt}), a
 * propagation delay and a bounded delay line.
 *
 * <p><b>Threads.</b> A direction is driven only by its sending side: end A's {@link End#accept}, {@link End#flush}
 * and {@link End#poll} run on the thread that runs device A's transmit path, and deliver into device B's receive
 * path on that thread. No thread or clock of its own: time comes in as {@code nowNs}.
 *
 * <p><b>Pass-through</b> ({@link LinkModel#UNLIMITED}): frames go straight to the peer's sink inside
 * {@code accept}, with no copy, and the batch ends with the sender's {@code flush}. <b>Modelled</b>: each frame is
 * copied into the direction's delay line with arrival = end of serialization + delay, and the sending end's
 * {@code poll(nowNs)} delivers what is due, in order, then flushes the peer once.
 *
 * <p>{@code accept} returns OK for every frame the link took, {@link FrameSink#DROP_BACKEND} when the delay line
 * is full; what the receiving device does with a frame is counted in that direction's
 * {@link BackendCounters#delivered()} and {@link BackendCounters#refused()}.
 */
public final class Wire {
    private final LinkModel model;
    private final End a;
    private final End b;

    private Wire(LinkModel model) {
        this.model = model;
        this.a = new End(model, "A");
        this.b = new End(model, "B");
        a.peer = b;
        b.peer = a;
    }

    /** A cable with {@code model} in both directions. */
    public static Wire create(LinkModel model) {
        if (model == null) {
            throw new IllegalArgumentException("model is required (LinkModel.UNLIMITED for none)");
        }
        return new Wire(model);
    }

    public End a() {
        return a;
    }

    public End b() {
        return b;
    }

    public LinkModel model() {
        return model;
    }

    /** One end of the cable: the backend of the device plugged into it. */
    public static final class End implements Backend {
        private final LinkModel model;
        private final String name;
        private final BackendCounters counters = new BackendCounters();
        /** Frames from this end to the peer; null when the link passes frames through. */
        private final DelayLine line;
        private End peer;
        private FrameSink device = Sinks.NOT_CONNECTED;
        /** When the frame now serializing has left the line. */
        private long busyUntilNs;
        /** Serialization time carried over in units of 1/rate ns, so back-to-back frames accumulate no rounding. */
        private long carry;

        private End(LinkModel model, String name) {
            this.model = model;
            this.name = name;
            this.line = model.passThrough() ? null : new DelayLine(model.queueLimitBytes());
        }

        @Override
        public void connect(FrameSink toDevice) {
            if (device != Sinks.NOT_CONNECTED) {
                throw new IllegalStateException("wire end " + name + " already connected");
            }
            device = toDevice;
        }

        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            counters.frames++;
            counters.bytes += frameLen;
            if (line == null) {
                counters.countDelivery(peer.device.accept(hdr, frame, frameOff, frameLen, nowNs), frameLen);
                return OK;
            }
            long start = nowNs;
            long carried = 0;
            if (busyUntilNs >= nowNs) {
                // Back to back (the line never went idle): start behind the last frame and keep its fraction of a
                // nanosecond. Later than now only if the sender ignored txReadyAt.
                start = busyUntilNs;
                carried = carry;
            }
            long end = start;
            long remainder = 0;
            long rate = model.rateBitsPerSecond();
            if (rate > 0) {
                long scaled = (long) (frameLen + LinkModel.WIRE_OVERHEAD_BYTES) * 8 * 1_000_000_000L + carried;
                end = start + scaled / rate;
                remainder = scaled % rate;
            }
            if (!line.offer(end + model.delayNs(), hdr, frame, frameOff, frameLen)) {
                counters.dropped++;
                return DROP_BACKEND;
            }
            busyUntilNs = end;
            carry = remainder;
            return OK;
        }

        @Override
        public void flush(long nowNs) {
            if (line == null) {
                counters.batches++;
                peer.device.flush(nowNs);
            }
        }

        /** When the line is free for the next frame: the end of the current frame's serialization, or now. */
        @Override
        public long txReadyAt(long nowNs) {
            return Math.max(nowNs, busyUntilNs);
        }

        /** Delivers the frames due at {@code nowNs} to the peer (one flush); returns the next arrival time. */
        @Override
        public long poll(long nowNs) {
            if (line == null) {
                return Long.MAX_VALUE;
            }
            if (line.deliver(nowNs, peer.device, counters) > 0) {
                counters.batches++;
                peer.device.flush(nowNs);
            }
            return line.nextArrival();
        }

        /** This end's direction: frames sent from the device plugged in here towards the peer. */
        public BackendCounters counters() {
            return counters;
        }

        /** Frames in this direction's delay line. */
        public int framesInFlight() {
            return line == null ? 0 : line.frames();
        }

        public End peer() {
            return peer;
        }

        @Override
        public String toString() {
            return "Wire.End[" + name + ", " + model + "]";
        }
    }
}
