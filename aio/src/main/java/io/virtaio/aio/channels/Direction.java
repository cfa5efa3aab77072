package io.virtaio.aio.channels;

import io.virtaio.aio.engine.CompletionSink;
import io.virtaio.aio.engine.Request;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.CompletionHandler;

/**
 * One direction of a channel (reads, or writes and connect; accepts on a server channel): at most one operation
 * pending (the JDK's rule), one request object reused for every operation, and what to tell whom when it completes.
 *
 * <p>The fields of the pending operation are written by the initiating thread before the request enters the loop's
 * submission ring, which publishes them to the loop; the completion reads them on the loop, clears them, and only
 * then releases {@code pending}, so the handler may start the next operation at once.
 */
final class Direction implements CompletionSink {
    static final int READ = 1;
    static final int WRITE = 2;
    static final int CONNECT = 3;
    static final int ACCEPT = 4;

    private static final VarHandle PENDING;

    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(Direction.class, "pending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ChannelCore core;
    final Request request = new Request(this);
    private volatile int pending;
    /** A timed-out write moved bytes the caller was not told about: further writes are refused. */
    volatile boolean poisoned;

    // The pending operation (see the class comment for how these are published).
    int kind;
    long requested;
    /** A scattering or gathering operation: the handler gets a Long. */
    boolean vectored;
    ByteBuffer buffer;
    Object attachment;
    CompletionHandler<Object, Object> handler;
    ChannelFuture<Object> future;
    /** Future.cancel(false) asked to withdraw the operation. */
    volatile boolean cancelRequested;

    Direction(ChannelCore core) {
        this.core = core;
    }

    /** Claims the direction for one operation; false if one is pending. */
    boolean begin() {
        // CAS: of two threads starting an operation at once, one gets ReadPendingException/WritePendingException.
        return PENDING.compareAndSet(this, 0, 1);
    }

    /** Releases the direction (after the operation's outcome was taken, or when it never started). */
    void end() {
        kind = 0;
        vectored = false;
        buffer = null;
        attachment = null;
        handler = null;
        future = null;
        cancelRequested = false;
        // Release: the next operation's initiator sees the fields cleared above.
        PENDING.setRelease(this, 0);
    }

    boolean isPending() {
        return pending != 0;
    }

    /** The request completed (on the loop, or on the initiator when it failed before queueing). */
    @Override
    public void post(Object owner, long result) {
        core.completed(this, result);
    }
}
