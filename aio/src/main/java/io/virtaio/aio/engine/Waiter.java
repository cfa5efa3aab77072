package io.virtaio.aio.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread blocked in the runtime: in {@code aio_suspend}, {@code lio_listio(LIO_WAIT)} or a synchronous call. It is
 * registered on the requests it waits for ({@link Request#addWaiter}), and completions unpark it.
 *
 * <p>One per thread, created on first use ({@link #current()}), so waiting allocates nothing afterwards. Waiting
 * parks through {@link LockSupport}: no monitor is held, so a virtual thread unmounts instead of pinning its carrier.
 */
public final class Waiter {
    private static final ThreadLocal<Waiter> CURRENT = ThreadLocal.withInitial(() -> new Waiter(Thread.currentThread()));
    private static final VarHandle SIGNAL;

    static {
        try {
            SIGNAL = MethodHandles.lookup().findVarHandle(Waiter.class, "signal", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread;
    /** The signal that interrupted the current wait, 0 while none did. */
    private volatile int signal;
    /** The group this thread's last lio_listio(LIO_WAIT) used, reused by the next one (see ListGroup.forWait). */
    ListGroup listGroup;
    // Links of the WaitRegistry's intrusive list, guarded by its lock.
    boolean registered;
    Waiter prevWaiting;
    Waiter nextWaiting;

    private Waiter(Thread thread) {
        this.thread = thread;
    }

    /** The calling thread's waiter. */
    public static Waiter current() {
        return CURRENT.get();
    }

    public Thread thread() {
        return thread;
    }

    /** Starts a new wait: forgets an interruption left from an earlier one. */
    public void begin() {
        signal = 0;
    }

    public void wake() {
        LockSupport.unpark(thread);
    }

    /**
     * Interrupts the current wait on behalf of signal {@code signo}; only the first interruption of a wait counts.
     *
     * @return true if this call interrupted the wait
     */
    public boolean interrupt(int signo) {
        if (SIGNAL.compareAndSet(this, 0, signo)) {
            wake();
            return true;
        }
        return false;
    }

    /** The signal that interrupted this wait, or 0. */
    public int interruptedBy() {
        return signal;
    }
}
