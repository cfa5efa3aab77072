package io.virtaio.virtio.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.net.VirtioNet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The handoff of inbound frames from a backend's own thread to the polling thread. */
class InboundHandoffTest {
    /** A backend whose deliveries the test makes, from whatever thread it likes. */
    static final class Source implements Backend {
        FrameSink sink;
        int accepted;
        long features = -1;
        boolean closed;

        @Override
        public void connect(FrameSink toDevice) {
            sink = toDevice;
        }

        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            accepted++;
            return OK;
        }

        @Override
        public void flush(long nowNs) {
        }

        @Override
        public void featuresNegotiated(long f) {
            features = f;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A device that records what it got: the sequence number in each frame's first 8 bytes, and the thread. */
    static final class Device implements FrameSink {
        final List<Long> sequence = new ArrayList<>();
        final List<Integer> flags = new ArrayList<>();
        Thread thread;
        int flushes;
        int bad;

        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            thread = Thread.currentThread();
            long seq = frame.get(ValueLayout.JAVA_LONG_UNALIGNED, frameOff);
            for (int i = 8; i < frameLen; i++) {
                if (frame.get(ValueLayout.JAVA_BYTE, frameOff + i) != (byte) (seq + i)) {
                    bad++;
                    break;
                }
            }
            sequence.add(seq);
            flags.add((int) hdr.get(ValueLayout.JAVA_BYTE, VirtioNet.HDR_FLAGS));
            return OK;
        }

        @Override
        public void flush(long nowNs) {
            flushes++;
        }
    }

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment hdr = arena.allocate(VirtioNet.HDR_SIZE);
    private final MemorySegment frame = arena.allocate(1514);

    private int offer(FrameSink to, long seq, int length) {
        frame.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
        for (int i = 8; i < length; i++) {
            frame.set(ValueLayout.JAVA_BYTE, i, (byte) (seq + i));
        }
        hdr.set(ValueLayout.JAVA_BYTE, VirtioNet.HDR_FLAGS, (byte) (seq & 1));
        return to.accept(hdr, frame, 0, length, 0);
    }

    @Test
    void framesFromAnotherThreadReachTheDeviceOnThePollingThreadInOrderAndIntact() throws Exception {
        Source source = new Source();
        InboundHandoff handoff = new InboundHandoff(source, 64, 1514);
        Device device = new Device();
        AtomicInteger rings = new AtomicInteger();
        handoff.setWakeup(rings::incrementAndGet);
        handoff.connect(device);
        int total = 20_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread producer = Thread.ofPlatform().start(() -> {
            try {
                for (long seq = 0; seq < total; ) {
                    int batchEnd = (int) Math.min(total, seq + 1 + seq % 37);
                    for (; seq < batchEnd; seq++) {
                        // A full ring refuses; this producer, unlike a TAP reader, retries until it is taken.
                        while (offer(source.sink, seq, 60 + (int) (seq % 1400)) != FrameSink.OK) {
                            Thread.onSpinWait();
                        }
                    }
                    source.sink.flush(0);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        while (device.sequence.size() < total && failure.get() == null) {
            handoff.poll(0);
        }
        producer.join();
        assertEquals(null, failure.get());
        assertEquals(total, device.sequence.size());
        for (int i = 0; i < total; i++) {
            if (device.sequence.get(i) != i || device.flags.get(i) != (i & 1)) {
                throw new AssertionError("frame " + i + " arrived as " + device.sequence.get(i));
            }
        }
        assertEquals(0, device.bad, "frame bytes intact");
        assertSame(Thread.currentThread(), device.thread, "delivered by the polling thread");
        BackendCounters c = handoff.counters();
        assertEquals(total, c.delivered());
        assertEquals(c.frames(), c.delivered() + c.dropped(), "every offer is delivered or dropped");
        assertTrue(rings.get() > 0 && rings.get() <= c.frames(), "rung per batch: " + rings.get());
        assertEquals(0, handoff.pending());
    }

    @Test
    void aFullRingDropsAndCountsThenTakesFramesAgainOnceDrained() {
        Source source = new Source();
        InboundHandoff handoff = new InboundHandoff(source, 4, 1514);
        Device device = new Device();
        handoff.connect(device);
        for (int i = 0; i < 4; i++) {
            assertEquals(FrameSink.OK, offer(source.sink, i, 100));
        }
        assertEquals(FrameSink.DROP_NO_BUFFER, offer(source.sink, 4, 100));
        assertEquals(4, handoff.pending());
        assertEquals(Long.MAX_VALUE, handoff.poll(0), "nothing timed to do afterwards");
        assertEquals(List.of(0L, 1L, 2L, 3L), device.sequence);
        assertEquals(1, device.flushes, "one flush per poll that delivered");
        assertEquals(FrameSink.OK, offer(source.sink, 5, 100), "room again");
        handoff.poll(0);
        assertEquals(List.of(0L, 1L, 2L, 3L, 5L), device.sequence);
        assertEquals(6, handoff.counters().frames());
        assertEquals(1, handoff.counters().dropped());
        assertEquals(5, handoff.counters().delivered());
        assertEquals(2, handoff.counters().batches());
    }

    @Test
    void aSenderWaitingForASlotIsRungOnceThePollingThreadFreedSome() {
        Source source = new Source();
        InboundHandoff handoff = new InboundHandoff(source, 2, 1514);
        Device device = new Device();
        handoff.connect(device);
        offer(source.sink, 0, 100);
        offer(source.sink, 1, 100);
        assertEquals(FrameSink.DROP_NO_BUFFER, offer(source.sink, 2, 100));
        AtomicInteger rings = new AtomicInteger();
        assertFalse(source.sink.notifyWhenRoom(rings::incrementAndGet), "full: wait");
        handoff.poll(0);
        assertEquals(1, rings.get(), "slots freed: the waiting sender is told");
        assertEquals(FrameSink.OK, offer(source.sink, 2, 100), "offered again, taken");
        handoff.poll(0);
        assertEquals(1, rings.get(), "rung once per wait");
        assertEquals(List.of(0L, 1L, 2L), device.sequence);
        assertTrue(source.sink.notifyWhenRoom(rings::incrementAndGet), "room now: offer at once");
    }

    @Test
    void aFrameLargerThanASlotIsDropped() {
        Source source = new Source();
        InboundHandoff handoff = new InboundHandoff(source, 4, 100);
        handoff.connect(new Device());
        assertEquals(FrameSink.DROP_TOO_BIG, offer(source.sink, 1, 101));
        assertEquals(FrameSink.OK, offer(source.sink, 2, 100));
        assertEquals(1, handoff.counters().dropped());
    }

    @Test
    void theWakeupRingsOnceForABatchAndNotForAnEmptyOne() {
        Source source = new Source();
        InboundHandoff handoff = new InboundHandoff(source, 8, 1514);
        AtomicInteger rings = new AtomicInteger();
        handoff.setWakeup(rings::incrementAndGet);
        handoff.connect(new Device());
        offer(source.sink, 1, 100);
        offer(source.sink, 2, 100);
        offer(source.sink, 3, 100);
        assertEquals(0, rings.get(), "frames are announced at the end of the batch");
        source.sink.flush(0);
        assertEquals(1, rings.get());
        source.sink.flush(0);
        assertEquals(1, rings.get(), "an empty batch rings nothing");
    }

    @Test
    void theTransmitSideAndTheControlCallsPassStraightThrough() {
        Source source = new Source();
        InboundHandoff handoff = new InboundHandoff(source, 8, 1514);
        handoff.connect(new Device());
        assertEquals(FrameSink.OK, handoff.accept(hdr, frame, 0, 60, 0));
        assertEquals(1, source.accepted);
        handoff.featuresNegotiated(42);
        assertEquals(42, source.features);
        handoff.close();
        assertTrue(source.closed);
        assertThrows(IllegalArgumentException.class, () -> new InboundHandoff(source, 3, 1514));
        assertThrows(IllegalArgumentException.class, () -> new InboundHandoff(source, 8, 59));
        assertThrows(IllegalStateException.class, () -> handoff.connect(new Device()));
    }
}
