package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.backend.FrameSink;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MTU, partitions and the stage's own bounds. */
class LinkImpairmentsTest {
    static final long MS = 1_000_000;

    @Test
    void framesOverTheMtuAreDroppedAndCounted() {
        StageRig rig = new StageRig("mtu=1400", 1);
        rig.send(0, Packets.raw(1414, 1));
        rig.send(0, Packets.raw(1415, 2));
        rig.deliver(0, Packets.raw(1415, 3));
        rig.deliver(0, Packets.raw(60, 4));
        assertEquals(List.of(1), rig.inner.out.tags());
        assertEquals(List.of(4), rig.device.tags());
        assertEquals(1, rig.tx().faults(FaultKind.OVERSIZE));
        assertEquals(1, rig.rx().faults(FaultKind.OVERSIZE));
    }

    @Test
    void aDownWindowDropsBothDirectionsForItsDuration() {
        StageRig rig = new StageRig("down=1ms+2ms", 1);
        for (int i = 0; i < 5; i++) {
            rig.send(i * MS, Packets.raw(60, i));
            rig.deliver(i * MS, Packets.raw(60, 10 + i));
        }
        assertEquals(List.of(0, 3, 4), rig.inner.out.tags());
        assertEquals(List.of(10, 13, 14), rig.device.tags());
        assertEquals(2, rig.tx().faults(FaultKind.DOWN));
        assertEquals(2, rig.rx().faults(FaultKind.DOWN));
    }

    @Test
    void aOneWayPartitionSilencesOneDirectionOnly() {
        StageRig rig = new StageRig("rx.down", 1);
        for (int i = 0; i < 5; i++) {
            assertEquals(FrameSink.OK, rig.send(i, Packets.raw(60, i)));
            assertEquals(FrameSink.OK, rig.deliver(i, Packets.raw(60, 10 + i)), "a network drop is silent");
        }
        assertEquals(5, rig.inner.out.frames.size());
        assertEquals(0, rig.device.frames.size());
        assertEquals(5, rig.rx().faults(FaultKind.DOWN));
    }

    @Test
    void framesInFlightWhenAPartitionStartsAreLostWithIt() {
        StageRig rig = new StageRig("delay=5ms,down=2ms+1s", 1);
        rig.send(0, Packets.raw(60, 1));
        rig.runUntil(10 * MS);
        assertEquals(List.of(), rig.inner.out.tags());
        assertEquals(1, rig.tx().faults(FaultKind.DOWN));
        assertEquals(0, rig.stage.held(Direction.EGRESS));
    }

    @Test
    void memoryStaysBoundedWhateverThePlanHolds() {
        // A 10 s delay with 64 slots: the 65th frame finds the store full and is dropped, counted.
        StageRig rig = new StageRig(FaultPlan.parse("delay=10s"), 1,
                FaultStage.Options.defaults().withHoldSlots(64));
        for (int i = 0; i < 1000; i++) {
            int r = rig.send(i * 1000L, Packets.raw(60, i));
            assertEquals(i < 64 ? FrameSink.OK : FrameSink.DROP_BACKEND, r, "frame " + i);
            assertTrue(rig.stage.held(Direction.EGRESS) <= 64);
        }
        assertEquals(936, rig.tx().faults(FaultKind.STORE_FULL));
        assertEquals(936L, rig.stage.toMap().get("tx.store_full"));
        assertEquals(64L, rig.stage.toMap().get("held.tx"));
        assertEquals(0L, rig.stage.toMap().get("rx.frames_in"));
        rig.runUntil(20_000 * MS);
        assertEquals(64, rig.inner.out.frames.size());
        assertEquals(0, rig.stage.held(Direction.EGRESS));
    }

    @Test
    void aFrameLargerThanASlotIsDroppedOnlyIfItMustBeHeld() {
        StageRig rig = new StageRig(FaultPlan.parse("rx.delay=1ms"), 1,
                FaultStage.Options.defaults().withMaxFrameBytes(1000));
        rig.send(0, Packets.raw(1500, 1));
        rig.deliver(0, Packets.raw(1500, 2));
        rig.runUntil(5 * MS);
        assertEquals(List.of(1), rig.inner.out.tags(), "egress holds nothing: passes without a copy");
        assertEquals(List.of(), rig.device.tags());
        assertEquals(1, rig.rx().faults(FaultKind.STORE_FULL));
    }

    @Test
    void hostileFramesNeverThrowOutOfTheStage() {
        StageRig rig = new StageRig(FaultPlan.parse("corrupt=100%:8:payload,dup=100%,[tcp nth=1]{reorder=100%:1}"), 1);
        assertEquals(FrameSink.OK, rig.deliver(0, new byte[0]), "an empty frame: nothing to flip");
        assertEquals(FrameSink.DROP_BACKEND, rig.send(0, Packets.udp(1, 2, 2000, 1)),
                "larger than the stage's buffers and to be damaged: dropped, counted");
        assertEquals(1, rig.tx().faults(FaultKind.STORE_FULL));
        byte[] truncated = java.util.Arrays.copyOf(Packets.tcp(Packets.A, 1, Packets.B, 2, 0, 0, 100, 3), 40);
        rig.send(0, truncated);
        byte[] garbage = new byte[200];
        new java.util.SplittableRandom(1).nextBytes(garbage);
        garbage[12] = 0x08;
        garbage[13] = 0x00;
        for (int i = 0; i < 1000; i++) {
            garbage[14 + i % 100] = (byte) i;
            rig.send(i, garbage);
            rig.deliver(i, garbage);
        }
        rig.runUntil(1_000 * MS);
        assertEquals(0, rig.stage.held(Direction.EGRESS));
    }

    @Test
    void aFrameHeldOnTheIngressSideWakesThePoller() {
        StageRig rig = new StageRig("rx.delay=1ms", 1);
        int[] rings = {0};
        rig.stage.setWakeup(() -> rings[0]++);
        rig.deliver(0, Packets.raw(60, 1));
        assertEquals(1, rings[0], "the deadline of our last poll did not know about this frame");
        assertEquals(MS, rig.stage.poll(0));
        rig.send(0, Packets.raw(60, 2));
        assertEquals(1, rings[0], "egress frames are held during our own poll: no wake-up needed");
    }

    @Test
    void flushesReachTheReceiverOncePerBatchAndOnlyWhenSomethingWentThrough() {
        StageRig rig = new StageRig("rx.delay=1ms", 1);
        rig.deliver(0, Packets.raw(60, 1));
        assertEquals(0, rig.device.flushes, "nothing handed on yet");
        rig.deliver(10, Packets.raw(60, 2));
        rig.runUntil(MS + 10);
        assertEquals(List.of(1, 2), rig.device.tags());
        assertEquals(2, rig.device.flushes, "one flush per poll that released frames");
        rig.send(0, Packets.raw(60, 3));
        assertEquals(1, rig.inner.out.flushes);
    }
}
