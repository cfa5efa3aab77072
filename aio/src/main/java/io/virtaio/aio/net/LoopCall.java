package io.virtaio.aio.net;

import io.virtaio.netstack.Errno;
import java.util.concurrent.locks.LockSupport;

/**
 * A control call (socket, bind, listen, setsockopt, aio_cancel on a socket, …) that must run on a node's event
 * loop because the stack is confined to it. The caller posts it and parks until the loop has run it; on the loop
 * thread itself it runs at once.
 *
 * <p>Control calls are not on the data path: each allocates its call object. The caller parks uninterruptibly
 * (control calls finish within one loop round) and gives up with ECANCELED only if the loop has stopped.
 */
public abstract class LoopCall {
    private volatile boolean done;
    private int result;
    private Thread caller;

    /** Runs on the loop thread; returns a non-negative result or {@code -errno}. */
    protected abstract int run(NetNode node);

    final void runOnLoop(NetNode node) {
        try {
            result = run(node);
        } catch (RuntimeException e) {
            result = -Errno.EIO;
            throw e;
        } finally {
            done = true;
            LockSupport.unpark(caller);
        }
    }

    /** Runs this call on {@code node}'s loop and returns its result. */
    public final int call(NetNode node) {
        if (node.loop().inLoop()) {
            return run(node);
        }
        caller = Thread.currentThread();
        if (!node.post(this)) {
            return -Errno.ECANCELED;
        }
        while (!done) {
            LockSupport.parkNanos(this, 10_000_000L);
            if (!done && !node.loop().isAlive()) {
                return done ? result : -Errno.ECANCELED;
            }
        }
        return result;
    }
}
