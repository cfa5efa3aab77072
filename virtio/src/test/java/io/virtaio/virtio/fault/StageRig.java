package io.virtaio.virtio.fault;

import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.net.VirtioNet;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A fault stage between a recording device sink and a recording inner backend, stepped by hand in virtual time:
 * {@link #send} offers a frame as the device would (egress), {@link #deliver} as the wrapped backend would
 * (ingress), {@link #runUntil} polls at the stage's deadlines.
 */
final class StageRig {
    /** A frame as it left the stage. */
    record Out(long nowNs, int tag, byte[] hdr, byte[] frame) {
        int length() {
            return frame.length;
        }
    }

    /** Records what reaches it. */
    static final class Recorder implements FrameSink {
        final List<Out> frames = new ArrayList<>();
        int flushes;
        int result = OK;

        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            byte[] h = hdr.asSlice(0, VirtioNet.HDR_SIZE).toArray(ValueLayout.JAVA_BYTE);
            byte[] f = frame.asSlice(frameOff, frameLen).toArray(ValueLayout.JAVA_BYTE);
            frames.add(new Out(nowNs, Packets.tag(f), h, f));
            return result;
        }

        @Override
        public void flush(long nowNs) {
            flushes++;
        }

        List<Integer> tags() {
            return frames.stream().map(Out::tag).toList();
        }
    }

    /** The wrapped backend: records egress, and is where ingress frames come from. */
    static final class Inner extends RecorderBackend {
    }

    /** A backend that records what the stage hands it and keeps the stage's inbound sink. */
    static class RecorderBackend implements Backend {
        final Recorder out = new Recorder();
        FrameSink toStage;

        @Override
        public void connect(FrameSink toDevice) {
            toStage = toDevice;
        }

        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            return out.accept(hdr, frame, frameOff, frameLen, nowNs);
        }

        @Override
        public void flush(long nowNs) {
            out.flush(nowNs);
        }
    }

    final Inner inner = new Inner();
    final Recorder device = new Recorder();
    final FaultStage stage;
    long nowNs;

    StageRig(FaultPlan plan, long seed) {
        this(plan, seed, FaultStage.Options.defaults());
    }

    StageRig(String spec, long seed) {
        this(FaultPlan.parse(spec), seed);
    }

    StageRig(FaultPlan plan, long seed, FaultStage.Options options) {
        stage = new FaultStage(inner, plan, seed, options);
        stage.connect(device);
    }

    private static final MemorySegment PLAIN = MemorySegment.ofArray(new byte[VirtioNet.HDR_SIZE]);

    /** Egress: the device transmits {@code frame} at {@code at} (one-frame batch). */
    int send(long at, byte[] frame) {
        return send(at, Packets.plainHeader(), frame);
    }

    int send(long at, byte[] hdr, byte[] frame) {
        nowNs = at;
        int r = stage.accept(hdr == null ? PLAIN : MemorySegment.ofArray(hdr), MemorySegment.ofArray(frame), 0,
                frame.length, at);
        stage.flush(at);
        return r;
    }

    /** Ingress: the wrapped backend delivers {@code frame} at {@code at}. */
    int deliver(long at, byte[] frame) {
        return deliver(at, Packets.plainHeader(), frame);
    }

    int deliver(long at, byte[] hdr, byte[] frame) {
        nowNs = at;
        int r = inner.toStage.accept(MemorySegment.ofArray(hdr), MemorySegment.ofArray(frame), 0, frame.length, at);
        inner.toStage.flush(at);
        return r;
    }

    /** Polls the stage at each deadline up to {@code untilNs} (and once at {@code untilNs}). */
    void runUntil(long untilNs) {
        long next = stage.poll(nowNs);
        while (next <= untilNs) {
            nowNs = Math.max(nowNs, next);
            next = stage.poll(nowNs);
            if (next <= nowNs) {
                throw new AssertionError("stage asks to be polled again at " + next + " while at " + nowNs);
            }
        }
        nowNs = Math.max(nowNs, untilNs);
        stage.poll(nowNs);
    }

    /** Egress frames out so far. */
    List<Out> egressOut() {
        return inner.out.frames;
    }

    List<Out> ingressOut() {
        return device.frames;
    }

    FaultCounters tx() {
        return stage.counters(Direction.EGRESS);
    }

    FaultCounters rx() {
        return stage.counters(Direction.INGRESS);
    }
}
