package io.virtaio.virtio.net;

import static io.virtaio.virtio.Virtio.STATUS_ACKNOWLEDGE;
import static io.virtaio.virtio.Virtio.STATUS_DEVICE_NEEDS_RESET;
import static io.virtaio.virtio.Virtio.STATUS_DRIVER;
import static io.virtaio.virtio.Virtio.STATUS_DRIVER_OK;
import static io.virtaio.virtio.Virtio.STATUS_FAILED;
import static io.virtaio.virtio.Virtio.STATUS_FEATURES_OK;
import static io.virtaio.virtio.Virtio.bit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.Virtio;
import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.backend.LoopbackBackend;
import io.virtaio.virtio.mem.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VirtioNetDeviceInitTest {
    private static final int DRIVER_STATUS = STATUS_ACKNOWLEDGE | STATUS_DRIVER;
    private static final int FEATURES_STATUS = DRIVER_STATUS | STATUS_FEATURES_OK;
    private static final int RUNNING = FEATURES_STATUS | STATUS_DRIVER_OK;

    private final GuestMemory guest = GuestMemory.allocate(8 << 20);

    @AfterEach
    void close() {
        guest.close();
    }

    private VirtioNetDevice device(VirtioNetDevice.Config config) {
        return new VirtioNetDevice(guest, config, new LoopbackBackend());
    }

    private static void toDriver(VirtioNetDevice d) {
        d.setStatus(0);
        d.setStatus(STATUS_ACKNOWLEDGE);
        d.setStatus(DRIVER_STATUS);
    }

    @Test
    void attachRunsTheInitializationSequence() {
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults());
        assertEquals(0, d.status(), "a new device is in reset");
        VirtioNetDriver driver = VirtioNetDriver.attach(d, guest, VirtioNetDriver.Config.defaults());
        assertEquals(RUNNING, d.status());
        assertEquals(VirtioNetDriver.Config.DEFAULT_FEATURES, driver.features());
        assertEquals(driver.features(), d.negotiatedFeatures());
        assertEquals(1500, driver.mtu());
        assertEquals(VirtioNetDevice.Config.DEFAULT_MAC, driver.mac());
        assertFalse(driver.needsReset());
    }

    @Test
    void driverAcceptsOnlyOfferedFeaturesAndTheirDependencies() {
        long offered = VirtioNetDevice.Config.SUPPORTED & ~bit(VirtioNet.F_CSUM) & ~bit(Virtio.F_EVENT_IDX);
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults().withFeatures(offered));
        VirtioNetDriver driver = VirtioNetDriver.attach(d, guest, VirtioNetDriver.Config.defaults());
        assertEquals(VirtioNetDriver.Config.DEFAULT_FEATURES & offered, driver.features());
        assertFalse(driver.has(VirtioNet.F_CSUM));
        assertEquals(-1, VirtioNetDriver.attach(device(VirtioNetDevice.Config.defaults()), guest,
                VirtioNetDriver.Config.defaults().withFeatures(bit(Virtio.F_VERSION_1))).mac(), "MAC not negotiated");
        // A wanted feature whose dependency is not wanted is dropped before FEATURES_OK (§5.1.3.1).
        assertEquals(bit(Virtio.F_VERSION_1), NetFeatures.closeUnderDependencies(bit(Virtio.F_VERSION_1)
                | bit(VirtioNet.F_HOST_TSO4) | bit(VirtioNet.F_HOST_ECN)));
    }

    @Test
    void featureNotOfferedLeavesFeaturesOkClear() {
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults()
                .withFeatures(VirtioNetDevice.Config.SUPPORTED & ~bit(VirtioNet.F_CSUM)));
        toDriver(d);
        d.setDriverFeatures(bit(Virtio.F_VERSION_1) | bit(VirtioNet.F_CSUM));
        d.setStatus(FEATURES_STATUS);
        assertEquals(DRIVER_STATUS, d.status(), "§3.1.1 step 6: FEATURES_OK not set");
        assertTrue(d.refusalReason().contains("did not offer: CSUM"), d.refusalReason());
        assertEquals(0, d.negotiatedFeatures());
        assertEquals(1, d.counters().featuresRefused());
    }

    @Test
    void missingDependencyLeavesFeaturesOkClear() {
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults());
        toDriver(d);
        d.setDriverFeatures(bit(Virtio.F_VERSION_1) | bit(VirtioNet.F_GUEST_TSO4));
        d.setStatus(FEATURES_STATUS);
        assertEquals(DRIVER_STATUS, d.status());
        assertTrue(d.refusalReason().contains("GUEST_TSO4 requires GUEST_CSUM"), d.refusalReason());
        assertEquals("MQ requires CTRL_VQ (virtio 1.2 §5.1.3.1)",
                NetFeatures.refusal(bit(Virtio.F_VERSION_1) | bit(VirtioNet.F_MQ), -1L));
        assertEquals("HOST_ECN requires HOST_TSO4 or HOST_TSO6 (virtio 1.2 §5.1.3.1)",
                NetFeatures.refusal(bit(Virtio.F_VERSION_1) | bit(VirtioNet.F_CSUM) | bit(VirtioNet.F_HOST_ECN), -1L));
    }

    @Test
    void missingVersion1LeavesFeaturesOkClear() {
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults());
        toDriver(d);
        d.setDriverFeatures(bit(VirtioNet.F_MAC));
        d.setStatus(FEATURES_STATUS);
        assertEquals(DRIVER_STATUS, d.status());
        assertTrue(d.refusalReason().contains("VERSION_1"), d.refusalReason());
    }

    @Test
    void driverSetsFailedWhenFeaturesAreRefused() {
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> VirtioNetDriver.attach(d, guest,
                VirtioNetDriver.Config.defaults().withFeatures(bit(VirtioNet.F_MAC))));
        assertTrue(e.getMessage().contains("VERSION_1"), e.getMessage());
        assertEquals(DRIVER_STATUS | STATUS_FAILED, d.status());
        d.setStatus(RUNNING);
        assertEquals(DRIVER_STATUS | STATUS_FAILED, d.status(), "after FAILED only a reset is accepted");
        d.setStatus(0);
        assertEquals(0, d.status());
    }

    @Test
    void outOfOrderStatusWritesAreIgnored() {
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults());
        d.setStatus(STATUS_DRIVER);
        assertEquals(0, d.status(), "DRIVER without ACKNOWLEDGE");
        toDriver(d);
        d.setDriverFeatures(VirtioNetDevice.Config.SUPPORTED);
        d.setStatus(DRIVER_STATUS | STATUS_DRIVER_OK);
        assertEquals(DRIVER_STATUS, d.status(), "DRIVER_OK without FEATURES_OK");
        assertTrue(d.refusalReason().contains("DRIVER_OK without FEATURES_OK"), d.refusalReason());
        d.setStatus(STATUS_ACKNOWLEDGE);
        assertEquals(DRIVER_STATUS, d.status(), "clearing DRIVER");
        d.setStatus(DRIVER_STATUS | STATUS_DEVICE_NEEDS_RESET);
        assertEquals(DRIVER_STATUS, d.status(), "DEVICE_NEEDS_RESET belongs to the device");
        assertEquals(3, d.counters().statusWritesIgnored());
        d.setStatus(FEATURES_STATUS);
        assertEquals(FEATURES_STATUS, d.status());
        assertThrows(IllegalStateException.class, () -> d.setDriverFeatures(0), "features fixed after FEATURES_OK");
    }

    @Test
    void queuesCanBeSetOnlyBetweenFeaturesOkAndDriverOk() {
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults());
        toDriver(d);
        assertThrows(IllegalStateException.class, () -> d.setQueue(0, 16, 0, 0, 0));
        d.setDriverFeatures(bit(Virtio.F_VERSION_1));
        d.setStatus(FEATURES_STATUS);
        assertThrows(IllegalArgumentException.class, () -> d.setQueue(2, 16, 0, 0, 0), "no control queue");
        assertThrows(IllegalArgumentException.class, () -> d.setQueue(0, 24, 0, 0, 0), "not a power of two");
        assertThrows(IllegalArgumentException.class, () -> d.setQueue(0, 512, 0, 0, 0), "above the maximum");
        assertEquals(256, d.queueMaxSize(1));
        assertEquals(0, d.queueMaxSize(2));
    }

    @Test
    void ringOutsideGuestMemorySetsNeedsResetAtDriverOk() {
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults());
        AtomicInteger configChanges = new AtomicInteger();
        d.setInterruptHandlers(() -> { }, configChanges::incrementAndGet);
        toDriver(d);
        d.setDriverFeatures(bit(Virtio.F_VERSION_1));
        d.setStatus(FEATURES_STATUS);
        long inside = guest.reserve(4096, 64);
        d.setQueue(0, 16, inside, inside + 1024, inside + 2048);
        d.setQueue(1, 16, guest.base() + guest.size(), inside + 1024, inside + 2048);
        d.setStatus(RUNNING);
        assertEquals(RUNNING | STATUS_DEVICE_NEEDS_RESET, d.status());
        assertTrue(d.needsResetReason().startsWith("transmitq1: descriptor table"), d.needsResetReason());
        assertEquals(FrameSink.DROP_NOT_READY, d.accept(MemorySegment.ofArray(new byte[12]),
                MemorySegment.ofArray(new byte[60]), 0, 60, 0));
        assertEquals(0, d.pollTx(0, 64));

        d.setStatus(0);
        toDriver(d);
        d.setDriverFeatures(bit(Virtio.F_VERSION_1));
        d.setStatus(FEATURES_STATUS);
        d.setQueue(1, 16, inside + 8, inside + 1024, inside + 2048);
        d.setStatus(RUNNING);
        assertTrue(d.needsResetReason().contains("not aligned to 16"), d.needsResetReason());
    }

    @ParameterizedTest
    @ValueSource(ints = {STATUS_ACKNOWLEDGE, DRIVER_STATUS, FEATURES_STATUS, RUNNING,
            RUNNING | STATUS_DEVICE_NEEDS_RESET, DRIVER_STATUS | STATUS_FAILED})
    void resetFromEveryStatusForgetsEverythingAndTheDeviceWorksAgain(int reached) {
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults());
        VirtioNetDriver driver = VirtioNetDriver.attach(d, guest, VirtioNetDriver.Config.defaults());
        d.setStatus(0);
        toDriver(d);
        if ((reached & STATUS_FEATURES_OK) != 0) {
            d.setDriverFeatures(driver.features());
            d.setStatus(FEATURES_STATUS);
        }
        if ((reached & STATUS_DRIVER_OK) != 0) {
            d.setStatus(RUNNING);
        }
        if ((reached & STATUS_DEVICE_NEEDS_RESET) != 0) {
            d.signalNeedsReset("test");
        }
        if ((reached & STATUS_FAILED) != 0) {
            d.setStatus(DRIVER_STATUS | STATUS_FAILED);
        }
        int expected = reached == STATUS_ACKNOWLEDGE ? DRIVER_STATUS : reached;
        assertEquals(expected, d.status());

        d.setStatus(0);
        assertEquals(0, d.status());
        assertEquals(0, d.negotiatedFeatures());
        assertNull(d.needsResetReason());
        assertNull(d.refusalReason());
        // Queues forgotten: DRIVER_OK without setting them up again leaves the device without rings.
        toDriver(d);
        d.setDriverFeatures(driver.features());
        d.setStatus(FEATURES_STATUS);
        d.setStatus(RUNNING);
        assertEquals(RUNNING, d.status());
        assertEquals(FrameSink.DROP_NOT_READY, d.accept(MemorySegment.ofArray(new byte[12]),
                MemorySegment.ofArray(new byte[60]), 0, 60, 0));

        driver.reinitialize();
        assertEquals(RUNNING, d.status());
        int[] got = new int[1];
        assertEquals(0, driver.txSubmit(driver.txAcquire(), 60, -1, 0));
        driver.flush();
        d.pollTx(0, 64);
        driver.receive((region, off, len, flags) -> got[0] = len, 64);
        assertEquals(60, got[0], "a frame goes round the loopback after re-initialization");
    }

    @Test
    void configSpaceFollowsTheLayoutOfSection514() {
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults().withMac(0x5254_0012_3456L).withMtu(9000));
        int[] mac = new int[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = d.readConfig(VirtioNet.CONFIG_MAC + i, 1);
        }
        assertEquals("[82, 84, 0, 18, 52, 86]", java.util.Arrays.toString(mac), "52:54:00:12:34:56");
        assertEquals(0x5452, d.readConfig(0, 2), "little-endian composition of mac[0..1]");
        assertEquals(VirtioNet.S_LINK_UP, d.readConfig(VirtioNet.CONFIG_STATUS, 2));
        assertEquals(9000, d.readConfig(VirtioNet.CONFIG_MTU, 2));
        assertEquals(0, d.readConfig(VirtioNet.CONFIG_MAX_VIRTQUEUE_PAIRS, 2), "exists only with MQ");
        assertEquals(0, d.readConfig(VirtioNet.CONFIG_SPEED, 4), "exists only with SPEED_DUPLEX");
        assertEquals(0, d.readConfig(VirtioNet.CONFIG_DUPLEX, 1));
        assertThrows(IllegalArgumentException.class, () -> d.readConfig(16, 2));
        assertThrows(IllegalArgumentException.class, () -> d.readConfig(0, 3));

        VirtioNetDevice bare = device(VirtioNetDevice.Config.defaults().withFeatures(bit(Virtio.F_VERSION_1)));
        assertEquals(0, bare.readConfig(0, 4), "mac exists only with VIRTIO_NET_F_MAC");
        assertEquals(0, bare.readConfig(VirtioNet.CONFIG_STATUS, 2), "status exists only with STATUS");
        assertEquals(0, bare.readConfig(VirtioNet.CONFIG_MTU, 2), "mtu exists only with MTU");
    }

    @Test
    void linkChangeNotifiesAndBumpsTheGeneration() {
        AtomicInteger configChanges = new AtomicInteger();
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults());
        VirtioNetDriver driver = VirtioNetDriver.attach(d, guest,
                VirtioNetDriver.Config.defaults().withOnInterrupt(configChanges::incrementAndGet));
        int generation = d.configGeneration();
        d.setLinkUp(false);
        assertEquals(0, d.configStatus());
        assertEquals(0, d.readConfig(VirtioNet.CONFIG_STATUS, 2));
        assertEquals(generation + 1, d.configGeneration());
        assertEquals(1, configChanges.get());
        d.setLinkUp(false);
        assertEquals(1, configChanges.get(), "no change, no notification");

        driver.txSubmit(driver.txAcquire(), 60, -1, 0);
        driver.flush();
        d.pollTx(0, 64);
        assertEquals(1, d.counters().drops(DeviceCounters.Drop.TX_LINK_DOWN));
        assertEquals(1, driver.reclaimTx(), "a chain sent while the link is down is still completed");
        d.setLinkUp(true);
        assertEquals(VirtioNet.S_LINK_UP, d.configStatus());
    }

    @Test
    void needsResetIsSignalledOnceWithItsFirstReason() {
        AtomicInteger configChanges = new AtomicInteger();
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults());
        VirtioNetDriver driver = VirtioNetDriver.attach(d, guest,
                VirtioNetDriver.Config.defaults().withOnInterrupt(configChanges::incrementAndGet));
        d.signalNeedsReset("first");
        d.signalNeedsReset("second");
        assertEquals("first", d.needsResetReason());
        assertEquals(1, configChanges.get(), "§2.1.2: a configuration change notification");
        assertTrue(driver.needsReset());
        assertEquals("device: first", driver.resetReason());
        driver.reinitialize();
        assertFalse(driver.needsReset());
        assertNull(driver.resetReason());
        assertEquals(1, driver.counters().resets());
        assertNotNull(d.counters().toMap().get("needs_reset"));
        assertEquals(1L, d.counters().toMap().get("needs_reset"));
    }

    @Test
    void resetFromInsideTheDataPathIsRefused() {
        VirtioNetDevice d = device(VirtioNetDevice.Config.defaults());
        IllegalStateException[] seen = new IllegalStateException[1];
        VirtioNetDriver driver = VirtioNetDriver.attach(d, guest, VirtioNetDriver.Config.defaults());
        d.setInterruptHandlers(() -> {
            try {
                d.setStatus(0);
            } catch (IllegalStateException e) {
                seen[0] = e;
            }
        }, () -> { });
        driver.enableInterrupts();
        driver.txSubmit(driver.txAcquire(), 60, -1, 0);
        driver.flush();
        d.pollTx(0, 64);
        assertNotNull(seen[0], "a doorbell that resets the device from its own data path is rejected");
        assertEquals(RUNNING, d.status());
    }
}
