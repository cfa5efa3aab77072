package io.virtaio.aio.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The requests of one lio_listio call (POSIX.1-2017 lio_listio): it learns when the last one is done, then fires
 * the list's notification (LIO_NOWAIT) or wakes the caller (LIO_WAIT), and remembers whether any entry failed
 * (LIO_WAIT then returns -1/EIO).
 *
 * <p>The submitting call holds one count of its own until every entry is queued, so the list cannot finish while
 * entries are still being submitted: {@link #entryDone} for each entry, {@link #submitted()} once at the end.
 *
 * <p>A LIO_WAIT group is reused by its thread ({@link #forWait}): once its call returned with the list done, no
 * entry refers to it any more, so the next LIO_WAIT of that thread allocates nothing.
 */
public final class ListGroup {
    private final AtomicInteger pending;
    private final Notification notification;
    private final Runnable handedOff;
    private final Waiter waiter;
    private volatile boolean failed;
    private volatile boolean done;
    /** What a LIO_WAIT on the simulation thread waits for; made once per group, so reuse allocates nothing. */
    private final BooleanSupplier doneOrInterrupted = this::finishedOrInterrupted;

    /**
     * @param entries      requests that will report {@link #entryDone} (queued ones and ones that failed at once)
     * @param notification fired once when all are done (LIO_NOWAIT), or null
     * @param handedOff    passed to the notification (returns its slot), ignored without one
     * @param waiter       woken when all are done (LIO_WAIT), or null
     */
    public ListGroup(int entries, Notification notification, Runnable handedOff, Waiter waiter) {
        this.pending = new AtomicInteger(entries + 1);
        this.notification = notification;
        this.handedOff = handedOff;
        this.waiter = waiter;
    }

    /**
     * The LIO_WAIT group of {@code waiter}'s thread, reset for {@code entries}: the one its last LIO_WAIT used if
     * that list is done (a call interrupted with EINTR leaves its list running, and then a new group is made).
     */
    public static ListGroup forWait(Waiter waiter, int entries) {
        ListGroup g = waiter.listGroup;
        if (g == null || !g.done) {
            g = new ListGroup(entries, null, Engine.NOTHING, waiter);
            waiter.listGroup = g;
            return g;
        }
        g.failed = false;
        g.done = false;
        // Volatile: the reset above is visible to whichever thread finishes the new list.
        g.pending.set(entries + 1);
        return g;
    }

    /** One entry is done with error status {@code error} (0 on success). */
    public void entryDone(int error) {
        if (error != 0) {
            failed = true;
        }
        // The decrement orders the write of 'failed' before whichever thread finishes the list.
        if (pending.decrementAndGet() == 0) {
            finish();
        }
    }

    /** The submitting call queued every entry and drops its own count. */
    public void submitted() {
        entryDone(0);
    }

    private void finish() {
        done = true;
        if (notification != null) {
            notification.fire(handedOff);
        }
        if (waiter != null) {
            waiter.wake();
        }
    }

    public boolean isDone() {
        return done;
    }

    /** The list is done, or the waiting thread was interrupted by a signal (LIO_WAIT). */
    public BooleanSupplier doneOrInterrupted() {
        return doneOrInterrupted;
    }

    private boolean finishedOrInterrupted() {
        return done || waiter != null && waiter.interruptedBy() != 0;
    }

    /** True if some entry ended with an error status (ECANCELED included); read after {@link #isDone()}. */
    public boolean anyFailed() {
        return failed;
    }
}
