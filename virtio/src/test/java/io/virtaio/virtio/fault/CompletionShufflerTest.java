package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Transmit completions late and out of order (virtio 1.2 §2.7.8): the driver takes every buffer back. */
class CompletionShufflerTest {
    static final long US = 1_000;

    @Test
    void completionsComeBackLateAndOutOfOrderAndEveryBufferReturns() {
        DeviceFaultPlan plan = DeviceFaultPlan.NONE.shuffleCompletions(0, Long.MAX_VALUE / 2,
                new DeviceFaultPlan.CompletionShuffle(256, 200 * US));
        try (DeviceRig rig = new DeviceRig(plan, 7)) {
            long t = 0;
            long sent = 0;
            rig.poll(t);
            for (int round = 0; round < 2000; round++) {
                sent += rig.send(8);
                long next = rig.poll(t);
                t = Math.min(next, t + 20 * US);
            }
            // Each held completion has its own due time: poll at each deadline until all are back.
            for (int i = 0; i < 10_000 && rig.driver.counters().txCompleted() < sent; i++) {
                t = Math.min(rig.poll(t), t + 50 * US);
            }
            CompletionShuffler s = rig.faults.shuffler();
            assertEquals(sent, rig.driver.counters().txCompleted(), "every transmit buffer came back; " + s.held()
                    + " held, " + rig.faults.counters() + " " + rig.device.counters() + " t " + t + " next "
                    + s.nextReleaseNs());
            assertEquals(sent, s.deferred() + s.declinedFull());
            assertTrue(s.outOfOrder() > sent / 4, "out of order: " + s.outOfOrder() + " of " + sent);
            assertEquals(sent, rig.received, "the frames themselves went out at once, in order, and looped back");
            assertTrue(!rig.driver.needsReset(), "out-of-order completion is legal: no violation");
        }
    }

    @Test
    void outsideItsWindowTheShufflerTakesNothingAndAResetForgetsWhatItHeld() {
        DeviceFaultPlan plan = DeviceFaultPlan.NONE.shuffleCompletions(1000 * US, 1000 * US,
                new DeviceFaultPlan.CompletionShuffle(256, 1_000_000 * US));
        try (DeviceRig rig = new DeviceRig(plan, 7)) {
            rig.poll(0);
            rig.send(4);
            rig.poll(0);
            CompletionShuffler s = rig.faults.shuffler();
            assertEquals(0, s.deferred(), "before the window: completed at once");
            assertEquals(4, rig.driver.counters().txCompleted());
            rig.poll(1000 * US);
            rig.send(4);
            rig.poll(1000 * US);
            assertEquals(4, s.held(), "held for up to 1000 s");
            rig.device.signalNeedsReset("test");
            rig.poll(1001 * US);
            assertEquals(0, s.held());
            assertEquals(4, s.dropped(), "the reset forgot them; the driver re-initialized and took its buffers back");
            assertEquals(1, rig.driver.counters().resets());
            assertTrue(rig.send(256) > 200, "transmit buffers are free again");
        }
    }
}
