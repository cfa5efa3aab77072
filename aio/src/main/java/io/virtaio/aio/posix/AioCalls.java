package io.virtaio.aio.posix;

import io.virtaio.aio.engine.Budget;
import io.virtaio.aio.engine.CompletionQueue;
import io.virtaio.aio.engine.Engine;
import io.virtaio.aio.engine.ListGroup;
import io.virtaio.aio.engine.Notification;
import io.virtaio.aio.engine.Op;
import io.virtaio.aio.engine.Request;
import io.virtaio.aio.engine.Waiter;
import io.virtaio.aio.engine.WaitRegistry;
import io.virtaio.aio.fd.Descriptor;
import io.virtaio.aio.kernel.Kernel;
import io.virtaio.aio.kernel.Stepper;
import io.virtaio.aio.loop.Backoff;
import io.virtaio.netstack.Errno;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The logic behind the aio.h functions. Every method returns a non-negative result or {@code -errno}; {@link Aio}
 * turns that into C's -1 and errno.
 */
final class AioCalls {
    private final Kernel kernel;
    private final Engine engine;
    private final Budget budget;
    private final Signals signals;
    private final Executor notificationExecutor;

    AioCalls(Kernel kernel, Signals signals, Executor notificationExecutor) {
        this.kernel = kernel;
        this.engine = kernel.engine();
        this.budget = engine.budget();
        this.signals = signals;
        this.notificationExecutor = notificationExecutor;
    }

    // ------------------------------------------------------------------------------------------ aio_read/aio_write

    /** aio_read/aio_write (and AioRing submissions): {@code op} is Op.READ or Op.WRITE. */
    int submit(aiocb cb, int op, CompletionQueue ring) {
        if (cb == null) {
            return -Errno.EFAULT;
        }
        int bad = checkBeforeQueueing(cb);
        if (bad != 0) {
            return -bad;
        }
        if (ring != null && !ring.reserve()) {
            return -Errno.EAGAIN;
        }
        // POSIX.1-2017 aio_read [EAGAIN]: not queued "due to system resource limitations" (AIO_MAX, decision 9).
        if (!budget.tryAcquire(1)) {
            if (ring != null) {
                ring.unreserve();
            }
            return -Errno.EAGAIN;
        }
        int rc = submitReserved(cb, op, null, ring);
        if (rc < 0) {
            budget.release(1);
            if (ring != null) {
                ring.unreserve();
            }
        }
        return rc;
    }

    /**
     * The checks made before anything is queued, so that a failure leaves nothing behind: a closed runtime
     * (EAGAIN: resources are gone for good), aio_reqprio (decision 2: synchronous EINVAL) and the sigevent.
     */
    private int checkBeforeQueueing(aiocb cb) {
        if (kernel.isClosed()) {
            return Errno.EAGAIN;
        }
        int prio = cb.aio_reqprio;
        if (prio < 0 || prio > engine.limits().aioPrioDeltaMax()) {
            // POSIX.1-2017 aio_read [EINVAL]: "aio_reqprio is not a valid value".
            return Errno.EINVAL;
        }
        return checkSigevent(cb.aio_sigevent);
    }

    /**
     * Submits {@code cb} with its AIO_MAX slot already taken.
     *
     * @return 0 when queued (or completed at once with a deferred error), {@code -errno} when nothing was queued
     *     (the caller returns the slot)
     */
    private int submitReserved(aiocb cb, int op, ListGroup list, CompletionQueue ring) {
        Request r = cb.request();
        if (!r.claim()) {
            // Undefined in POSIX ("simultaneous operations using the same aiocbp"); refusing keeps the first intact.
            return -Errno.EINVAL;
        }
        r.prepare(engine, op, cb.aio_buf, cb.aio_offset, cb.aio_nbytes, cb.aio_reqprio)
                .withSlot()
                .withNotification(notification(cb.aio_sigevent))
                .withList(list)
                .withSink(ring);
        Descriptor d = kernel.table().acquire(cb.aio_fildes);
        if (d == null) {
            // Decision 1: EBADF is deferred for aio_read, aio_write and lio_listio entries (aio_read 10-1).
            engine.countSubmission();
            r.complete(-1, Errno.EBADF);
            return 0;
        }
        if (Op.readsIntoBuffer(op) ? !d.readable() : !d.writable()) {
            // POSIX.1-2017 aio_write [EBADF]: "not a valid file descriptor open for writing" (aio_write 8-2).
            d.release();
            engine.countSubmission();
            r.complete(-1, Errno.EBADF);
            return 0;
        }
        r.withTarget(d);
        int rc = d.submit(r);
        if (rc < 0) {
            r.unclaim();
            d.release();
            return rc;
        }
        engine.countSubmission();
        return 0;
    }

    // ------------------------------------------------------------------------------------------------- aio_fsync

    /** aio_fsync(op, cb) (POSIX.1-2017 aio_fsync). */
    int fsync(int op, aiocb cb) {
        if (cb == null) {
            return -Errno.EFAULT;
        }
        if (op != Aio.O_SYNC && op != Aio.O_DSYNC) {
            return -Errno.EINVAL;
        }
        if (kernel.isClosed()) {
            return -Errno.EAGAIN;
        }
        int bad = checkSigevent(cb.aio_sigevent);
        if (bad != 0) {
            return -bad;
        }
        // Every other field is ignored (aio_fsync 8-1..8-4): aio_buf, aio_nbytes, aio_offset, aio_reqprio.
        Descriptor d = kernel.table().acquire(cb.aio_fildes);
        if (d == null) {
            // Decision 1: EBADF is synchronous for aio_fsync (aio_fsync 12-1).
            return -Errno.EBADF;
        }
        if (!d.syncable()) {
            d.release();
            // POSIX.1-2017 aio_fsync [EINVAL]: the file is not a regular file (a socket or FIFO).
            return -Errno.EINVAL;
        }
        if (!d.writable()) {
            d.release();
            return -Errno.EBADF;
        }
        if (!budget.tryAcquire(1)) {
            d.release();
            return -Errno.EAGAIN;
        }
        Request r = cb.request();
        if (!r.claim()) {
            budget.release(1);
            d.release();
            return -Errno.EINVAL;
        }
        r.prepare(engine, op == Aio.O_SYNC ? Op.FSYNC : Op.FDATASYNC, null, 0, 0, 0)
                .withSlot()
                .withNotification(notification(cb.aio_sigevent))
                .withTarget(d);
        int rc = d.submit(r);
        if (rc < 0) {
            r.unclaim();
            d.release();
            budget.release(1);
            return rc;
        }
        engine.countSubmission();
        return 0;
    }

    // ------------------------------------------------------------------------------------- aio_error/aio_return

    /** aio_error: EINPROGRESS, 0 or the errno; -EINVAL without a retrievable status (decision 5). */
    int error(aiocb cb) {
        if (cb == null) {
            return -Errno.EFAULT;
        }
        Request r = cb.requestIfAny();
        if (r == null) {
            return -Errno.EINVAL;
        }
        int s = r.statusAcquire();
        return s == Request.IDLE ? -Errno.EINVAL : s;
    }

    /** aio_return: the return value, once (POSIX.1-2017 aio_return); -EINVAL otherwise (decision 5). */
    long ret(aiocb cb) {
        if (cb == null) {
            return -Errno.EFAULT;
        }
        Request r = cb.requestIfAny();
        if (r == null) {
            return -Errno.EINVAL;
        }
        long v = r.consume();
        if (v == Request.NO_RESULT) {
            return -Errno.EINVAL;
        }
        return v;
    }

    // ----------------------------------------------------------------------------------------------- aio_suspend

    /**
     * aio_suspend(list, nent, timeout) (POSIX.1-2017 aio_suspend): 0 as soon as one listed operation is not in
     * progress (NULL entries ignored); -EAGAIN when the relative timeout, measured on the monotonic clock
     * (the runtime's clock: System.nanoTime, or virtual time when simulated), passes first (a zero timeout polls);
     * -EINTR when the thread is interrupted or an emulated signal is delivered to it. Parks without holding any
     * monitor; consumes nothing. On the simulation thread it steps the simulation instead, and reports EDEADLK
     * when no timeout was given and nothing scheduled can ever complete a listed request.
     */
    int suspend(aiocb[] list, int nent, timespec timeout) {
        if (nent < 0) {
            return -Errno.EINVAL;
        }
        if (nent > 0 && (list == null || list.length < nent)) {
            return -Errno.EFAULT;
        }
        if (timeout != null && !timeout.valid()) {
            return -Errno.EINVAL;
        }
        if (anyDone(list, nent)) {
            return 0;
        }
        long timeoutNs = timeout == null ? -1 : timeout.toNanos();
        if (timeoutNs == 0) {
            return -Errno.EAGAIN;
        }
        long deadline = kernel.nowNs() + timeoutNs;
        if (kernel.stepperOnThisThread() == null && spinUntilAnyDone(list, nent, timeoutNs, deadline)) {
            return 0;
        }
        Waiter w = Waiter.current();
        WaitRegistry waits = kernel.waits();
        waits.enter(w);
        for (int i = 0; i < nent; i++) {
            Request r = list[i] == null ? null : list[i].requestIfAny();
            if (r != null) {
                r.addWaiter(w);
            }
        }
        try {
            Stepper sim = kernel.stepperOnThisThread();
            if (sim != null) {
                // Simulation thread: step the simulation instead of parking; the timeout is in virtual time.
                SuspendCondition mine = SUSPEND.get();
                // A notification run inside this wait may wait too (nested on this thread): it gets its own.
                SuspendCondition c = (mine.inUse() ? new SuspendCondition() : mine).of(list, nent, w);
                try {
                    sim.runUntil(c, timeoutNs < 0 ? Long.MAX_VALUE : deadline);
                } finally {
                    c.clear();
                }
                if (anyDone(list, nent)) {
                    return 0;
                }
                return w.interruptedBy() != 0 ? -Errno.EINTR : timeoutNs < 0 ? -Errno.EDEADLK : -Errno.EAGAIN;
            }
            for (;;) {
                // A completion that raced with the registrations above is seen here (Dekker with complete()).
                if (anyDone(list, nent)) {
                    return 0;
                }
                if (w.interruptedBy() != 0 || Thread.interrupted()) {
                    return -Errno.EINTR;
                }
                if (timeoutNs < 0) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - kernel.nowNs();
                    if (left <= 0) {
                        return -Errno.EAGAIN;
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
        } finally {
            for (int i = 0; i < nent; i++) {
                Request r = list[i] == null ? null : list[i].requestIfAny();
                if (r != null) {
                    r.removeWaiter(w);
                }
            }
            waits.exit(w);
        }
    }

    /**
     * Before registering to park: spins and yields as the runtime's backoff says, re-checking the list each round
     * (a completion is often a few microseconds away, less than a park and an unpark cost). True if one completed;
     * false when the backoff is spent, the deadline passed or the thread was interrupted (the caller then finds out).
     */
    private boolean spinUntilAnyDone(aiocb[] list, int nent, long timeoutNs, long deadline) {
        Backoff backoff = kernel.backoff();
        for (int round = 1; backoff.busy(round); round++) {
            if (anyDone(list, nent)) {
                return true;
            }
            if (Thread.currentThread().isInterrupted() || timeoutNs > 0 && kernel.nowNs() - deadline >= 0) {
                return false;
            }
        }
        return false;
    }

    /** What aio_suspend waits for on the simulation thread; one per thread, so waiting allocates nothing. */
    private static final ThreadLocal<SuspendCondition> SUSPEND = ThreadLocal.withInitial(SuspendCondition::new);

    private static final class SuspendCondition implements BooleanSupplier {
        private aiocb[] list;
        private int nent;
        private Waiter waiter;

        SuspendCondition of(aiocb[] l, int n, Waiter w) {
            list = l;
            nent = n;
            waiter = w;
            return this;
        }

        void clear() {
            list = null;
            waiter = null;
        }

        boolean inUse() {
            return waiter != null;
        }

        @Override
        public boolean getAsBoolean() {
            return anyDone(list, nent) || waiter.interruptedBy() != 0;
        }
    }

    /** True if some non-null entry has no operation in progress (completed, failed, or never submitted). */
    private static boolean anyDone(aiocb[] list, int nent) {
        for (int i = 0; i < nent; i++) {
            aiocb cb = list[i];
            if (cb != null) {
                Request r = cb.requestIfAny();
                if (r == null || r.status() != Errno.EINPROGRESS) {
                    return true;
                }
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------ aio_cancel

    /** aio_cancel(fd, cb): AIO_CANCELED, AIO_NOTCANCELED, AIO_ALLDONE or -errno. */
    int cancel(int fd, aiocb cb) {
        Descriptor d = kernel.table().acquire(fd);
        if (d == null) {
            // POSIX.1-2017 aio_cancel [EBADF]; synchronous (decision 1, aio_cancel 9-1 and 10-1).
            return -Errno.EBADF;
        }
        try {
            if (cb == null) {
                return d.cancel(null);
            }
            if (cb.aio_fildes != fd) {
                // "If aiocbp refers to an operation on another file descriptor, the results are unspecified."
                return -Errno.EINVAL;
            }
            Request r = cb.requestIfAny();
            if (r == null || r.status() != Errno.EINPROGRESS) {
                return Aio.AIO_ALLDONE;
            }
            return d.cancel(r);
        } finally {
            d.release();
        }
    }

    // ------------------------------------------------------------------------------------------------ lio_listio

    /** lio_listio(mode, list, nent, sig) (POSIX.1-2017 lio_listio). */
    int listio(int mode, aiocb[] list, int nent, sigevent sig) {
        // Mode and count are checked before any entry is touched: nothing is initiated on EINVAL (lio_listio 18-1).
        if (mode != Aio.LIO_WAIT && mode != Aio.LIO_NOWAIT) {
            return -Errno.EINVAL;
        }
        if (nent < 0 || nent > engine.limits().aioListioMax()) {
            return -Errno.EINVAL;
        }
        if (nent > 0 && (list == null || list.length < nent)) {
            return -Errno.EFAULT;
        }
        if (kernel.isClosed()) {
            return -Errno.EAGAIN;
        }
        Notification listNotification = null;
        if (mode == Aio.LIO_NOWAIT && sig != null) {
            int bad = checkSigevent(sig);
            if (bad != 0) {
                return -bad;
            }
            listNotification = notification(sig);
        }
        int entries = 0;
        for (int i = 0; i < nent; i++) {
            if (list[i] != null && list[i].aio_lio_opcode != Aio.LIO_NOP) {
                entries++;
            }
        }
        // All slots at once or none: on EAGAIN nothing was queued.
        int slots = entries + (listNotification != null ? 1 : 0);
        if (!budget.tryAcquire(slots)) {
            return -Errno.EAGAIN;
        }
        Waiter waiter = mode == Aio.LIO_WAIT ? Waiter.current() : null;
        ListGroup group = waiter != null ? ListGroup.forWait(waiter, entries)
                : new ListGroup(entries, listNotification,
                        listNotification != null ? engine.slotReleaser() : Engine.NOTHING, null);
        boolean rejected = false;
        for (int i = 0; i < nent; i++) {
            aiocb cb = list[i];
            // NULL and LIO_NOP entries are ignored (lio_listio 4-1, 7-1).
            if (cb == null || cb.aio_lio_opcode == Aio.LIO_NOP) {
                continue;
            }
            int op = cb.aio_lio_opcode == Aio.LIO_READ ? Op.READ : cb.aio_lio_opcode == Aio.LIO_WRITE ? Op.WRITE : 0;
            int err = op == 0 ? Errno.EINVAL : checkBeforeQueueing(cb);
            if (err == 0) {
                int rc = submitReserved(cb, op, group, null);
                err = rc < 0 ? -rc : 0;
            }
            if (err != 0) {
                // Decision 8: this entry fails (EINVAL for a bad opcode), the others go on; lio_listio reports EIO.
                budget.release(1);
                rejected = true;
                failEntry(cb, err);
                group.entryDone(err);
            }
        }
        group.submitted();
        if (mode == Aio.LIO_NOWAIT) {
            return rejected ? -Errno.EIO : 0;
        }
        // LIO_WAIT: the sig argument is ignored (lio_listio 1-1); wait for every entry.
        int rc = awaitList(group, waiter);
        if (rc < 0) {
            return rc;
        }
        return group.anyFailed() ? -Errno.EIO : 0;
    }

    /** Gives an entry that could not be queued the status -1/{@code err}, unless it is busy with another operation. */
    private void failEntry(aiocb cb, int err) {
        Request r = cb.request();
        if (r.claim()) {
            r.prepare(engine, 0, null, 0, 0, 0);
            engine.countSubmission();
            r.complete(-1, err);
        }
    }

    private int awaitList(ListGroup group, Waiter waiter) {
        if (kernel.stepperOnThisThread() == null) {
            // Spin and yield before parking, as aio_suspend does: the list may be done in a few microseconds.
            Backoff backoff = kernel.backoff();
            for (int round = 1; !group.isDone() && backoff.busy(round); round++) {
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
            }
        }
        WaitRegistry waits = kernel.waits();
        waits.enter(waiter);
        try {
            Stepper sim = kernel.stepperOnThisThread();
            if (sim != null) {
                sim.runUntil(group.doneOrInterrupted(), Long.MAX_VALUE);
                return group.isDone() ? 0 : waiter.interruptedBy() != 0 ? -Errno.EINTR : -Errno.EDEADLK;
            }
            while (!group.isDone()) {
                if (waiter.interruptedBy() != 0 || Thread.interrupted()) {
                    // POSIX.1-2017 lio_listio [EINTR]: entries already queued go on.
                    return -Errno.EINTR;
                }
                LockSupport.park(this);
            }
            return 0;
        } finally {
            waits.exit(waiter);
        }
    }

    // ------------------------------------------------------------------------------------------------ sigevent

    /** 0 if {@code sev} is a notification this runtime can deliver, else EINVAL. */
    static int checkSigevent(sigevent sev) {
        return switch (sev.sigev_notify) {
            case Aio.SIGEV_NONE -> 0;
            case Aio.SIGEV_SIGNAL -> sev.sigev_signo == 0 || Signals.valid(sev.sigev_signo) ? 0 : Errno.EINVAL;
            case Aio.SIGEV_THREAD -> sev.sigev_notify_function != null ? 0 : Errno.EINVAL;
            default -> Errno.EINVAL;
        };
    }

    /** The notification for a checked {@code sev}: null for SIGEV_NONE and for the null signal. */
    Notification notification(sigevent sev) {
        return switch (sev.sigev_notify) {
            case Aio.SIGEV_SIGNAL -> sev.sigev_signo == 0 ? null : new SignalNotification(signals, sev.sigev_signo,
                    sev.sigev_value);
            case Aio.SIGEV_THREAD -> new ThreadNotification(notificationExecutor, sev, engine);
            default -> null;
        };
    }
}
