package io.virtaio.netstack.time;

/**
 * One timer, owned by whoever created it and armed on one {@link TimerWheel}. Allocated once (with its handler)
 * and re-armed as often as needed: arming and cancelling are O(1) and allocate nothing.
 */
public final class Timer {
    static final int UNARMED = -1;
    static final int DUE = -2;

    final TimerHandler handler;
    long deadlineNs;
    long whenTick;
    int index = UNARMED;
    Timer prev;
    Timer next;

    public Timer(TimerHandler handler) {
        if (handler == null) {
            throw new IllegalArgumentException("handler is required");
        }
        this.handler = handler;
    }

    public boolean isArmed() {
        return index != UNARMED;
    }

    /** The deadline it was armed for; meaningless when not armed. */
    public long deadlineNs() {
        return deadlineNs;
    }
}
