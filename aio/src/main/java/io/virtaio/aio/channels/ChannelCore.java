package io.virtaio.aio.channels;

import io.virtaio.aio.ErrnoException;
import io.virtaio.aio.engine.CancelResult;
import io.virtaio.aio.engine.Engine;
import io.virtaio.aio.engine.Request;
import io.virtaio.aio.engine.Waiter;
import io.virtaio.aio.kernel.Kernel;
import io.virtaio.aio.kernel.Stepper;
import io.virtaio.aio.net.NetNode;
import io.virtaio.aio.net.SocketCalls;
import io.virtaio.aio.net.SocketDescriptor;
import io.virtaio.netstack.Errno;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.InterruptedByTimeoutException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * What a socket channel and a server channel share: the socket descriptor (installed in the runtime's descriptor
 * table, so {@link #fd()} also works with the POSIX façade), two directions, submission, completion, delivery and
 * close. Completion runs on the node's loop thread: it maps the request's outcome to the JDK's result or exception,
 * releases the direction, and delivers to the handler or future on the group's executor (or inline).
 */
final class ChannelCore {
    final StackChannelGroup group;
    final Kernel kernel;
    final Engine engine;
    final NetNode node;
    final SocketDescriptor sd;
    final int fd;
    final Direction reader = new Direction(this);
    final Direction writer = new Direction(this);
    private final AtomicBoolean open = new AtomicBoolean(true);
    /** Maps a completed operation's value for the handler (the owner: socket or server channel). */
    private final Completion owner;

    /** What the owning channel makes of a successful completion. */
    interface Completion {
        /** The handler's value for {@code d}'s operation that returned {@code result} (bytes or 0). */
        Object success(Direction d, long result, Object value) throws IOException;

        /** {@code d}'s operation failed. */
        default void failed(Direction d) {
        }
    }

    private ChannelCore(StackChannelGroup group, SocketDescriptor sd, int fd, Completion owner) {
        this.group = group;
        this.kernel = group.kernel();
        this.engine = kernel.engine();
        this.node = group.node();
        this.sd = sd;
        this.fd = fd;
        this.owner = owner;
    }

    /** A new TCP socket in {@code group}, installed in the descriptor table. */
    static ChannelCore open(StackChannelGroup group, Completion owner) throws IOException {
        if (group.isShutdown()) {
            throw new java.nio.channels.ShutdownChannelGroupException();
        }
        if (group.kernel().isClosed()) {
            throw new IOException("runtime closed");
        }
        SocketDescriptor[] out = new SocketDescriptor[1];
        int rc = SocketCalls.open(group.node(), true, out);
        if (rc < 0) {
            throw ErrnoException.of(-rc, "socket");
        }
        return install(group, out[0], owner);
    }

    /** An accepted socket, installed in the descriptor table. */
    static ChannelCore install(StackChannelGroup group, SocketDescriptor sd, Completion owner) throws IOException {
        int fd = group.kernel().table().install(sd);
        if (fd < 0) {
            sd.discard();
            throw ErrnoException.of(-fd, "socket");
        }
        return new ChannelCore(group, sd, fd, owner);
    }

    int fd() {
        return fd;
    }

    boolean isOpen() {
        return open.get();
    }

    // ------------------------------------------------------------------------------------------------ submission

    /**
     * Starts {@code d}'s operation (its fields are set): claims the request and hands it to the loop.
     *
     * @param sink     true: completion goes to {@link #completed}; false: a blocked caller waits for the status
     * @return 0, or {@code -errno} when nothing was queued (EBADF: the channel closed meanwhile)
     */
    int submit(Direction d, int op, MemorySegment seg, long len, long offset, long timeoutNs, boolean sink) {
        if (!sd.acquire()) {
            return -Errno.EBADF;
        }
        Request r = d.request;
        if (!r.claim()) {
            sd.release();
            throw new IllegalStateException("request of a free direction still in progress");
        }
        r.prepare(engine, op, seg, offset, len, 0).withTarget(sd).withTimeout(Math.max(0, timeoutNs));
        if (sink) {
            r.withSink(d);
        }
        engine.enterChannelOperation();
        int rc;
        while ((rc = sd.submit(r)) == -Errno.EAGAIN && !node.loop().inLoop() && !kernel.isClosed()) {
            // The loop's ring is full: back-pressure (on the loop itself there is no one to wait for).
            LockSupport.parkNanos(this, 50_000L);
        }
        if (rc < 0) {
            r.unclaim();
            sd.release();
            engine.exitChannelOperation();
        } else {
            engine.countSubmission();
        }
        return rc;
    }

    // ------------------------------------------------------------------------------------------------ completion

    /** Loop thread (or the initiator, for a request that failed at once): {@code d}'s operation completed. */
    void completed(Direction d, long result) {
        Request r = d.request;
        Object value = null;
        Throwable failure = null;
        ChannelFuture<Object> f = d.future;
        CompletionHandler<Object, Object> h = d.handler;
        Object attachment = d.attachment;
        boolean withdrawn = d.cancelRequested && result == -Errno.ECANCELED && isOpen() && !sd.isClosed();
        try {
            if (result >= 0) {
                value = owner.success(d, result, r.value());
            } else {
                failure = failure(d, (int) -result, r.timedOut(), r.moved());
                owner.failed(d);
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        d.end();
        try {
            if (withdrawn && f != null) {
                f.cancelled();
            } else {
                deliver(h, attachment, f, value, failure);
            }
        } finally {
            engine.exitChannelOperation();
        }
    }

    /** The exception for an operation of {@code d} that failed with {@code errno}. */
    IOException failure(Direction d, int errno, boolean timedOut, long moved) {
        if (timedOut) {
            if (moved > 0) {
                // Bytes of this write left, and the caller will not learn how many: refuse further writes (JDK).
                d.poisoned = true;
            }
            return new InterruptedByTimeoutException();
        }
        if (errno == Errno.ECANCELED && (!isOpen() || sd.isClosed())) {
            return new AsynchronousCloseException();
        }
        if (d.kind == Direction.CONNECT && errno == Errno.ETIMEDOUT) {
            ConnectException e = new ConnectException("connect: " + Errno.name(errno) + " (" + Errno.describe(errno)
                    + ")");
            e.initCause(new ErrnoException(errno, "connect"));
            return e;
        }
        return ErrnoException.of(errno, operation(d.kind));
    }

    private static String operation(int kind) {
        return switch (kind) {
            case Direction.READ -> "read";
            case Direction.WRITE -> "write";
            case Direction.CONNECT -> "connect";
            case Direction.ACCEPT -> "accept";
            default -> null;
        };
    }

    /** Hands the outcome to the handler or future: inline on this thread, or on the group's executor. */
    void deliver(CompletionHandler<Object, Object> h, Object attachment, ChannelFuture<Object> f, Object value,
            Throwable failure) {
        if (group.inline()) {
            invoke(h, attachment, f, value, failure);
            return;
        }
        try {
            group.executor().execute(() -> invoke(h, attachment, f, value, failure));
        } catch (RejectedExecutionException e) {
            // The group's executor is gone (shut down): the outcome must still reach someone exactly once.
            invoke(h, attachment, f, value, failure);
        }
    }

    private static void invoke(CompletionHandler<Object, Object> h, Object attachment, ChannelFuture<Object> f,
            Object value, Throwable failure) {
        try {
            if (f != null) {
                if (failure == null) {
                    f.complete(value);
                } else {
                    f.completeExceptionally(failure);
                }
            } else if (failure == null) {
                h.completed(value, attachment);
            } else {
                h.failed(failure, attachment);
            }
        } catch (RuntimeException | Error e) {
            // A handler's exception must not unwind into the loop (or the executor) that delivered to it.
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
        }
    }

    /** Completes {@code d}'s operation before it was submitted (the JDK's immediate results: 0, -1, errors). */
    void completeNow(Direction d, Object value, Throwable failure) {
        ChannelFuture<Object> f = d.future;
        CompletionHandler<Object, Object> h = d.handler;
        Object attachment = d.attachment;
        d.end();
        deliver(h, attachment, f, value, failure);
    }

    /** Future.cancel(false): withdraws {@code d}'s operation if it has not moved a byte. */
    boolean withdraw(Direction d, ChannelFuture<?> f) {
        if (d.future != f) {
            return false;
        }
        d.cancelRequested = true;
        int rc = sd.cancel(d.request);
        return rc == CancelResult.CANCELED;
    }

    // ------------------------------------------------------------------------------------------------ blocking

    /**
     * Runs {@code d}'s operation (its fields set, its direction claimed) and parks until it completes (virtual
     * threads unmount: no monitor is held). An interrupt closes the channel (ClosedByInterruptException), as the
     * JDK's interruptible channels do.
     *
     * @return the result ({@code >= 0}); failures are thrown
     */
    long runBlocking(Direction d, int op, MemorySegment seg, long len) throws IOException {
        int rc = submit(d, op, seg, len, 0, 0, false);
        if (rc < 0) {
            throw rc == -Errno.EBADF ? new java.nio.channels.ClosedChannelException() : ErrnoException.of(-rc, null);
        }
        Request r = d.request;
        boolean interrupted = false;
        try {
            Stepper sim = kernel.stepperOnThisThread();
            if (sim != null) {
                while (!sim.runUntil(() -> r.status() != Errno.EINPROGRESS, Long.MAX_VALUE)) {
                    if (sd.cancel(r) == CancelResult.CANCELED) {
                        throw new ErrnoException(Errno.EDEADLK, "nothing in the simulation can complete this call");
                    }
                }
            } else {
                Waiter w = Waiter.current();
                r.addWaiter(w);
                try {
                    while (r.status() == Errno.EINPROGRESS) {
                        if (!interrupted && Thread.interrupted()) {
                            interrupted = true;
                            closeQuietly();
                            continue;
                        }
                        LockSupport.park(r);
                    }
                } finally {
                    r.removeWaiter(w);
                }
            }
            int status = r.statusAcquire();
            if (status == 0) {
                return r.result();
            }
            if (interrupted) {
                throw new ClosedByInterruptException();
            }
            throw failure(d, status, r.timedOut(), r.moved());
        } finally {
            engine.exitChannelOperation();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ close

    /**
     * Closes the channel: the descriptor is closed (queued operations are canceled), then operations in progress
     * are abandoned; every pending operation fails with AsynchronousCloseException. The connection closes
     * gracefully (queued data still goes out). Idempotent.
     */
    void close() {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        kernel.table().close(fd);
        sd.abandonInProgress();
        if (closeable != null) {
            group.removed(closeable);
        }
    }

    void closeQuietly() {
        close();
    }

    private AutoCloseable closeable;

    /** The channel object the group tracks (for shutdownNow). */
    void registerWith(AutoCloseable channel) throws IOException {
        this.closeable = channel;
        if (!group.add(channel)) {
            close();
            throw new java.nio.channels.ShutdownChannelGroupException();
        }
    }

    /** A heap or native view of {@code b}'s remaining bytes (the JDK's rule: position to limit). */
    static MemorySegment segmentOf(ByteBuffer b) {
        return MemorySegment.ofBuffer(b);
    }
}
