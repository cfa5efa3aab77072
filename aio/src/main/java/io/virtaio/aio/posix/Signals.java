package io.virtaio.aio.posix;

import io.virtaio.aio.engine.WaitRegistry;
import io.virtaio.netstack.Errno;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

/**
 * Emulated signals of one runtime: handlers per signal number, a queue, and one delivery thread.
 *
 * <p>Every signal is queued and delivered exactly once, with its si_signo, si_code and si_value, in the order it
 * was queued; none is coalesced, real-time or not (POSIX.1-2017 2.4.2: realtime signals are queued; here every
 * signal is). Handlers run one at a time on the delivery thread, a platform thread named "…-signals", which
 * stands in for "whichever thread the kernel picks": a handler must not block for long.
 *
 * <p>Interruption. A caught signal (one with a handler) delivered while threads are blocked in an interruptible
 * wait (aio_suspend, lio_listio(LIO_WAIT)) interrupts one of them after its handler has returned: the thread it was
 * sent to ({@link #pthreadKill}), else the one that has waited longest. That thread returns -1 with errno EINTR,
 * as the thread a real signal is delivered to would. A signal without a handler (SIG_DFL) is counted and ignored,
 * and interrupts nobody.
 *
 * <p>Stepped mode (a simulated runtime): no delivery thread; the simulation thread delivers what is queued with
 * {@link #deliverQueued()}, so handlers run on it, in queue order, at deterministic points.
 *
 * <p>Bounds. Completion signals are bounded by AIO_MAX: a request (or a list) holds its slot until its signal is
 * handed to the delivery thread. Signals queued by {@link #sigqueue} are bounded by SIGQUEUE_MAX (EAGAIN beyond it,
 * as sigqueue reports). So the queue, a lock-free MPSC ring (completions are queued from event loops, which take no
 * locks), has room for AIO_MAX + SIGQUEUE_MAX signals and never overflows.
 */
public final class Signals implements AutoCloseable {
    /** Signals are numbered 1 .. NSIG-1. */
    public static final int NSIG = 65;

    private record Pending(int signo, int code, int sivalInt, Object sivalPtr, Runnable handedOff, Thread target,
            boolean user) {
    }

    private final AtomicReferenceArray<SignalHandler> handlers = new AtomicReferenceArray<>(NSIG);
    private final MpscVarHandleArrayQueue<Pending> queue;
    private final AtomicInteger userQueued = new AtomicInteger();
    private final int sigqueueMax;
    private final WaitRegistry waits;
    private final Thread deliverer;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder ignored = new LongAdder();
    private final LongAdder interruptions = new LongAdder();
    private final LongAdder handlerFailures = new LongAdder();
    private volatile boolean stopping;
    private volatile boolean parked;

    /**
     * Starts the delivery thread.
     *
     * @param aioMax the runtime's AIO_MAX, which bounds the completion signals pending at once
     */
    public Signals(String name, int aioMax, int sigqueueMax, WaitRegistry waits) {
        this(name, aioMax, sigqueueMax, waits, true);
    }

    /**
     * @param threaded true: a delivery thread of its own; false: stepped mode, {@link #deliverQueued()} delivers
     */
    public Signals(String name, int aioMax, int sigqueueMax, WaitRegistry waits, boolean threaded) {
        this.queue = new MpscVarHandleArrayQueue<>(aioMax + sigqueueMax);
        this.sigqueueMax = sigqueueMax;
        this.waits = waits;
        if (threaded) {
            this.deliverer = Thread.ofPlatform().name(name + "-signals").daemon().unstarted(this::run);
            deliverer.start();
        } else {
            this.deliverer = null;
        }
    }

    /**
     * Stepped mode: delivers every signal queued now, on the calling thread, in queue order.
     *
     * @return how many were delivered
     */
    public int deliverQueued() {
        int n = 0;
        for (int left = queue.size(); left > 0; left--) {
            Pending p = queue.poll();
            if (p == null) {
                break;
            }
            deliver(p);
            n++;
        }
        return n;
    }

    /** True if signals wait for delivery. */
    public boolean hasQueued() {
        return !queue.isEmpty();
    }

    static boolean valid(int signo) {
        return signo >= 1 && signo < NSIG;
    }

    /** Installs {@code handler} (null: SIG_DFL) for {@code signo}; returns the previous one. */
    SignalHandler setHandler(int signo, SignalHandler handler) {
        return handlers.getAndSet(signo, handler);
    }

    SignalHandler handler(int signo) {
        return handlers.get(signo);
    }

    /** Queues a completion signal (si_code SI_ASYNCIO); {@code handedOff} runs when delivery starts. */
    void queueCompletion(int signo, int sivalInt, Object sivalPtr, Runnable handedOff) {
        enqueue(new Pending(signo, Aio.SI_ASYNCIO, sivalInt, sivalPtr, handedOff, null, false));
    }

    /** sigqueue(getpid(), signo, value): 0, or -EAGAIN when SIGQUEUE_MAX signals are pending. */
    int sigqueue(int signo, int sivalInt, Object sivalPtr) {
        return queueUser(signo, Aio.SI_QUEUE, sivalInt, sivalPtr, null);
    }

    /** pthread_kill(thread, signo): the signal is meant for {@code thread} (si_code SI_TKILL). */
    int pthreadKill(Thread thread, int signo) {
        return queueUser(signo, Aio.SI_TKILL, 0, null, thread);
    }

    private int queueUser(int signo, int code, int sivalInt, Object sivalPtr, Thread target) {
        for (;;) {
            int n = userQueued.get();
            if (n >= sigqueueMax) {
                return -Errno.EAGAIN;
            }
            if (userQueued.compareAndSet(n, n + 1)) {
                break;
            }
        }
        enqueue(new Pending(signo, code, sivalInt, sivalPtr, null, target, true));
        return 0;
    }

    private void enqueue(Pending p) {
        if (!queue.offer(p)) {
            // Impossible while the bounds above hold; never lose a signal silently.
            throw new IllegalStateException("signal queue overflow");
        }
        if (deliverer == null) {
            return;
        }
        // Full fence: the offer must be visible before we read 'parked' (Dekker with run()).
        VarHandle.fullFence();
        if (parked) {
            LockSupport.unpark(deliverer);
        }
    }

    private void run() {
        for (;;) {
            Pending p = queue.poll();
            if (p != null) {
                deliver(p);
                continue;
            }
            if (stopping) {
                return;
            }
            parked = true;
            // Full fence: announce 'parked' before re-checking the queue (Dekker with enqueue()).
            VarHandle.fullFence();
            if (queue.isEmpty() && !stopping) {
                LockSupport.park(this);
            }
            parked = false;
        }
    }

    private void deliver(Pending p) {
        if (p.handedOff() != null) {
            p.handedOff().run();
        }
        if (p.user()) {
            userQueued.decrementAndGet();
        }
        SignalHandler h = handlers.get(p.signo());
        if (h == null) {
            ignored.increment();
            return;
        }
        try {
            h.handle(p.signo(), new siginfo_t(p.signo(), p.code(), 0, new sigval(p.sivalInt(), p.sivalPtr())));
        } catch (RuntimeException | Error e) {
            handlerFailures.increment();
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
        }
        delivered.increment();
        // The handler has run "on" the interrupted thread: its wait now ends with EINTR.
        boolean interrupted = p.target() != null ? waits.interrupt(p.target(), p.signo())
                : waits.interruptOne(p.signo());
        if (interrupted) {
            interruptions.increment();
        }
    }

    /** True while the delivery thread runs (never in stepped mode). */
    public boolean isAlive() {
        return deliverer != null && deliverer.isAlive();
    }

    /** True on the delivery thread (in a handler). */
    boolean inHandler() {
        return deliverer != null && Thread.currentThread() == deliverer;
    }

    public void counters(Map<String, Long> into) {
        into.put("signals.delivered", delivered.sum());
        into.put("signals.ignored", ignored.sum());
        into.put("signals.interruptions", interruptions.sum());
        into.put("signals.handlerFailures", handlerFailures.sum());
        into.put("signals.queued", (long) queue.size());
    }

    /** Delivers what is queued, then stops the delivery thread. */
    @Override
    public void close() {
        stopping = true;
        if (deliverer == null) {
            while (deliverQueued() > 0) {
                // handlers may queue more signals; deliver until none is left
            }
            return;
        }
        LockSupport.unpark(deliverer);
        if (Thread.currentThread() == deliverer) {
            return;
        }
        boolean interrupted = false;
        while (deliverer.isAlive()) {
            try {
                deliverer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
