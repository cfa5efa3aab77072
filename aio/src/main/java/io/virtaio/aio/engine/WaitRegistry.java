package io.virtaio.aio.engine;

import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The threads blocked in an interruptible wait of one runtime ({@code aio_suspend}, {@code lio_listio(LIO_WAIT)}),
 * oldest first, so that an emulated signal can interrupt one of them with EINTR as a real signal interrupts the
 * thread it is delivered to. Touched only when a thread starts or ends such a wait and when a signal is delivered,
 * never on the completion path.
 */
public final class WaitRegistry {
    private final ConcurrentLinkedDeque<Waiter> waiting = new ConcurrentLinkedDeque<>();

    /** Registers {@code w} for a new wait. */
    public void enter(Waiter w) {
        w.begin();
        waiting.addLast(w);
    }

    public void exit(Waiter w) {
        waiting.removeFirstOccurrence(w);
    }

    /**
     * Interrupts the longest-waiting thread that is not already interrupted.
     *
     * @return true if a thread was interrupted
     */
    public boolean interruptOne(int signo) {
        for (Waiter w : waiting) {
            if (w.interrupt(signo)) {
                return true;
            }
        }
        return false;
    }

    /** Interrupts {@code thread}'s wait, if it is in one. */
    public boolean interrupt(Thread thread, int signo) {
        for (Waiter w : waiting) {
            if (w.thread() == thread && w.interrupt(signo)) {
                return true;
            }
        }
        return false;
    }

    /** Threads currently waiting. */
    public int size() {
        return waiting.size();
    }
}
