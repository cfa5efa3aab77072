package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.backend.LoopbackBackend;
import io.virtaio.virtio.net.DeviceCounters.Drop;
import io.virtaio.virtio.net.VirtioNet;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.mem.GuestMemory;
import io.virtaio.virtio.queue.Violation;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Device faults against a real device and driver on a loopback: each detected, counted and recovered from. */
class DeviceFaultsTest {
    static final long US = 1_000;
    static final long MS = 1_000_000;

    /** 10 frames every 100 µs from 0 to {@code untilNs}, polling in between; returns frames received. */
    static long traffic(DeviceRig rig, long fromNs, long untilNs) {
        long before = rig.received;
        for (long t = fromNs; t < untilNs; t += 100 * US) {
            rig.poll(t);
            rig.send(10);
            rig.poll(t);
        }
        rig.poll(untilNs);
        return rig.received - before;
    }

    @Test
    void deviceNeedsResetInTheMiddleOfTrafficIsDetectedAndTheDriverRecovers() {
        try (DeviceRig rig = new DeviceRig(DeviceFaultPlan.NONE.needsResetAt(1 * MS), 1)) {
            long before = traffic(rig, 0, 1 * MS);
            assertEquals(100, before);
            long after = traffic(rig, 1 * MS, 2 * MS);
            assertTrue(rig.lastResetReason.contains("fault injection: DEVICE_NEEDS_RESET"), rig.lastResetReason);
            assertEquals(1, rig.device.counters().needsReset());
            assertEquals(1, rig.driver.counters().resets());
            assertEquals(1, rig.faults.counters().get("needs_reset"));
            assertTrue(after >= 90, "traffic resumed: " + after + " of 100 (frames in flight are lost)");
            assertTrue(rig.faults.configChanges().delivered() >= 1, "announced by a config change (§2.1.2)");
        }
    }

    @Test
    void rxStarvationDropsWhatArrivesInTheWindowAndNothingElse() {
        try (DeviceRig rig = new DeviceRig(DeviceFaultPlan.NONE.rxStarvation(1 * MS, 500 * US), 1)) {
            long received = traffic(rig, 0, 3 * MS);
            long starved = rig.device.counters().drops(Drop.RX_NO_BUFFER);
            assertEquals(50, starved, "5 rounds of 10 frames in the window");
            assertEquals(300 - 50, received);
            assertTrue(!rig.device.rxStarved());
        }
    }

    @Test
    void aLinkFlapDropsBothWaysAndAnnouncesItself() {
        try (DeviceRig rig = new DeviceRig(DeviceFaultPlan.NONE.linkDown(1 * MS, 300 * US), 1)) {
            long received = traffic(rig, 0, 2 * MS);
            assertEquals(30, rig.device.counters().drops(Drop.TX_LINK_DOWN));
            assertEquals(200 - 30, received);
            assertEquals(2, rig.device.counters().configChanges(), "down and up (§5.1.4.2)");
            assertEquals(VirtioNet.S_LINK_UP, rig.device.configStatus());
        }
    }

    @ParameterizedTest
    @CsvSource({
        "0, USED_ID_OUT_OF_RANGE,    receiveq1: USED_ID_OUT_OF_RANGE",
        "0, USED_LEN_TOO_LARGE,      receiveq1: USED_LEN_TOO_LARGE",
        "0, USED_IDX_JUMP,           receiveq1: USED_IDX_JUMP",
        // Nothing outstanding on the transmit queue between passes: any used element is an index jump first.
        "1, USED_ID_OUT_OF_RANGE,    transmitq1: USED_IDX_JUMP",
        "1, USED_IDX_JUMP,           transmitq1: USED_IDX_JUMP",
        "1, AVAIL_IDX_JUMP,          device: transmitq1 broken: AVAIL_IDX_JUMP",
        "1, AVAIL_HEAD_OUT_OF_RANGE, device: transmitq1 broken: HEAD_OUT_OF_RANGE",
        "1, DESCRIPTOR_LOOP,         device: transmitq1 broken: CHAIN_TOO_LONG",
        "0, AVAIL_HEAD_OUT_OF_RANGE, device: receiveq1 broken: HEAD_OUT_OF_RANGE",
        "0, DESCRIPTOR_LOOP,         device: receiveq1 broken: CHAIN_TOO_LONG",
        // No receive-queue index jump: the device reads avail.idx once per batch (a queue of 256 buffers lasts
        // ~26 rounds here) and the driver republishes its own index every round, so the jump is overwritten before
        // the device could see it — to the device no jump happened. The transmit case above and HostileRingTest
        // cover the rule.
    })
    void hostileRingContentsAreCaughtByTheOtherSideAndAResetRecovers(int queue, RingSaboteur.Kind kind,
                                                                    String reason) {
        try (DeviceRig rig = new DeviceRig(DeviceFaultPlan.NONE.sabotage(1 * MS, queue, kind), 1)) {
            traffic(rig, 0, 1 * MS);
            long after = traffic(rig, 1 * MS, 3 * MS);
            assertEquals(1, rig.faults.saboteur().count(kind));
            assertTrue(rig.lastResetReason != null && rig.lastResetReason.startsWith(reason),
                    "reset because: " + rig.lastResetReason);
            assertEquals(1, rig.driver.counters().resets());
            assertTrue(after >= 180, "traffic resumed after the reset: " + after + " of 200");
            assertEquals(0, rig.device.counters().internalErrors(), "a violation, handled — nothing thrown");
            // The counters name the rule, on the side that checked it, and keep it across the reset.
            Violation rule = Violation.valueOf(reason.substring(reason.lastIndexOf(' ') + 1));
            Map<String, Long> checker = rule.checkedByDevice() ? rig.device.counters().toMap()
                    : rig.driver.counters().toMap();
            assertEquals(1L, checker.get("violation_" + rule.key()), checker::toString);
            assertEquals(1, rule.checkedByDevice() ? rig.device.counters().violations(rule)
                    : rig.driver.counters().violations(rule));
        }
    }

    /** A loopback that takes no frame from {@code fromNs} until {@code untilNs}, as a backed-up link would. */
    static Backend busyBetween(long fromNs, long untilNs) {
        LoopbackBackend loop = new LoopbackBackend();
        return new Backend() {
            @Override
            public void connect(FrameSink toDevice) {
                loop.connect(toDevice);
            }

            @Override
            public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
                return loop.accept(hdr, frame, frameOff, frameLen, nowNs);
            }

            @Override
            public void flush(long nowNs) {
                loop.flush(nowNs);
            }

            @Override
            public long txReadyAt(long nowNs) {
                return nowNs >= fromNs && nowNs < untilNs ? untilNs : nowNs;
            }
        };
    }

    @Test
    void aTransmitAvailRingLieWaitsUntilTheDeviceWouldReadItBeforeTheDriverOverwritesIt() {
        // While the backend is busy the device takes no chain and reads no avail.idx; the driver keeps publishing
        // its own index over whatever is there. A jump written then would vanish without a trace.
        DeviceFaultPlan plan = DeviceFaultPlan.NONE.sabotage(1 * MS, 1, RingSaboteur.Kind.AVAIL_IDX_JUMP);
        try (DeviceRig rig = new DeviceRig(plan, 1, busyBetween(500 * US, 1500 * US))) {
            traffic(rig, 0, 1 * MS + 200 * US);
            assertEquals(0, rig.faults.saboteur().count(RingSaboteur.Kind.AVAIL_IDX_JUMP), "held back");
            traffic(rig, 1 * MS + 200 * US, 3 * MS);
            assertEquals(1, rig.faults.saboteur().count(RingSaboteur.Kind.AVAIL_IDX_JUMP));
            assertTrue(rig.lastResetReason != null
                    && rig.lastResetReason.startsWith("device: transmitq1 broken: AVAIL_IDX_JUMP"),
                    "reset because: " + rig.lastResetReason);
            assertEquals(1, rig.device.counters().violations(Violation.AVAIL_IDX_JUMP));
        }
    }

    @Test
    void spuriousAndDuplicatedInterruptsAreHarmless() {
        DeviceFaultPlan plan = DeviceFaultPlan.NONE
                .withInterrupts(new NotificationFaults(0, 0.5, 0, 0, 20 * US))
                .withKicks(new NotificationFaults(0, 0.5, 0, 0, 20 * US));
        try (DeviceRig rig = new DeviceRig(plan, 3)) {
            long received = traffic(rig, 0, 5 * MS);
            assertEquals(500, received);
            assertTrue(rig.faults.interrupts().spurious() > 100, "spurious: " + rig.faults.interrupts().spurious());
            assertTrue(rig.faults.interrupts().duplicated() > 0);
            assertEquals(0, rig.driver.counters().resets());
            assertTrue(rig.interrupts >= rig.faults.interrupts().spurious(), "they did reach the driver's handler");
        }
    }

    @Test
    void theFaultyDoorbellsStandInFrontOfTheDevicesOnceTheDriverIsUp() {
        try (DeviceRig rig = new DeviceRig(DeviceFaultPlan.NONE.withInterrupts(NotificationFaults.lossOf(1)), 1)) {
            rig.poll(0);
            assertSame(rig.faults.interrupts(), rig.device.usedBuffersDoorbell());
            assertSame(rig.faults.configChanges(), rig.device.configChangeDoorbell());
            assertSame(rig.faults.kicks(), rig.device.kickListener());
            traffic(rig, 0, 1 * MS);
            assertEquals(0, rig.interrupts, "every interrupt lost");
            assertEquals(100, rig.received, "a polling driver does not need them");
            assertTrue(rig.faults.interrupts().lost() > 0);
        }
    }

    @Test
    void deviceFaultsMustBeTheDevicesOwnBackend() {
        DeviceFaults faults = new DeviceFaults(new LoopbackBackend(), DeviceFaultPlan.NONE, 1);
        assertThrows(IllegalArgumentException.class, () -> faults.connect(new StageRig.Recorder()));
        try (GuestMemory guest = GuestMemory.allocate(1 << 20)) {
            new VirtioNetDevice(guest, VirtioNetDevice.Config.defaults(), faults);
            assertThrows(IllegalStateException.class,
                    () -> new VirtioNetDevice(guest, VirtioNetDevice.Config.defaults(), faults));
        }
    }

    @Test
    void aResetBehindTheDriversBackIsDetectedAndRecovered() {
        try (DeviceRig rig = new DeviceRig(DeviceFaultPlan.NONE.resetAt(1 * MS), 1)) {
            traffic(rig, 0, 1 * MS);
            long after = traffic(rig, 1 * MS, 3 * MS);
            assertEquals(1, rig.faults.counters().get("reset"));
            assertTrue(rig.lastResetReason != null && rig.lastResetReason.contains("DRIVER_OK"),
                    "reset because: " + rig.lastResetReason);
            assertTrue(after >= 180, "traffic resumed: " + after + " of 200");
        }
    }
}
