package io.virtaio.aio.engine;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads blocked in an interruptible wait of one runtime ({@code aio_suspend}, {@code lio_listio(LIO_WAIT)}),
 * oldest first, so that an emulated signal can interrupt one of them with EINTR as a real signal interrupts the
 * thread it is delivered to.
 *
 * <p>An intrusive list through the {@link Waiter}s themselves (a thread is in at most one wait at a time), so
 * entering and leaving a wait allocates nothing. A short lock guards it: it is taken when a thread starts or ends
 * such a wait and when a signal is delivered, never on the completion path.
 */
public final class WaitRegistry {
    private final ReentrantLock lock = new ReentrantLock();
    private Waiter head;
    private Waiter tail;
    private int size;

    /** Registers {@code w} for a new wait. */
    public void enter(Waiter w) {
        w.begin();
        lock.lock();
        try {
            if (w.registered) {
                return;
            }
            w.registered = true;
            w.prevWaiting = tail;
            w.nextWaiting = null;
            if (tail == null) {
                head = w;
            } else {
                tail.nextWaiting = w;
            }
            tail = w;
            size++;
        } finally {
            lock.unlock();
        }
    }

    public void exit(Waiter w) {
        lock.lock();
        try {
            if (!w.registered) {
                return;
            }
            w.registered = false;
            Waiter p = w.prevWaiting;
            Waiter n = w.nextWaiting;
            if (p == null) {
                head = n;
            } else {
                p.nextWaiting = n;
            }
            if (n == null) {
                tail = p;
            } else {
                n.prevWaiting = p;
            }
            w.prevWaiting = null;
            w.nextWaiting = null;
            size--;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Interrupts the longest-waiting thread that is not already interrupted.
     *
     * @return true if a thread was interrupted
     */
    public boolean interruptOne(int signo) {
        lock.lock();
        try {
            for (Waiter w = head; w != null; w = w.nextWaiting) {
                if (w.interrupt(signo)) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Interrupts {@code thread}'s wait, if it is in one. */
    public boolean interrupt(Thread thread, int signo) {
        lock.lock();
        try {
            for (Waiter w = head; w != null; w = w.nextWaiting) {
                if (w.thread() == thread) {
                    return w.interrupt(signo);
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Threads currently waiting. */
    public int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }
}
