package io.virtaio.aio.fd;

import io.virtaio.aio.engine.Request;
import io.virtaio.aio.engine.Target;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An open file description behind a descriptor number: a regular file, a FIFO, a socket. The kinds share the
 * life cycle implemented here; each queues and executes requests its own way.
 *
 * <p>Life cycle. A descriptor counts references: every request submitted to it (until it completes) and every
 * call working on it. {@link DescriptorTable#close} marks it closed, so no new reference can be taken
 * ({@link #acquire()} fails and the caller reports EBADF), then asks it to cancel what is queued
 * ({@link #onClose()}); what is in progress completes "as if the close() operation had not yet occurred"
 * (POSIX.1-2017 close). When the last reference is dropped, {@link #onLastRelease()} frees the host resources and
 * the table frees the number. A number is therefore never reused while an operation on its previous incarnation is
 * still referenced (glibc bug 14942).
 */
public abstract class Descriptor implements Target {
    private static final int CLOSED = 1 << 31;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Descriptor.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private DescriptorTable table;
    private int number = -1;
    /** CLOSED bit and reference count. */
    private volatile int state;

    protected Descriptor() {
    }

    final void install(DescriptorTable t, int n) {
        this.table = t;
        this.number = n;
    }

    /** The descriptor number, -1 before it is installed. */
    public final int number() {
        return number;
    }

    /** Takes a reference unless the descriptor is closed. */
    public final boolean acquire() {
        for (;;) {
            int s = state;
            if ((s & CLOSED) != 0) {
                return false;
            }
            // CAS on one word with the closed bit: a reference is never taken after close() has set it.
            if (STATE.compareAndSet(this, s, s + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference; the last one after close frees the descriptor. */
    @Override
    public final void release() {
        int before = (int) STATE.getAndAdd(this, -1);
        if ((before & ~CLOSED) == 0) {
            throw new IllegalStateException("descriptor " + number + " released more than acquired");
        }
        if (before - 1 == CLOSED) {
            finish();
        }
    }

    public final boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    /** References held now (requests and calls in progress). */
    public final int references() {
        return state & ~CLOSED;
    }

    /** Sets the closed bit; false if it was already set. The caller holds a reference, so this never finishes. */
    final boolean markClosed() {
        for (;;) {
            int s = state;
            if ((s & CLOSED) != 0) {
                return false;
            }
            // CAS: of two closes, one wins (the other reports EBADF).
            if (STATE.compareAndSet(this, s, s | CLOSED)) {
                return true;
            }
        }
    }

    /** Closes a descriptor that was never installed in a table (its creation failed half way). */
    public final void discard() {
        if (acquire()) {
            try {
                if (markClosed()) {
                    onClose();
                }
            } finally {
                release();
            }
        }
    }

    private void finish() {
        try {
            onLastRelease();
        } finally {
            if (table != null) {
                table.free(number, this);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ per kind

    /**
     * Queues {@code r} (claimed, prepared, holding a reference to this descriptor) for execution.
     *
     * @return 0 when queued (it will complete exactly once), or {@code -errno} when nothing was queued (EAGAIN
     *     when an event loop's submission ring is full)
     */
    public abstract int submit(Request r);

    /**
     * Cancels {@code r}, or every cancelable request when {@code r} is null (POSIX.1-2017 aio_cancel). Canceled
     * requests complete with ECANCELED and their normal notification before this returns.
     *
     * @return {@link io.virtaio.aio.engine.CancelResult} CANCELED, NOTCANCELED or ALLDONE
     */
    public abstract int cancel(Request r);

    /** Called once after the descriptor was marked closed: cancel what is queued. */
    protected abstract void onClose();

    /** Called once when the descriptor is closed and unreferenced: free host resources. */
    protected abstract void onLastRelease();

    /** Aborts what is in progress (runtime shutdown after the grace period): it completes with ECANCELED. */
    public abstract void abortInProgress();

    /** Open for reading (O_RDONLY or O_RDWR; sockets always). */
    public abstract boolean readable();

    /** Open for writing (O_WRONLY or O_RDWR; sockets always). */
    public abstract boolean writable();

    /** Has a file offset: aio_offset is honoured (false for FIFOs and sockets, where it is ignored). */
    public abstract boolean seekable();

    /** Supports fsync (regular files); aio_fsync on anything else fails with EINVAL. */
    public abstract boolean syncable();

    /** A short description for logs and counters: "file data.bin", "tcp 10.0.0.1:80". */
    public abstract String describe();

    @Override
    public String toString() {
        return "fd " + number + " (" + describe() + (isClosed() ? ", closed" : "") + ")";
    }
}
