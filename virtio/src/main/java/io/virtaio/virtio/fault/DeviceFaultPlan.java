package io.virtaio.virtio.fault;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a {@link DeviceFaults} does to a virtio-net device and when: timed actions on the device, notification
 * faults on its kicks, interrupts and configuration changes, and an optional window in which transmit completions
 * come back late and out of order. Times count from the {@link DeviceFaults}' start. Immutable; build it with the
 * {@code with…} methods:
 * <pre>{@code
 * DeviceFaultPlan.NONE
 *     .withInterrupts(NotificationFaults.lossOf(0.3))
 *     .needsResetAt(2 * SECOND)
 *     .rxStarvation(3 * SECOND, 50 * MS)
 *     .linkDown(4 * SECOND, 200 * MS)
 *     .shuffleCompletions(0, 10 * SECOND, new CompletionShuffle(256, 200 * US))
 *     .sabotage(6 * SECOND, VirtioNet.RX_QUEUE, RingSaboteur.Kind.USED_ID_OUT_OF_RANGE)
 * }</pre>
 *
 * @param actions       timed actions, in time order
 * @param kicks         faults on the driver's available-buffer notifications, as the device's loop receives them
 * @param interrupts    faults on the device's used-buffer notifications
 * @param configChanges faults on configuration change notifications (the one that announces DEVICE_NEEDS_RESET,
 *                      §2.1.2, and link changes, §5.1.4.2)
 * @param completions   how transmit completions are held back in {@link Action.ShuffleCompletions} windows; null if
 *                      none is planned
 */
public record DeviceFaultPlan(List<Action> actions, NotificationFaults kicks, NotificationFaults interrupts,
                              NotificationFaults configChanges, CompletionShuffle completions) {
    /** No device fault. */
    public static final DeviceFaultPlan NONE = new DeviceFaultPlan(List.of(), NotificationFaults.NONE,
            NotificationFaults.NONE, NotificationFaults.NONE, null);

    /**
     * How completions are held back in a shuffle window.
     *
     * @param capacity  most chains held at once
     * @param maxHoldNs each chain is held a uniform time in [0, maxHoldNs]
     */
    public record CompletionShuffle(int capacity, long maxHoldNs) {
        public CompletionShuffle {
            if (capacity < 1 || maxHoldNs < 0) {
                throw new IllegalArgumentException("capacity >= 1, maxHoldNs >= 0: " + capacity + ", " + maxHoldNs);
            }
        }
    }

    /** A timed action on the device. */
    public sealed interface Action {
        /** When, from the start of the {@link DeviceFaults}. */
        long atNs();

        /** The device sets DEVICE_NEEDS_RESET (§2.1.2), as on an internal error, and notifies a config change. */
        record NeedsReset(long atNs) implements Action {
        }

        /**
         * The device is reset behind the driver's back (its status written 0): what a hypervisor-side reset or a
         * surprise removal and re-plug looks like to the driver. Not something a conforming device does by itself.
         */
        record Reset(long atNs) implements Action {
        }

        /** The receive path behaves as if no buffer were posted for {@code durationNs}: frames dropped, counted. */
        record RxStarvation(long atNs, long durationNs) implements Action {
        }

        /** LINK_UP cleared for {@code durationNs}, then set again, each with a config change (§5.1.4.2). */
        record LinkDown(long atNs, long durationNs) implements Action {
        }

        /** Transmit completions deferred and permuted for {@code durationNs} (see {@link CompletionShuffler}). */
        record ShuffleCompletions(long atNs, long durationNs) implements Action {
        }

        /** A {@link RingSaboteur} write into queue {@code queue}. */
        record Sabotage(long atNs, int queue, RingSaboteur.Kind kind) implements Action {
        }
    }

    public DeviceFaultPlan {
        if (actions == null || kicks == null || interrupts == null || configChanges == null) {
            throw new IllegalArgumentException("actions and notification faults are required (NONE)");
        }
        List<Action> sorted = new ArrayList<>(actions);
        for (Action a : sorted) {
            if (a.atNs() < 0) {
                throw new IllegalArgumentException("action before the start: " + a);
            }
            long duration = switch (a) {
                case Action.RxStarvation s -> s.durationNs();
                case Action.LinkDown l -> l.durationNs();
                case Action.ShuffleCompletions c -> c.durationNs();
                default -> 1;
            };
            if (duration <= 0) {
                throw new IllegalArgumentException("a window needs a duration above 0: " + a);
            }
            if (a instanceof Action.ShuffleCompletions && completions == null) {
                throw new IllegalArgumentException("a completion shuffle window needs completions set");
            }
        }
        sorted.sort(Comparator.comparingLong(Action::atNs));
        actions = List.copyOf(sorted);
    }

    private DeviceFaultPlan with(Action a) {
        List<Action> l = new ArrayList<>(actions);
        l.add(a);
        return new DeviceFaultPlan(l, kicks, interrupts, configChanges, completions);
    }

    public DeviceFaultPlan needsResetAt(long atNs) {
        return with(new Action.NeedsReset(atNs));
    }

    public DeviceFaultPlan resetAt(long atNs) {
        return with(new Action.Reset(atNs));
    }

    public DeviceFaultPlan rxStarvation(long atNs, long durationNs) {
        return with(new Action.RxStarvation(atNs, durationNs));
    }

    public DeviceFaultPlan linkDown(long atNs, long durationNs) {
        return with(new Action.LinkDown(atNs, durationNs));
    }

    public DeviceFaultPlan sabotage(long atNs, int queue, RingSaboteur.Kind kind) {
        return with(new Action.Sabotage(atNs, queue, kind));
    }

    /** Completions deferred and permuted from {@code atNs} for {@code durationNs}, as {@code how} says. */
    public DeviceFaultPlan shuffleCompletions(long atNs, long durationNs, CompletionShuffle how) {
        if (completions != null && !completions.equals(how)) {
            throw new IllegalArgumentException("one completion shuffle configuration per plan: " + completions);
        }
        DeviceFaultPlan p = new DeviceFaultPlan(actions, kicks, interrupts, configChanges, how);
        return p.with(new Action.ShuffleCompletions(atNs, durationNs));
    }

    public DeviceFaultPlan withKicks(NotificationFaults f) {
        return new DeviceFaultPlan(actions, f, interrupts, configChanges, completions);
    }

    public DeviceFaultPlan withInterrupts(NotificationFaults f) {
        return new DeviceFaultPlan(actions, kicks, f, configChanges, completions);
    }

    public DeviceFaultPlan withConfigChanges(NotificationFaults f) {
        return new DeviceFaultPlan(actions, kicks, interrupts, f, completions);
    }
}
