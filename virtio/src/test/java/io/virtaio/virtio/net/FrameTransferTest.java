package io.virtaio.virtio.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.LinkModel;
import io.virtaio.virtio.backend.Wire;
import io.virtaio.virtio.mem.GuestMemory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Numbered frames of every size go through loopback and wire and come out intact and in order. */
class FrameTransferTest {
    /** Checks frames as they arrive: frame k must be the k-th sent. */
    static final class Checker implements VirtioNetDriver.RxHandler {
        final int min;
        final int max;
        final AtomicLong received = new AtomicLong();
        final AtomicReference<String> error = new AtomicReference<>();

        Checker(int min, int max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public void onFrame(java.lang.foreign.MemorySegment region, long off, int len, int flags) {
            long k = received.get();
            String e = TestFrames.check(region, off, len, k, TestFrames.length(k, min, max));
            if (e != null) {
                error.compareAndSet(null, e);
            }
            received.set(k + 1);
        }
    }

    /** Sends up to {@code window} frames ahead of what the peer has received: no receive buffer ever runs out. */
    static long sendSome(VirtioNetDriver driver, long next, long total, Checker peer, int window, int min, int max) {
        long k = next;
        while (k < total && k - peer.received.get() < window) {
            int id = driver.txAcquire();
            if (id < 0) {
                break;
            }
            int length = TestFrames.length(k, min, max);
            TestFrames.write(driver.region(), driver.txFrameOffset(id), k, length);
            assertEquals(0, driver.txSubmit(id, length, -1, 0));
            k++;
        }
        driver.flush();
        return k;
    }

    @Test
    void loopbackCarriesThousandsOfFramesOfEverySizeInOrder() {
        try (Rig rig = Rig.loopback()) {
            Checker checker = new Checker(14, 1514);
            long total = 5000;
            long sent = 0;
            while (checker.received.get() < total) {
                sent = sendSome(rig.driver, sent, total, checker, 200, 14, 1514);
                rig.device.pollTx(0, 64);
                rig.driver.receive(checker, 64);
            }
            assertNull(checker.error.get());
            assertEquals(total, rig.device.counters().rxFrames());
            assertEquals(0, rig.device.counters().drops());
            assertEquals(rig.device.counters().txBytes(), rig.driver.counters().rxBytes());
            assertEquals(total, rig.driver.counters().txFrames());
        }
    }

    @Test
    void loopbackWithA64KiBMtuCarriesFramesUpTo65549Bytes() {
        VirtioNetDevice.Config big = VirtioNetDevice.Config.defaults().withMtu(65535);
        try (Rig rig = new Rig(16 << 20, big, VirtioNetDriver.Config.defaults().withQueueSizes(32, 32),
                new io.virtaio.virtio.backend.LoopbackBackend())) {
            assertEquals(65535, rig.driver.mtu());
            assertEquals(65549, rig.driver.txFrameCapacity());
            Checker checker = new Checker(14, 65549);
            long total = 400;
            long sent = 0;
            while (checker.received.get() < total) {
                sent = sendSome(rig.driver, sent, total, checker, 16, 14, 65549);
                rig.device.pollTx(0, 64);
                rig.driver.receive(checker, 64);
            }
            assertNull(checker.error.get());
            assertEquals(0, rig.device.counters().drops());
        }
    }

    /** One side of a two-thread run: owns its driver and its device's transmit path, as a stack's loop does. */
    private static void runSide(VirtioNetDriver driver, VirtioNetDevice device, Backend backend, Checker mine,
                                Checker peers, long total) {
        long sent = 0;
        long spins = 0;
        // Stops when interrupted, so a timed-out run does not leave a thread spinning in the test JVM.
        // Until the peer has everything too: this side's device must keep transmitting what its driver queued.
        while ((mine.received.get() < total || peers.received.get() < total)
                && !Thread.currentThread().isInterrupted()) {
            sent = sendSome(driver, sent, total, peers, 128, 14, 1514);
            int work = device.pollTx(System.nanoTime(), 64);
            backend.poll(System.nanoTime());
            work += driver.receive(mine, 64);
            driver.reclaimTx();
            if (work == 0 && ++spins % 64 == 0) {
                Thread.onSpinWait();
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void wireCarriesBothDirectionsAtOnceOnTwoThreads() throws Exception {
        Wire wire = Wire.create(LinkModel.UNLIMITED);
        try (GuestMemory ga = GuestMemory.allocate(8 << 20); GuestMemory gb = GuestMemory.allocate(8 << 20)) {
            VirtioNetDevice a = new VirtioNetDevice(ga, VirtioNetDevice.Config.defaults(), wire.a());
            VirtioNetDevice b = new VirtioNetDevice(gb, VirtioNetDevice.Config.defaults()
                    .withMac(0x02_00_00_00_00_02L), wire.b());
            VirtioNetDriver da = VirtioNetDriver.attach(a, ga, VirtioNetDriver.Config.defaults());
            VirtioNetDriver db = VirtioNetDriver.attach(b, gb, VirtioNetDriver.Config.defaults());
            Checker atA = new Checker(14, 1514);
            Checker atB = new Checker(14, 1514);
            long total = 20_000;
            // Platform threads of our own: the common pool may have a single thread on a small machine.
            ExecutorService loops = Executors.newFixedThreadPool(2);
            try {
                Future<?> sideA = loops.submit(() -> runSide(da, a, wire.a(), atA, atB, total));
                Future<?> sideB = loops.submit(() -> runSide(db, b, wire.b(), atB, atA, total));
                sideA.get(50, TimeUnit.SECONDS);
                sideB.get(50, TimeUnit.SECONDS);
            } finally {
                loops.shutdownNow();
            }
            assertNull(atA.error.get());
            assertNull(atB.error.get());
            assertEquals(total, atA.received.get());
            assertEquals(total, atB.received.get());
            assertEquals(0, a.counters().drops() + b.counters().drops());
            assertEquals(total, wire.a().counters().delivered());
            assertEquals(total, wire.b().counters().delivered());
            a.setStatus(0);
            b.setStatus(0);
        }
    }

    @Test
    void modelledWireDeliversEverythingInOrderInVirtualTime() {
        Wire wire = Wire.create(LinkModel.DEFAULT);
        try (GuestMemory ga = GuestMemory.allocate(8 << 20); GuestMemory gb = GuestMemory.allocate(8 << 20)) {
            VirtioNetDevice a = new VirtioNetDevice(ga, VirtioNetDevice.Config.defaults(), wire.a());
            VirtioNetDevice b = new VirtioNetDevice(gb, VirtioNetDevice.Config.defaults(), wire.b());
            VirtioNetDriver da = VirtioNetDriver.attach(a, ga, VirtioNetDriver.Config.defaults());
            VirtioNetDriver db = VirtioNetDriver.attach(b, gb, VirtioNetDriver.Config.defaults());
            Checker atA = new Checker(14, 1514);
            Checker atB = new Checker(14, 1514);
            long total = 3000;
            long sentA = 0;
            long sentB = 0;
            long now = 0;
            while (atA.received.get() < total || atB.received.get() < total) {
                sentA = sendSome(da, sentA, total, atB, 128, 14, 1514);
                sentB = sendSome(db, sentB, total, atA, 128, 14, 1514);
                a.pollTx(now, 64);
                b.pollTx(now, 64);
                long next = Math.min(wire.a().poll(now), wire.b().poll(now));
                db.receive(atB, 64);
                da.receive(atA, 64);
                da.reclaimTx();
                db.reclaimTx();
                // Jump to the next thing that can happen: a frame arriving or the line freeing up.
                next = Math.min(next, Math.min(a.txReadyAt(now), b.txReadyAt(now)));
                now = Math.max(now + 1, next == Long.MAX_VALUE ? now + 1 : next);
            }
            assertNull(atA.error.get());
            assertNull(atB.error.get());
            assertEquals(0, a.counters().drops() + b.counters().drops());
            // 3000 frames of ~764 bytes average at 1 Gbit/s take milliseconds, not less.
            long bits = (wire.a().counters().bytes() + 24 * total) * 8;
            assertEquals(true, now >= bits, "virtual time " + now + " ns covers the serialization of " + bits
                    + " bits");
            a.setStatus(0);
            b.setStatus(0);
        }
    }
}
