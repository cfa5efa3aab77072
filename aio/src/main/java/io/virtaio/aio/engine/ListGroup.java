package io.virtaio.aio.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests of one lio_listio call (POSIX.1-2017 lio_listio): it learns when the last one is done, then fires
 * the list's notification (LIO_NOWAIT) or wakes the caller (LIO_WAIT), and remembers whether any entry failed
 * (LIO_WAIT then returns -1/EIO).
 *
 * <p>The submitting call holds one count of its own until every entry is queued, so the list cannot finish while
 * entries are still being submitted: {@link #entryDone} for each entry, {@link #submitted()} once at the end.
 */
public final class ListGroup {
    private final AtomicInteger pending;
    private final Notification notification;
    private final Runnable handedOff;
    private final Waiter waiter;
    private volatile boolean failed;
    private volatile boolean done;

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

    /** True if some entry ended with an error status (ECANCELED included); read after {@link #isDone()}. */
    public boolean anyFailed() {
        return failed;
    }
}
