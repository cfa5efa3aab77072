package io.virtaio.virtio.queue.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A heap twin of one direction of a split virtqueue (the driver publishing {@code avail.idx}, the device popping
 * and re-enabling notifications), with the access modes of {@code SplitQueueDriver.publish},
 * {@code SplitQueueDevice.pop} and {@code SplitQueueDevice.enableNotifications}: plain slot stores, a release
 * store of the index, an acquire load of it, a plain event store, and a full fence before each cross read. The
 * used direction is the same protocol with the roles swapped. Lincheck sees fields and VarHandles, not
 * MemorySegments, hence the twin.
 *
 * <p>A {@link Variant} other than {@code CORRECT} plants one bug, so the tests can show that the checks catch it.
 */
final class RingTwin {
    enum Variant {
        CORRECT,
        /** The driver releases the index before writing the slot it covers. */
        INDEX_BEFORE_SLOT,
        /** The device enables notifications and sleeps without re-checking the ring. */
        NO_RECHECK,
        /** The device re-checks the ring, then enables notifications. */
        RECHECK_BEFORE_ENABLE,
        /** Neither side fences between its store and its cross read (sequential consistency cannot tell). */
        NO_FENCE
    }

    static final int SIZE = 4;
    private static final VarHandle IDX;
    private static final VarHandle EVENT;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(int[].class);

    static {
        try {
            IDX = MethodHandles.lookup().findVarHandle(RingTwin.class, "availIdx", int.class);
            EVENT = MethodHandles.lookup().findVarHandle(RingTwin.class, "availEvent", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Variant variant;
    final int[] slots = new int[SIZE];
    /** avail.idx: written by the driver with release, read by the device with acquire. */
    int availIdx;
    /** avail_event: written plainly by the device, read plainly by the driver after its fence. */
    int availEvent;
    // Private shadows.
    private int driverNext;
    int deviceNext;

    RingTwin(Variant variant, boolean notificationsInitiallyOn) {
        this.variant = variant;
        // With EVENT_IDX, "off" is an avail_event the index has already passed (as disableNotifications writes).
        this.availEvent = notificationsInitiallyOn ? 0 : 0xFFFF;
    }

    /** SplitQueueDriver.add + publish for one chain: returns true iff the driver kicks. */
    boolean publish(int value) {
        int old = driverNext;
        int now = (old + 1) & 0xFFFF;
        if (variant == Variant.INDEX_BEFORE_SLOT) {
            IDX.setRelease(this, now);
            SLOTS.set(slots, old & (SIZE - 1), value);
        } else {
            SLOTS.set(slots, old & (SIZE - 1), value);
            // Release: the device that acquires the index must see the slot.
            IDX.setRelease(this, now);
        }
        driverNext = now;
        if (variant != Variant.NO_FENCE) {
            // Full fence: the index store before the avail_event load (store→load).
            VarHandle.fullFence();
        }
        return needsEvent((int) EVENT.get(this), now, old); // plain, as mem.get(LE16, availEventOff)
    }

    /** SplitQueueDevice.pop: the slot's value, or -1 when nothing is available. */
    int pop() {
        // Acquire: the slot written before the driver's release of the index.
        int idx = (int) IDX.getAcquire(this);
        if (idx == deviceNext) {
            return -1;
        }
        int v = (int) SLOTS.get(slots, deviceNext & (SIZE - 1));
        deviceNext = (deviceNext + 1) & 0xFFFF;
        return v;
    }

    /** SplitQueueDevice.enableNotifications: true iff chains are already waiting (so do not sleep). */
    boolean enableNotifications() {
        switch (variant) {
            case NO_RECHECK -> {
                EVENT.set(this, deviceNext); // plain, as mem.set(LE16, availEventOff, ...)
                return false;
            }
            case RECHECK_BEFORE_ENABLE -> {
                boolean pending = (int) IDX.getAcquire(this) != deviceNext;
                EVENT.set(this, deviceNext); // plain, as mem.set(LE16, availEventOff, ...)
                return pending;
            }
            default -> {
                EVENT.set(this, deviceNext); // plain, as mem.set(LE16, availEventOff, ...)
                if (variant != Variant.NO_FENCE) {
                    // Full fence: the avail_event store before the re-read of the index (store→load).
                    VarHandle.fullFence();
                }
                return (int) IDX.getAcquire(this) != deviceNext;
            }
        }
    }

    /** True iff something published has not been popped. */
    boolean pending() {
        return (int) IDX.getAcquire(this) != deviceNext;
    }

    /** The spec's formula, as SplitQueueLayout.needsEvent. */
    static boolean needsEvent(int event, int newIdx, int oldIdx) {
        return ((newIdx - event - 1) & 0xFFFF) < ((newIdx - oldIdx) & 0xFFFF);
    }
}
