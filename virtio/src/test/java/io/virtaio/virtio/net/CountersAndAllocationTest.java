package io.virtaio.virtio.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.backend.LoopbackBackend;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class CountersAndAllocationTest {
    private long received;
    private final VirtioNetDriver.RxHandler handler = (region, off, len, flags) -> received++;

    /** One steady-state round: 32 frames out, through the device and back in. */
    private void round(Rig rig) {
        for (int i = 0; i < 32; i++) {
            int id = rig.driver.txAcquire();
            rig.driver.txSubmit(id, 60 + i, -1, 0);
        }
        rig.driver.flush();
        rig.device.pollTx(0, 64);
        rig.driver.receive(handler, 64);
        rig.driver.reclaimTx();
    }

    @Test
    void countersAddUpAfterTraffic() {
        LoopbackBackend loop = new LoopbackBackend();
        try (Rig rig = new Rig(8 << 20, VirtioNetDevice.Config.defaults(), VirtioNetDriver.Config.defaults(), loop)) {
            rig.driver.enableInterrupts();
            for (int r = 0; r < 10; r++) {
                round(rig);
            }
            long bytes = 10 * (32 * 60 + 31 * 32 / 2);
            DeviceCounters d = rig.device.counters();
            assertEquals(320, d.txFrames());
            assertEquals(320, d.txChains());
            assertEquals(bytes, d.txBytes());
            assertEquals(320, d.rxFrames());
            assertEquals(bytes, d.rxBytes());
            assertEquals(0, d.drops());
            assertTrue(d.kicks() >= 1 && d.kicks() <= 10, "kicks: " + d.kicks());
            assertTrue(d.rxInterrupts() >= 1, "the driver asked for interrupts");
            DriverCounters v = rig.driver.counters();
            assertEquals(320, v.txFrames());
            assertEquals(320, v.txCompleted());
            assertEquals(320, v.rxFrames());
            assertEquals(bytes, v.rxBytes());
            assertEquals(320, loop.counters().frames());
            assertEquals(320, loop.counters().delivered());
            assertEquals(10, loop.counters().batches());
            Map<String, Long> m = d.toMap();
            assertEquals(320L, m.get("rx_frames"));
            assertEquals(0L, m.get("drop_tx_runt"), "stable keys: zeros included");
            assertEquals(320L, v.toMap().get("tx_completed"));
            assertEquals(320L, loop.counters().toMap().get("delivered"));
            assertEquals(320, received);
        }
    }

    @Test
    void txAcquireCountsWhenEveryBufferIsBusy() {
        try (Rig rig = Rig.loopback(VirtioNetDevice.Config.defaults(),
                VirtioNetDriver.Config.defaults().withQueueSizes(16, 4))) {
            for (int i = 0; i < 4; i++) {
                rig.driver.txSubmit(rig.driver.txAcquire(), 60, -1, 0);
            }
            assertEquals(-1, rig.driver.txAcquire());
            assertEquals(1, rig.driver.counters().drops(DriverCounters.Drop.TX_NO_BUFFER));
            rig.driver.flush();
            rig.device.pollTx(0, 64);
            assertTrue(rig.driver.txAcquire() >= 0, "reclaimed on demand");
        }
    }

    @Test
    void steadyStateTrafficAllocatesNothing() {
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs the HotSpot per-thread allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Rig rig = Rig.loopback()) {
            for (int r = 0; r < 20_000; r++) {
                round(rig);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < 2_000; r++) {
                round(rig);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(0, allocated, "bytes allocated by 64,000 frames through driver, device and loopback");
        }
    }
}
