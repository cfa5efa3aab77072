package io.virtaio.virtio.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.Virtio;
import org.junit.jupiter.api.Test;

/** What tells the driver it must re-initialize the device, and that re-initializing brings traffic back. */
class DriverRecoveryTest {
    private long received;

    private int roundTrip(Rig rig, int frames) {
        for (int i = 0; i < frames; i++) {
            rig.sendTestFrame(i, 60);
        }
        rig.driver.flush();
        rig.device.pollTx(0, 64);
        long before = received;
        rig.driver.receive((region, off, len, flags) -> received++, 64);
        rig.driver.reclaimTx();
        return (int) (received - before);
    }

    @Test
    void aDeviceResetBehindTheDriversBackIsNoticedAndRecovered() {
        try (Rig rig = Rig.loopback()) {
            assertEquals(8, roundTrip(rig, 8));
            assertFalse(rig.driver.needsReset());
            assertNull(rig.driver.resetReason());
            // A hypervisor-side reset: status 0, queues forgotten, no DEVICE_NEEDS_RESET to say so.
            rig.device.setStatus(0);
            assertEquals(0, roundTrip(rig, 8), "a device in reset takes no buffers and completes none");
            assertTrue(rig.driver.needsReset(), "lost DRIVER_OK is a reason to reset");
            assertTrue(rig.driver.resetReason().contains("without DRIVER_OK"), rig.driver.resetReason());
            rig.driver.reinitialize();
            assertFalse(rig.driver.needsReset());
            assertTrue((rig.device.status() & Virtio.STATUS_DRIVER_OK) != 0);
            assertEquals(8, roundTrip(rig, 8), "traffic resumes; the 8 frames submitted to the reset device are lost");
        }
    }

    @Test
    void aDriverAboutToSleepIsToldThatTheDeviceNeedsAReset() {
        try (Rig rig = Rig.loopback()) {
            assertFalse(rig.driver.enableInterrupts(), "nothing to do: sleep");
            // The config change that announces it (§2.1.2) may be lost; the re-check before sleeping must see it.
            rig.device.signalNeedsReset("lost announcement");
            assertTrue(rig.driver.enableInterrupts(), "poll instead of sleeping");
            rig.driver.reinitialize();
            assertFalse(rig.driver.enableInterrupts());
            rig.device.setStatus(0);
            assertTrue(rig.driver.enableInterrupts(), "a reset behind our back announces nothing at all");
        }
    }

    @Test
    void needsResetSetByTheDeviceIsReportedWithItsReason() {
        try (Rig rig = Rig.loopback()) {
            rig.device.signalNeedsReset("test says so");
            assertTrue(rig.driver.needsReset());
            assertEquals("device: test says so", rig.driver.resetReason());
            rig.driver.reinitialize();
            assertFalse(rig.driver.needsReset());
            assertEquals(8, roundTrip(rig, 8));
        }
    }
}
