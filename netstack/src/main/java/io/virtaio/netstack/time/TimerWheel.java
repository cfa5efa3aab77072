package io.virtaio.netstack.time;

/**
 * A hierarchical timing wheel (Varghese and Lauck, "Hashed and Hierarchical Timing Wheels", 1987) with O(1) arm
 * and cancel, in the layout Tokio's timer uses: six levels of 64 slots, a timer placed at the level of the most
 * significant 6-bit digit in which its tick differs from the current tick, and a 64-bit occupancy map per level
 * so that the next expiration is found without scanning.
 *
 * <p>Time is passed in ({@link #advance}), never read; a tick is {@code 2^tickShift} ns (default 1024 ns). A timer
 * never fires before its deadline and at most one tick after the first {@code advance} past it. Deadlines beyond
 * the wheel's range (2^36 ticks, about 19.5 hours at the default tick) are parked at the top level and cascade
 * until they are in range. Single-threaded; handlers may arm and cancel any timer, including their own.
 */
public final class TimerWheel {
    /** Returned by {@link #nextDeadlineNs()} when no timer is armed. */
    public static final long NEVER = Long.MAX_VALUE;
    public static final int DEFAULT_TICK_SHIFT = 10;

    private static final int SLOT_BITS = 6;
    private static final int SLOTS = 1 << SLOT_BITS;
    private static final int LEVELS = 6;
    private static final long MAX_TICKS = 1L << (SLOT_BITS * LEVELS);

    private final int tickShift;
    private final Timer[] slots = new Timer[LEVELS * SLOTS];
    private final long[] occupied = new long[LEVELS];
    private Timer due;
    /** Set by {@link #nextExpirationTick()}: where the earliest occupied slot is. */
    private int nextIndex;
    /** Every timer whose tick is at most this has fired. */
    private long elapsed;
    private int armed;

    public TimerWheel() {
        this(DEFAULT_TICK_SHIFT, 0);
    }

    /** A wheel whose tick is {@code 2^tickShift} ns, starting at {@code startNs}. */
    public TimerWheel(int tickShift, long startNs) {
        if (tickShift < 0 || tickShift > 30 || startNs < 0) {
            throw new IllegalArgumentException("tickShift in 0..30 and startNs >= 0 required");
        }
        this.tickShift = tickShift;
        this.elapsed = startNs >> tickShift;
    }

    /** Arms (or re-arms) {@code timer} for {@code deadlineNs}; a deadline already passed fires at the next advance. */
    public void arm(Timer timer, long deadlineNs) {
        if (timer.index != Timer.UNARMED) {
            unlink(timer);
        } else {
            armed++;
        }
        timer.deadlineNs = deadlineNs;
        // Round up: a timer must never fire before its deadline.
        long tick = deadlineNs >= NEVER - (1L << tickShift) ? NEVER : (deadlineNs + (1L << tickShift) - 1) >> tickShift;
        timer.whenTick = tick;
        place(timer);
    }

    /** Disarms {@code timer} if it is armed. */
    public void cancel(Timer timer) {
        if (timer.index != Timer.UNARMED) {
            unlink(timer);
            timer.index = Timer.UNARMED;
            armed--;
        }
    }

    /** Number of armed timers. */
    public int armed() {
        return armed;
    }

    private void place(Timer t) {
        if (t.whenTick <= elapsed) {
            t.index = Timer.DUE;
            t.prev = null;
            t.next = due;
            if (due != null) {
                due.prev = t;
            }
            due = t;
            return;
        }
        // Beyond the wheel's range: park it as far as the wheel reaches; it cascades again from there.
        long when = Math.min(t.whenTick, elapsed + MAX_TICKS - 1);
        int level = levelFor(elapsed, when);
        int slot = (int) ((when >>> (level * SLOT_BITS)) & (SLOTS - 1));
        int index = level * SLOTS + slot;
        t.index = index;
        t.prev = null;
        t.next = slots[index];
        if (t.next != null) {
            t.next.prev = t;
        }
        slots[index] = t;
        occupied[level] |= 1L << slot;
    }

    private static int levelFor(long elapsed, long when) {
        long masked = (elapsed ^ when) | (SLOTS - 1);
        int significant = 63 - Long.numberOfLeadingZeros(masked);
        return Math.min(significant / SLOT_BITS, LEVELS - 1);
    }

    private void unlink(Timer t) {
        if (t.prev != null) {
            t.prev.next = t.next;
        } else if (t.index == Timer.DUE) {
            due = t.next;
        } else {
            slots[t.index] = t.next;
            if (t.next == null) {
                occupied[t.index / SLOTS] &= ~(1L << (t.index % SLOTS));
            }
        }
        if (t.next != null) {
            t.next.prev = t.prev;
        }
        t.prev = null;
        t.next = null;
    }

    /**
     * The time at which {@link #advance} next has work: a lower bound, exact for near deadlines and the start of
     * a slot for far ones (where the wheel cascades). {@link #NEVER} when nothing is armed.
     */
    public long nextDeadlineNs() {
        if (due != null) {
            return elapsed << tickShift;
        }
        long tick = nextExpirationTick();
        return tick == NEVER ? NEVER : tick << tickShift;
    }

    // Tick of the earliest occupied slot, searching levels from the finest; or NEVER.
    private long nextExpirationTick() {
        for (int level = 0; level < LEVELS; level++) {
            long map = occupied[level];
            if (map == 0) {
                continue;
            }
            int shift = level * SLOT_BITS;
            int nowSlot = (int) ((elapsed >>> shift) & (SLOTS - 1));
            int slot = (Long.numberOfTrailingZeros(Long.rotateRight(map, nowSlot)) + nowSlot) & (SLOTS - 1);
            long levelRange = 1L << (shift + SLOT_BITS);
            long deadline = (elapsed & -levelRange) + ((long) slot << shift);
            if (deadline <= elapsed) {
                // Only the top level can hold a slot "behind" the current one: it belongs to the next rotation.
                deadline += levelRange;
            }
            nextIndex = level * SLOTS + slot;
            return deadline;
        }
        return NEVER;
    }

    /**
     * Fires every timer whose deadline is at most {@code nowNs}, each once, in no particular order within a tick.
     *
     * @return the number of timers fired
     */
    public int advance(long nowNs) {
        long nowTick = nowNs >> tickShift;
        int fired = 0;
        while (true) {
            if (due != null) {
                Timer t = due;
                unlink(t);
                t.index = Timer.UNARMED;
                armed--;
                t.handler.onTimer(nowNs);
                fired++;
                continue;
            }
            long tick = nextExpirationTick();
            if (tick == NEVER || tick > nowTick) {
                break;
            }
            elapsed = Math.max(elapsed, tick);
            // Re-place the slot's timers relative to the new elapsed tick: due ones join the due list, the rest
            // land on a finer level, never back in this slot, so the loop ends.
            int index = nextIndex;
            while (slots[index] != null) {
                Timer t = slots[index];
                unlink(t);
                place(t);
            }
        }
        if (nowTick > elapsed) {
            elapsed = nowTick;
        }
        return fired;
    }
}
