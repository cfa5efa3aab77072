package io.virtaio.virtio.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.mem.GuestMemory;
import io.virtaio.virtio.net.VirtioNet;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire's link model, stepped by hand in virtual time. */
class WireTest {
    /** Arrival time, length and tag (first byte) of each frame a sink got. */
    record Arrival(long nowNs, int length, int tag, int hdrFlags) {
    }

    static final class Sink implements FrameSink {
        final List<Arrival> arrivals = new ArrayList<>();
        final List<MemorySegment> segments = new ArrayList<>();
        int flushes;

        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            arrivals.add(new Arrival(nowNs, frameLen, frame.get(ValueLayout.JAVA_BYTE, frameOff) & 0xFF,
                    hdr.get(ValueLayout.JAVA_BYTE, 0)));
            segments.add(frame);
            return OK;
        }

        @Override
        public void flush(long nowNs) {
            flushes++;
        }
    }

    private static final MemorySegment HDR = MemorySegment.ofArray(new byte[VirtioNet.HDR_SIZE]);
    private final Sink atA = new Sink();
    private final Sink atB = new Sink();

    private Wire wire(LinkModel model) {
        Wire w = Wire.create(model);
        w.a().connect(atA);
        w.b().connect(atB);
        return w;
    }

    private static MemorySegment frame(int length, int tag) {
        MemorySegment f = MemorySegment.ofArray(new byte[length]);
        f.set(ValueLayout.JAVA_BYTE, 0, (byte) tag);
        return f;
    }

    private static int send(Wire.End end, int length, int tag, long nowNs) {
        return end.accept(HDR, frame(length, tag), 0, length, nowNs);
    }

    @Test
    void arrivalIsSerializationEndPlusDelay() {
        Wire w = wire(new LinkModel(1_000_000_000L, 100_000, 1 << 20));
        assertEquals(FrameSink.OK, send(w.a(), 1514, 1, 1_000));
        long serializationEnd = 1_000 + (1514 + 24) * 8;     // 12304 ns at 1 Gbit/s
        assertEquals(serializationEnd, w.a().txReadyAt(1_000), "busy until the frame has left");
        assertEquals(serializationEnd + 100_000, w.a().poll(1_000), "next deadline: its arrival");
        assertEquals(serializationEnd + 100_000, w.a().poll(serializationEnd + 99_999));
        assertTrue(atB.arrivals.isEmpty());
        assertEquals(Long.MAX_VALUE, w.a().poll(serializationEnd + 100_000));
        assertEquals(List.of(new Arrival(serializationEnd + 100_000, 1514, 1, 0)), atB.arrivals);
        assertEquals(1, atB.flushes, "one flush per delivery batch");
        assertTrue(atA.arrivals.isEmpty(), "nothing comes back");
        assertEquals(1, w.a().counters().delivered());
        assertEquals(0, w.b().counters().frames(), "the other direction is untouched");
    }

    @Test
    void backToBackFramesArePacedByTheRateWithoutRoundingDrift() {
        // 3 Gbit/s: a 1514-byte frame takes 4101.33 ns; three back to back end at exactly 12304 ns.
        Wire w = wire(new LinkModel(3_000_000_000L, 0, 1 << 20));
        send(w.a(), 1514, 1, 0);
        send(w.a(), 1514, 2, 0);
        send(w.a(), 1514, 3, 0);
        assertEquals(12_304, w.a().txReadyAt(0));
        List<Long> arrivals = new ArrayList<>();
        for (long next = w.a().poll(0); next != Long.MAX_VALUE; next = w.a().poll(next)) {
            arrivals.add(next);
        }
        assertEquals(List.of(4_101L, 8_202L, 12_304L), arrivals);
        assertEquals(arrivals, atB.arrivals.stream().map(Arrival::nowNs).toList());
    }

    @Test
    void senderThatHonoursTxReadyAtSeesTheSamePacing() {
        Wire w = wire(new LinkModel(100_000_000L, 5_000, 1 << 20));
        long now = 0;
        for (int i = 0; i < 5; i++) {
            now = w.a().txReadyAt(now);
            send(w.a(), 100, i, now);
        }
        // 124 bytes at 100 Mbit/s = 9920 ns each.
        assertEquals(5 * 9_920, w.a().txReadyAt(now));
        for (long next = w.a().poll(0); next != Long.MAX_VALUE; next = w.a().poll(next)) {
            assertTrue(next > 0);
        }
        assertEquals(List.of(14_920L, 24_840L, 34_760L, 44_680L, 54_600L),
                atB.arrivals.stream().map(Arrival::nowNs).toList());
        assertEquals(List.of(0, 1, 2, 3, 4), atB.arrivals.stream().map(Arrival::tag).toList(), "in order");
    }

    @Test
    void queueLimitDropsAndCounts() {
        // Each 1514-byte frame takes 1552 bytes of the line: two fit in 4096, a third does not.
        Wire w = wire(new LinkModel(1_000_000_000L, 1_000_000, 4096));
        assertEquals(FrameSink.OK, send(w.a(), 1514, 1, 0));
        assertEquals(FrameSink.OK, send(w.a(), 1514, 2, 0));
        long busy = w.a().txReadyAt(0);
        assertEquals(FrameSink.DROP_BACKEND, send(w.a(), 1514, 3, 0));
        assertEquals(busy, w.a().txReadyAt(0), "a dropped frame does not occupy the line");
        assertEquals(1, w.a().counters().dropped());
        assertEquals(3, w.a().counters().frames());
        assertEquals(2, w.a().framesInFlight());
        w.a().poll(2_000_000);
        assertEquals(2, atB.arrivals.size());
        assertEquals(FrameSink.OK, send(w.a(), 1514, 4, 2_000_000), "room again once delivered");
    }

    @Test
    void delayLineWrapsAroundKeepingOrderAndBytes() {
        Wire w = wire(new LinkModel(0, 10, 5000));
        int tag = 0;
        long now = 0;
        for (int round = 0; round < 200; round++) {
            int length = 60 + (round * 397) % 1400;
            assertEquals(FrameSink.OK, send(w.a(), length, tag++ & 0xFF, now));
            if (round % 2 == 1) {
                now += 10;
                w.a().poll(now);
            }
        }
        w.a().poll(now + 10);
        assertEquals(200, atB.arrivals.size());
        for (int i = 0; i < 200; i++) {
            assertEquals(i & 0xFF, atB.arrivals.get(i).tag());
            assertEquals(60 + (i * 397) % 1400, atB.arrivals.get(i).length());
        }
        assertEquals(0, w.a().counters().dropped());
    }

    @Test
    void headerTravelsWithTheFrame() {
        Wire w = wire(new LinkModel(0, 1, 4096));
        MemorySegment hdr = MemorySegment.ofArray(new byte[VirtioNet.HDR_SIZE]);
        hdr.set(ValueLayout.JAVA_BYTE, 0, (byte) VirtioNet.HDR_F_NEEDS_CSUM);
        w.b().accept(hdr, frame(60, 9), 0, 60, 0);
        w.b().poll(1);
        assertEquals(new Arrival(1, 60, 9, VirtioNet.HDR_F_NEEDS_CSUM), atA.arrivals.getFirst());
    }

    @Test
    void unlimitedLinkPassesFramesThroughWithoutCopy() {
        Wire w = wire(LinkModel.UNLIMITED);
        MemorySegment f = frame(60, 5);
        w.a().accept(HDR, f, 0, 60, 7);
        assertSame(f, atB.segments.getFirst(), "the sender's own memory reaches the receiver");
        assertEquals(0, atB.flushes);
        w.a().flush(7);
        assertEquals(1, atB.flushes);
        assertEquals(7, w.a().txReadyAt(7));
        assertEquals(Long.MAX_VALUE, w.a().poll(7));
    }

    @Test
    void modelWithoutQueueLimitIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new LinkModel(1_000, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LinkModel(-1, 0, 0));
        assertThrows(IllegalStateException.class, () -> wire(LinkModel.UNLIMITED).a().connect(atA));
    }

    @Test
    void deviceLeavesChainsInItsRingWhileTheLineIsBusy() {
        Wire w = Wire.create(new LinkModel(10_000_000L, 0, 1 << 20));
        w.b().connect(atB);
        try (GuestMemory guest = GuestMemory.allocate(8 << 20)) {
            VirtioNetDevice device = new VirtioNetDevice(guest, VirtioNetDevice.Config.defaults(), w.a());
            VirtioNetDriver driver = VirtioNetDriver.attach(device, guest, VirtioNetDriver.Config.defaults());
            for (int i = 0; i < 3; i++) {
                driver.txSubmit(driver.txAcquire(), 1000, -1, 0);
            }
            driver.flush();
            assertEquals(1, device.pollTx(0, 64), "one frame, then the line is busy");
            long ready = (1000 + 24) * 8 * 100;     // 819,200 ns at 10 Mbit/s
            assertEquals(ready, device.txReadyAt(0));
            assertEquals(1, driver.reclaimTx());
            assertEquals(0, device.pollTx(ready - 1, 64));
            assertEquals(1, device.pollTx(ready, 64));
            assertEquals(1, device.pollTx(2 * ready, 64));
            assertEquals(Long.MAX_VALUE, device.txReadyAt(2 * ready), "nothing left to send");
            device.setStatus(0);
        }
    }
}
