package io.virtaio.aio.posix;

import io.virtaio.aio.engine.CancelResult;
import io.virtaio.aio.engine.Engine;
import io.virtaio.aio.engine.Op;
import io.virtaio.aio.engine.Request;
import io.virtaio.aio.engine.Waiter;
import io.virtaio.aio.fd.Descriptor;
import io.virtaio.aio.fs.FileDescriptor;
import io.virtaio.aio.fs.IoErrno;
import io.virtaio.aio.fs.OpenFlags;
import io.virtaio.aio.kernel.Kernel;
import io.virtaio.aio.kernel.Stepper;
import io.virtaio.aio.loop.Backoff;
import io.virtaio.netstack.Errno;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The synchronous calls of unistd.h and fcntl.h (open, close, read, write, pread, pwrite, fsync, fdatasync) and
 * the waiting half of accept and connect. Results are non-negative or {@code -errno}.
 *
 * <p>A synchronous call is a request like any other, queued behind the descriptor's earlier requests, with the
 * calling thread parked until it completes. Each thread reuses one request for its calls, so a call allocates
 * nothing, and parking goes through {@link LockSupport} with no monitor held: a virtual thread unmounts.
 *
 * <p>Interruption: {@link Thread#interrupt()} cancels a call whose request is still queued, which then fails
 * with EINTR; a call already in progress runs to its end and the interrupt status is kept for the caller.
 *
 * <p>Simulated runtime: on the simulation thread a call steps the simulation until its request completes (virtual
 * time passes meanwhile); one that nothing scheduled could ever complete is canceled and fails with EDEADLK.
 */
final class SyncCalls {
    private static final ThreadLocal<Request> CALL = ThreadLocal.withInitial(() -> new Request(null));

    private final Kernel kernel;
    private final Engine engine;

    SyncCalls(Kernel kernel) {
        this.kernel = kernel;
        this.engine = kernel.engine();
    }

    /** open(path, flags, mode) (POSIX.1-2017 open). */
    int open(String path, int flags, int mode) {
        if (path == null) {
            return -Errno.EFAULT;
        }
        if (path.isEmpty()) {
            return -Errno.ENOENT;
        }
        int bad = OpenFlags.check(flags);
        if (bad != 0) {
            return -bad;
        }
        if (kernel.isClosed()) {
            return -Errno.EBADF;
        }
        FileDescriptor fd;
        try {
            fd = FileDescriptor.open(Path.of(path), flags, mode, kernel.files());
        } catch (InvalidPathException e) {
            return -Errno.EINVAL;
        } catch (IOException | RuntimeException e) {
            return -IoErrno.of(e);
        }
        int n = kernel.table().install(fd);
        if (n < 0) {
            fd.abortInProgress();
        }
        return n;
    }

    /** close(fd) (POSIX.1-2017 close). */
    int close(int fd) {
        return kernel.table().close(fd);
    }

    /**
     * read, write (at the file offset, advancing it), pread, pwrite (at {@code offset}).
     *
     * @param op Op.READ_SEQUENTIAL, Op.WRITE_SEQUENTIAL, Op.READ (pread) or Op.WRITE (pwrite)
     */
    long transfer(int fd, int op, MemorySegment buf, long nbytes, long offset) {
        Descriptor d = kernel.table().acquire(fd);
        if (d == null) {
            return -Errno.EBADF;
        }
        if (Op.readsIntoBuffer(op) ? !d.readable() : !d.writable()) {
            d.release();
            return -Errno.EBADF;
        }
        boolean positional = op == Op.READ || op == Op.WRITE;
        if (positional && !d.seekable()) {
            d.release();
            // POSIX.1-2017 pread [ESPIPE]: "fildes is associated with a pipe or FIFO" (or a socket).
            return -Errno.ESPIPE;
        }
        if (positional && offset < 0) {
            d.release();
            return -Errno.EINVAL;
        }
        return run(d, op, buf, nbytes, offset);
    }

    /** fsync (metadata too) or fdatasync. */
    int sync(int fd, boolean metadata) {
        Descriptor d = kernel.table().acquire(fd);
        if (d == null) {
            return -Errno.EBADF;
        }
        if (!d.syncable()) {
            d.release();
            // POSIX.1-2017 fsync [EINVAL]: "fildes does not refer to a file on which this operation is possible".
            return -Errno.EINVAL;
        }
        return (int) run(d, metadata ? Op.FSYNC : Op.FDATASYNC, null, 0, 0);
    }

    /**
     * Runs one request on {@code d} (whose reference the caller took) and waits for it. For accept, the accepted
     * descriptor is left in {@code valueOut[0]}.
     */
    long run(Descriptor d, int op, MemorySegment buf, long nbytes, long offset, Object[] valueOut) {
        Request r = CALL.get();
        int rc = start(r, d, op, buf, nbytes, offset);
        return rc < 0 ? rc : finish(r, d, valueOut);
    }

    /**
     * Submits {@code r} (a request the caller owns and no one else uses) on {@code d}, whose reference the caller
     * took, without waiting; {@link #finish} must follow when this returns 0. On failure the reference is released.
     *
     * @return 0 once submitted, or {@code -errno}
     */
    int start(Request r, Descriptor d, int op, MemorySegment buf, long nbytes, long offset) {
        if (!r.claim()) {
            // Only a call made from inside this thread's own pending call could get here.
            d.release();
            return -Errno.EBUSY;
        }
        r.prepare(engine, op, buf, offset, nbytes, 0).withTarget(d);
        engine.enterSynchronousCall();
        int rc;
        while ((rc = d.submit(r)) == -Errno.EAGAIN && !kernel.isClosed()) {
            // A full loop ring is back-pressure for a blocking call: wait for room instead of failing.
            LockSupport.parkNanos(this, 50_000L);
        }
        if (rc < 0) {
            r.unclaim();
            d.release();
            engine.exitSynchronousCall();
        } else {
            engine.countSubmission();
        }
        return rc;
    }

    /** Waits for a request {@link #start} submitted and returns its result (or {@code -errno}). */
    long finish(Request r, Descriptor d, Object[] valueOut) {
        try {
            Stepper sim = kernel.stepperOnThisThread();
            boolean canceledByInterrupt = false;
            if (sim != null) {
                if (!awaitSimulated(sim, d, r)) {
                    return -Errno.EDEADLK;
                }
            } else {
                canceledByInterrupt = await(d, r, kernel.backoff());
            }
            int status = r.statusAcquire();
            long result = r.result();
            if (valueOut != null) {
                valueOut[0] = r.value();
            }
            r.consume();
            if (status == 0) {
                return result;
            }
            if (status == Errno.ECANCELED) {
                // Canceled by our interrupt: EINTR; by a close or the runtime's shutdown: the file is gone.
                return canceledByInterrupt ? -Errno.EINTR : -Errno.EBADF;
            }
            return -status;
        } finally {
            engine.exitSynchronousCall();
        }
    }

    long run(Descriptor d, int op, MemorySegment buf, long nbytes, long offset) {
        return run(d, op, buf, nbytes, offset, null);
    }

    /**
     * On the simulation thread of a simulated runtime: steps the simulation until {@code r} completes. If nothing
     * that could complete it is scheduled any more, cancels it; false if it was canceled that way (the caller
     * reports EDEADLK: the call would block forever).
     */
    private static boolean awaitSimulated(Stepper sim, Descriptor d, Request r) {
        while (!sim.runUntil(() -> r.status() != Errno.EINPROGRESS, Long.MAX_VALUE)) {
            if (d.cancel(r) == CancelResult.CANCELED) {
                r.consume();
                return false;
            }
        }
        return true;
    }

    /**
     * Parks until {@code r} completes, after spinning and yielding as {@code backoff} says (a completion a few
     * microseconds away then costs no park and unpark); returns true if an interrupt canceled it.
     */
    private static boolean await(Descriptor d, Request r, Backoff backoff) {
        for (int round = 1; r.status() == Errno.EINPROGRESS && backoff.busy(round); round++) {
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        Waiter w = Waiter.current();
        r.addWaiter(w);
        boolean interrupted = false;
        boolean canceled = false;
        try {
            while (r.status() == Errno.EINPROGRESS) {
                if (!interrupted && Thread.interrupted()) {
                    interrupted = true;
                    canceled = d.cancel(r) == CancelResult.CANCELED;
                    continue;
                }
                LockSupport.park(r);
            }
        } finally {
            r.removeWaiter(w);
            if (interrupted && !canceled) {
                Thread.currentThread().interrupt();
            }
        }
        return canceled;
    }
}
