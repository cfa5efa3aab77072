package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.backend.PcapWriter;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The per-frame path allocates nothing, with every impairment active and a capture attached. */
class FaultStageAllocationTest {
    /** A channel that takes everything and keeps nothing. */
    static final class Discard implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** Counts what reaches it and does nothing else. */
    static final class Count implements FrameSink {
        long frames;

        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            frames++;
            return OK;
        }

        @Override
        public void flush(long nowNs) {
        }
    }

    static final class CountingBackend implements io.virtaio.virtio.backend.Backend {
        final Count out = new Count();
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
        }
    }

    private long now;

    private void round(FaultStage stage, CountingBackend inner, MemorySegment hdr, MemorySegment[] frames) {
        for (MemorySegment f : frames) {
            now += 20_000;
            stage.poll(now);
            stage.accept(hdr, f, 0, (int) f.byteSize(), now);
            stage.flush(now);
            inner.toStage.accept(hdr, f, 0, (int) f.byteSize(), now);
            inner.toStage.flush(now);
        }
    }

    @Test
    void impairingAndCapturingFramesAllocatesNothing() throws Exception {
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs the HotSpot per-thread allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        String spec = "loss=2%,burst=gilbert:1%:30%,corrupt=2%:2:payload,dup=3%:2,rate=500mbit:64kib:1mib,"
                + "delay=1ms~200us:normal,reorder=3%:500us,[tcp nth=3]{drop},[udp dport=9]{corrupt=5%},"
                + "[udp dport=7]{reorder=10%:2}";
        CountingBackend inner = new CountingBackend();
        FaultStage stage = new FaultStage(inner, FaultPlan.parse(spec), 5,
                FaultStage.Options.defaults().withHoldSlots(4096));
        Count device = new Count();
        stage.connect(device);
        PcapWriter writer = new PcapWriter(new Discard(), PcapWriter.Format.PCAPNG);
        stage.capture(writer);
        MemorySegment hdr = MemorySegment.ofArray(Packets.plainHeader());
        MemorySegment[] frames = {
            MemorySegment.ofArray(Packets.udp(1000, 7, 200, 1)),
            MemorySegment.ofArray(Packets.udp(1000, 9, 1400, 2)),
            MemorySegment.ofArray(Packets.tcp(Packets.A, 80, Packets.B, 4000, 1, FrameView.ACK, 1000, 3)),
            MemorySegment.ofArray(Packets.ping(56, 4)),
            MemorySegment.ofArray(Packets.raw(60, 5)),
        };
        // Warm up until the rare branches (a corruption is 1 frame in 50) are compiled: interpreted and
        // C1-compiled memory access still allocates now and then.
        for (int r = 0; r < 60_000; r++) {
            round(stage, inner, hdr, frames);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int r = 0; r < 4_000; r++) {
            round(stage, inner, hdr, frames);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(0, allocated, "bytes allocated by 40,000 frames through a busy fault stage with a capture");
        FaultCounters tx = stage.counters(Direction.EGRESS);
        for (FaultKind k : new FaultKind[] {FaultKind.LOSS, FaultKind.BURST_LOSS, FaultKind.CORRUPT,
            FaultKind.FCS_DROP, FaultKind.DUPLICATE, FaultKind.DELAY, FaultKind.REORDER}) {
            assertTrue(tx.faults(k) > 0, k + " was exercised");
        }
        assertTrue(inner.out.frames > 0 && device.frames > 0);
    }
}
