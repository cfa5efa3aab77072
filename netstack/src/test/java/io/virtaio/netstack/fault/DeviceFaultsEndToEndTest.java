package io.virtaio.netstack.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.sim.Simulation;
import io.virtaio.virtio.fault.DeviceFaultPlan;
import io.virtaio.virtio.fault.FaultPlan;
import io.virtaio.virtio.fault.NotificationFaults;
import io.virtaio.virtio.fault.RingSaboteur;
import io.virtaio.virtio.net.VirtioNet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Virtio-level faults under two real stacks in virtual time: the driver detects, the stack re-initializes the
 * device, traffic resumes, counters tell the story, and nothing hangs or throws out of a poll.
 */
class DeviceFaultsEndToEndTest {
    static final long US = 1_000;
    static final long MS = 1_000_000;
    static final long LIMIT = 10_000 * MS;

    static FaultyPair pair(DeviceFaultPlan onA, DeviceFaultPlan onB, long seed) {
        return new FaultyPair(FaultPlan.NONE, onA, FaultPlan.NONE, onB, seed, 50 * US);
    }

    /** 400 datagrams A to B, one every 50 µs (20 ms), 5 ms to drain. */
    static Traffic stream(FaultyPair p) {
        Traffic t = new Traffic(p, 400, 50 * US, 5 * MS);
        assertEquals(Simulation.Outcome.DONE, p.sim.run(t, LIMIT), "the run ended by itself, not by a hang");
        assertEquals(List.of(), t.damaged);
        return t;
    }

    @Test
    void everyNotificationLostStillCannotHangTheSimulation() {
        // Kicks, interrupts and config changes all lost, on both hosts. The simulation re-enables notifications
        // and re-checks the rings before it lets a host sleep (virtio 1.2 §2.7.7.2), which finds the work.
        NotificationFaults all = NotificationFaults.lossOf(1);
        DeviceFaultPlan deaf = DeviceFaultPlan.NONE.withKicks(all).withInterrupts(all).withConfigChanges(all);
        try (FaultyPair p = pair(deaf, deaf, 1)) {
            Traffic t = stream(p);
            assertEquals(400, t.received.size(), "nothing lost: notifications carry no data");
            assertTrue(p.devB.interrupts().lost() > 100, "B's interrupts: " + p.devB.interrupts().lost());
            assertEquals(0, p.devB.interrupts().delivered());
            assertEquals(p.devA.kicks().rings(), p.devA.kicks().lost(), "the few kicks there were (EVENT_IDX)");
        }
    }

    @Test
    void delayedDuplicatedAndSpuriousNotificationsAreHarmless() {
        DeviceFaultPlan noisy = DeviceFaultPlan.NONE
                .withInterrupts(new NotificationFaults(0.2, 0.3, 0.3, 200 * US, 100 * US))
                .withKicks(new NotificationFaults(0.2, 0.3, 0.3, 200 * US, 100 * US));
        try (FaultyPair p = pair(noisy, noisy, 2)) {
            Traffic t = stream(p);
            assertEquals(400, t.received.size());
            assertTrue(p.devB.interrupts().spurious() > 50 && p.devB.interrupts().delayed() > 50
                    && p.devB.interrupts().duplicated() > 50, p.devB.counters().toString());
            assertEquals(0, FaultyPair.counter(p.b, "stack.device_resets"));
        }
    }

    @Test
    void deviceNeedsResetInTheMiddleOfTrafficRecovers() {
        try (FaultyPair p = pair(DeviceFaultPlan.NONE, DeviceFaultPlan.NONE.needsResetAt(10 * MS), 3)) {
            Traffic t = stream(p);
            assertEquals(1, FaultyPair.counter(p.b, "dev.device.needs_reset"));
            assertEquals(1, FaultyPair.counter(p.b, "dev.driver.resets"));
            assertEquals(1, FaultyPair.counter(p.b, "stack.device_resets"));
            assertEquals(1, p.devB.counters().get("needs_reset"));
            long lost = 400 - t.received.size();
            assertTrue(lost <= 2, "at most the frames in flight at the reset are lost: " + lost);
            assertTrue(t.received.contains(399), "traffic resumed");
        }
    }

    @Test
    void aDeviceResetBehindTheDriversBackRecovers() {
        try (FaultyPair p = pair(DeviceFaultPlan.NONE.resetAt(7 * MS), DeviceFaultPlan.NONE.resetAt(13 * MS), 4)) {
            Traffic t = stream(p);
            assertEquals(1, FaultyPair.counter(p.a, "stack.device_resets"), p.a.counters() + " " + p.devA.counters());
            assertEquals(1, FaultyPair.counter(p.b, "stack.device_resets"));
            assertTrue(400 - t.received.size() <= 4, "received " + t.received.size());
            assertTrue(t.received.contains(399));
        }
    }

    @Test
    void aLostConfigChangeNotificationDoesNotLeaveAnIdleHostBrokenForever() {
        // B is idle when its device asks for a reset, and the notification that says so is lost. A starts talking
        // only later: B must have noticed by itself before sleeping, or every frame for it is dropped unseen.
        DeviceFaultPlan onB = DeviceFaultPlan.NONE.withConfigChanges(NotificationFaults.lossOf(1)).needsResetAt(1 * MS);
        try (FaultyPair p = pair(DeviceFaultPlan.NONE, onB, 5)) {
            assertEquals(Simulation.Outcome.DONE, p.sim.run(now -> now >= 5 * MS, LIMIT));
            Traffic t = stream(p);
            assertEquals(1, FaultyPair.counter(p.b, "stack.device_resets"));
            assertEquals(400, t.received.size(), "B recovered while idle: nothing lost");
            assertEquals(1, p.devB.configChanges().lost());
        }
    }

    @Test
    void transmitCompletionsOutOfOrderOnBothHosts() {
        DeviceFaultPlan shuffle = DeviceFaultPlan.NONE.shuffleCompletions(0, 1_000 * MS,
                new DeviceFaultPlan.CompletionShuffle(256, 300 * US));
        try (FaultyPair p = pair(shuffle, shuffle, 6)) {
            Traffic t = stream(p);
            assertEquals(400, t.received.size());
            Long outOfOrder = p.devA.counters().get("completions.out_of_order");
            assertTrue(outOfOrder > 100, "A's completions out of order: " + outOfOrder);
            assertEquals(0, FaultyPair.counter(p.a, "stack.device_resets"), "legal (§2.7.8): no reset");
            assertEquals(FaultyPair.counter(p.a, "dev.driver.tx_frames"),
                    FaultyPair.counter(p.a, "dev.driver.tx_completed"), "every transmit buffer came back");
        }
    }

    @Test
    void hostileRingContentsOnEitherSideAreDetectedAndRecovered() {
        DeviceFaultPlan onA = DeviceFaultPlan.NONE.sabotage(5 * MS, VirtioNet.TX_QUEUE,
                RingSaboteur.Kind.AVAIL_HEAD_OUT_OF_RANGE);
        DeviceFaultPlan onB = DeviceFaultPlan.NONE
                .sabotage(10 * MS, VirtioNet.RX_QUEUE, RingSaboteur.Kind.USED_ID_OUT_OF_RANGE)
                .sabotage(15 * MS, VirtioNet.RX_QUEUE, RingSaboteur.Kind.USED_IDX_JUMP);
        try (FaultyPair p = pair(onA, onB, 7)) {
            Traffic t = stream(p);
            assertEquals(1, FaultyPair.counter(p.a, "stack.device_resets"));
            assertEquals(1, FaultyPair.counter(p.a, "dev.device.needs_reset"), "A's device caught its bad driver");
            assertEquals(2, FaultyPair.counter(p.b, "stack.device_resets"), "B's driver caught its bad device twice");
            assertEquals(0, FaultyPair.counter(p.b, "dev.device.internal_errors"));
            assertTrue(400 - t.received.size() <= 6, "received " + t.received.size());
            assertTrue(t.received.contains(399));
        }
    }

    @Test
    void rxStarvationAndALinkFlapLoseOnlyWhatArrivesInTheirWindows() {
        DeviceFaultPlan onB = DeviceFaultPlan.NONE.rxStarvation(5 * MS, 1 * MS).linkDown(12 * MS, 2 * MS);
        try (FaultyPair p = pair(DeviceFaultPlan.NONE, onB, 8)) {
            Traffic t = stream(p);
            long starved = FaultyPair.counter(p.b, "dev.device.drop_rx_no_buffer");
            long linkDown = FaultyPair.counter(p.b, "dev.device.drop_rx_link_down");
            assertEquals(20, starved, "1 ms of a datagram every 50 µs");
            assertEquals(40, linkDown, "2 ms");
            assertEquals(400 - 60, t.received.size());
            assertEquals(2, FaultyPair.counter(p.b, "dev.device.config_changes"), "link down, link up");
            assertEquals(0, FaultyPair.counter(p.b, "stack.device_resets"), "neither needs a reset");
        }
    }
}
