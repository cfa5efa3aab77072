package io.virtaio.virtio.queue.model;

import static io.virtaio.virtio.queue.model.TsoModel.fence;
import static io.virtaio.virtio.queue.model.TsoModel.load;
import static io.virtaio.virtio.queue.model.TsoModel.store;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.queue.model.TsoModel.Instr;
import io.virtaio.virtio.queue.model.TsoModel.Outcome;
import io.virtaio.virtio.queue.model.TsoModel.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The ring's two protocols as abstract programs, every interleaving under x86-TSO ({@link TsoModel}): the fences
 * the queue code places are sufficient, and each is necessary: without either one a wakeup can be lost.
 *
 * <p>Variables: {@code SLOT} (a ring slot), {@code IDX} (avail.idx), {@code EVENT} (avail_event). The driver
 * (thread 0) publishes one chain; the device (thread 1) has notifications off, finds the ring empty or takes the
 * chain, re-enables notifications and re-checks. The used direction (used.idx / used_event) is the same program.
 */
class RingProtocolTsoTest {
    private static final int SLOT = 0;
    private static final int IDX = 1;
    private static final int EVENT = 2;
    private static final int OFF = 0xFFFF; // avail_event already passed: notifications off

    // Driver registers: r0 = avail_event read after publishing.
    // Device registers: r0 = idx seen by pop, r1 = slot read by pop, r2 = idx seen by the re-check.

    private static List<Instr> driver(boolean fence) {
        List<Instr> p = new ArrayList<>();
        p.add(store(SLOT, 42));          // ring slot (and descriptor), plain
        p.add(store(IDX, 1));            // setRelease(avail.idx): a plain store on TSO
        if (fence) {
            p.add(fence());              // VarHandle.fullFence()
        }
        p.add(load(EVENT, 0));           // avail_event, plain
        return p;
    }

    private static List<Instr> device(boolean fence, boolean recheck) {
        List<Instr> p = new ArrayList<>();
        p.add(load(IDX, 0));             // pop: getAcquire(avail.idx)
        p.add(load(SLOT, 1));            // pop: the slot (used only if idx said so)
        p.add(store(EVENT, r -> r[0]));  // enableNotifications: avail_event = nextAvail
        if (fence) {
            p.add(fence());              // VarHandle.fullFence()
        }
        if (recheck) {
            p.add(load(IDX, 2));         // re-check: getAcquire(avail.idx)
        }
        return p;
    }

    /** The device sleeps with the chain unconsumed, and the driver did not kick. */
    private static final Predicate<Outcome> LOST_WAKEUP = o -> {
        boolean consumed = o.regs1()[0] == 1;
        boolean sleeps = !consumed && o.regs1()[2] == 0;
        boolean kicked = RingTwin.needsEvent(o.regs0()[0], 1, 0);
        return sleeps && !kicked;
    };

    /** The device saw the index but not the slot it covers. */
    private static final Predicate<Outcome> STALE_SLOT = o -> o.regs1()[0] == 1 && o.regs1()[1] != 42;

    private static Result run(List<Instr> driver, List<Instr> device, Predicate<Outcome> bad) {
        Result r = TsoModel.explore(new int[] {0, 0, OFF}, driver, device, bad);
        System.out.println(r.executions() + " executions; counterexample: " + r.counterexample() + " " + r.trace());
        return r;
    }

    @Test
    void withBothFencesNoInterleavingLosesAWakeup() {
        Result r = run(driver(true), device(true, true), LOST_WAKEUP);
        assertNull(r.counterexample(), () -> "lost wakeup: " + r.counterexample() + " via " + r.trace());
        assertTrue(r.executions() > 100, "explored " + r.executions());
    }

    @Test
    void withoutTheDriversFenceAWakeupIsLost() {
        Result r = run(driver(false), device(true, true), LOST_WAKEUP);
        assertNotNull(r.counterexample(), "the publish → avail_event read reordering went unnoticed");
    }

    @Test
    void withoutTheDevicesFenceAWakeupIsLost() {
        Result r = run(driver(true), device(false, true), LOST_WAKEUP);
        assertNotNull(r.counterexample(), "the avail_event store → re-check reordering went unnoticed");
    }

    @Test
    void withoutTheReCheckAWakeupIsLost() {
        Result r = run(driver(true), device(true, false), LOST_WAKEUP);
        assertNotNull(r.counterexample());
    }

    @Test
    void aDeviceThatSeesTheIndexSeesTheSlot() {
        Result r = run(driver(true), device(true, true), STALE_SLOT);
        assertNull(r.counterexample(), () -> "stale slot: " + r.counterexample() + " via " + r.trace());
    }

    @Test
    void anIndexStoredBeforeItsSlotExposesAStaleSlot() {
        List<Instr> broken = List.of(store(IDX, 1), store(SLOT, 42), fence(), load(EVENT, 0));
        Result r = run(broken, device(true, true), STALE_SLOT);
        assertNotNull(r.counterexample());
    }
}
