package io.virtaio.virtio.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.backend.LinkModel;
import io.virtaio.virtio.backend.Wire;
import io.virtaio.virtio.mem.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Device resets from the driver's thread while the peer's thread keeps delivering into the device's receive path:
 * the reset handshake must never let a frame be written into a forgotten ring or a re-initialized one half-set-up.
 */
class ResetRaceTest {
    private static final int RESETS = 5_000;
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Frame k carries k at byte 14 and k's pattern after it, so any frame can be checked on its own. */
    private static void write(MemorySegment s, long off, long k, int length) {
        TestFrames.write(s, off, k, length);
        s.set(BE64, off + 14, k);
    }

    private static String check(MemorySegment s, long off, int length) {
        long k = s.get(BE64, off + 14);
        for (int i = 22; i < length; i++) {
            if (s.get(ValueLayout.JAVA_BYTE, off + i) != TestFrames.pattern(k, i)) {
                return "frame " + k + " of " + length + " bytes: byte " + i + " differs";
            }
        }
        return null;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void resetsWhileThePeerDeliversNeverCorruptOrBreakAnything() throws Exception {
        Wire wire = Wire.create(LinkModel.UNLIMITED);
        try (GuestMemory ga = GuestMemory.allocate(8 << 20); GuestMemory gb = GuestMemory.allocate(8 << 20)) {
            VirtioNetDevice a = new VirtioNetDevice(ga, VirtioNetDevice.Config.defaults(), wire.a());
            VirtioNetDevice b = new VirtioNetDevice(gb, VirtioNetDevice.Config.defaults(), wire.b());
            VirtioNetDriver da = VirtioNetDriver.attach(a, ga, VirtioNetDriver.Config.defaults());
            VirtioNetDriver db = VirtioNetDriver.attach(b, gb, VirtioNetDriver.Config.defaults());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<String> error = new AtomicReference<>();
            long[] received = new long[1];
            ExecutorService threads = Executors.newFixedThreadPool(1);
            try {
                Future<?> sender = threads.submit(() -> {
                    long k = 0;
                    while (!stop.get()) {
                        int id = db.txAcquire();
                        if (id >= 0) {
                            int length = TestFrames.length(k, 22, 1514);
                            write(db.region(), db.txFrameOffset(id), k++, length);
                            db.txSubmit(id, length, -1, 0);
                            db.flush();
                        }
                        b.pollTx(0, 64);
                        db.reclaimTx();
                    }
                });
                for (int reset = 0; reset < RESETS; reset++) {
                    long until = System.nanoTime() + 20_000;
                    while (System.nanoTime() < until) {
                        da.receive((region, off, len, flags) -> {
                            String e = check(region, off, len);
                            if (e != null) {
                                error.compareAndSet(null, e);
                            }
                            received[0]++;
                        }, 64);
                    }
                    assertTrue(!da.needsReset(), () -> "no race may look like a driver error: " + da.resetReason());
                    da.reinitialize();
                }
                stop.set(true);
                sender.get(10, TimeUnit.SECONDS);
            } finally {
                stop.set(true);
                threads.shutdownNow();
            }
            assertNull(error.get());
            assertTrue(received[0] > 100, "frames arrived between resets: " + received[0]);
            assertEquals(0, a.counters().internalErrors());
            assertEquals(0, a.counters().needsReset());
            assertEquals(RESETS + 1, a.counters().resets());
            assertTrue(a.counters().drops(DeviceCounters.Drop.RX_NOT_READY) > 0, "some frames met a reset");
            a.setStatus(0);
            b.setStatus(0);
        }
    }
}
