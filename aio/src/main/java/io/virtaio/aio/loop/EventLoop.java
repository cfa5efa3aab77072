package io.virtaio.aio.loop;

import io.virtaio.virtio.queue.Doorbell;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

/**
 * One event-loop thread: it owns a set of {@link Pollable}s (a network stack and the device side of its in-process
 * backends) and a bounded MPSC submission ring through which any thread hands it work (requests, control calls).
 *
 * <p>Each round it takes the time once, drains the submission ring into its {@link Handler}, polls every
 * pollable and notes the earliest deadline. While there is work it keeps going; when a round finds none it backs off
 * ({@link Backoff}: spin, yield, then park until the deadline). {@link #offer} and {@link #wakeup()} (the loop's
 * {@link Doorbell}, for devices with threads of their own) unpark it. An idle loop is parked: it uses no CPU.
 *
 * <p>Parking is the Dekker handshake: the loop announces {@code sleeping} and re-checks for work; a producer
 * publishes its work and then reads {@code sleeping}; a full fence on each side guarantees that one of them sees the
 * other, so a wake-up is never lost.
 *
 * <p>Exceptions thrown by the handler or a pollable are counted and reported to the thread's uncaught-exception
 * handler; they never stop the loop.
 */
public final class EventLoop implements AutoCloseable {
    /** Receives, on the loop thread, each item submitted with {@link #offer}. */
    @FunctionalInterface
    public interface Handler {
        void onSubmission(Object item, long nowNs);
    }

    /** Submissions taken per round, so a flood of them cannot starve the pollables. */
    private static final int DRAIN_LIMIT = 256;

    private final String name;
    private final MpscVarHandleArrayQueue<Object> submissions;
    private final Backoff backoff;
    private final LongSupplier clock;
    private final Doorbell doorbell = this::wakeup;
    private final MessagePassingQueue.Consumer<Object> dispatch = this::dispatch;
    private Thread thread;
    private Handler handler;
    private Pollable[] pollables;
    private long roundNs;

    private volatile boolean running = true;
    private volatile boolean sleeping;
    private volatile boolean wakePending;

    // Written by the loop thread only; other threads read them without synchronization (approximate).
    private long rounds;
    private long parks;
    private long handled;
    private long errors;

    /**
     * A loop that is not running yet: hand out {@link #doorbell()} first, then {@link #start} it.
     *
     * @param ringCapacity bound of the submission ring (rounded up to a power of two); beyond it offers fail
     */
    public EventLoop(String name, int ringCapacity, Backoff backoff, LongSupplier clock) {
        this.name = Objects.requireNonNull(name);
        this.submissions = new MpscVarHandleArrayQueue<>(Math.max(2, ringCapacity));
        this.backoff = Objects.requireNonNull(backoff);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Starts the loop thread (a platform thread, daemon). */
    public void start(Handler h, Pollable... p) {
        if (thread != null) {
            throw new IllegalStateException("event loop " + name + " already started");
        }
        this.handler = Objects.requireNonNull(h);
        this.pollables = p.clone();
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
        thread.start();
    }

    public String name() {
        return name;
    }

    /** Rings the loop awake; for devices whose notifications come from another thread. */
    public Doorbell doorbell() {
        return doorbell;
    }

    /** True on the loop's own thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * Hands {@code item} to the loop. From any thread; never blocks.
     *
     * @return false when the submission ring is full (nothing was queued: the caller reports EAGAIN)
     */
    public boolean offer(Object item) {
        if (!submissions.offer(item)) {
            return false;
        }
        // Full fence: the offer must be visible before we read 'sleeping' (Dekker with park()).
        VarHandle.fullFence();
        if (sleeping) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /** Makes the loop run a round soon (a device has work). From any thread; never blocks. */
    public void wakeup() {
        wakePending = true;
        // Full fence: the pending flag must be visible before we read 'sleeping' (Dekker with park()).
        VarHandle.fullFence();
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        int idle = 0;
        while (running) {
            long now = clock.getAsLong();
            roundNs = now;
            wakePending = false;
            rounds++;
            int work = submissions.drain(dispatch, DRAIN_LIMIT);
            long next = Long.MAX_VALUE;
            for (Pollable p : pollables) {
                next = Math.min(next, poll(p, now));
            }
            if (work > 0 || next <= now) {
                idle = 0;
                continue;
            }
            if (backoff.busy(++idle)) {
                continue;
            }
            park(next == Long.MAX_VALUE ? 0 : next - now);
            idle = 0;
        }
        // Work offered while stopping still runs, so that nothing handed to the loop is lost.
        roundNs = clock.getAsLong();
        submissions.drain(dispatch);
    }

    private long poll(Pollable p, long now) {
        try {
            return p.poll(now);
        } catch (RuntimeException e) {
            report(e);
            return now;
        }
    }

    private void dispatch(Object item) {
        handled++;
        try {
            handler.onSubmission(item, roundNs);
        } catch (RuntimeException e) {
            report(e);
        }
    }

    private void report(RuntimeException e) {
        errors++;
        Thread t = Thread.currentThread();
        t.getUncaughtExceptionHandler().uncaughtException(t, e);
    }

    /** Parks for {@code timeoutNs} (0: until woken). */
    private void park(long timeoutNs) {
        sleeping = true;
        // Full fence: announce 'sleeping' before re-checking for work (Dekker with offer() and wakeup()).
        VarHandle.fullFence();
        if (running && submissions.isEmpty() && !wakePending) {
            parks++;
            if (timeoutNs == 0) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, timeoutNs);
            }
        }
        sleeping = false;
    }

    /** Rounds run, times parked, submissions handled, exceptions caught. */
    public void counters(Map<String, Long> into) {
        into.put("loop." + name + ".rounds", rounds);
        into.put("loop." + name + ".parks", parks);
        into.put("loop." + name + ".submissions", handled);
        into.put("loop." + name + ".errors", errors);
    }

    /** True while the loop thread is parked (it announced sleeping and the JVM shows it waiting). */
    public boolean isParked() {
        Thread t = thread;
        if (t == null || !sleeping) {
            return false;
        }
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }

    /** Rounds run so far (approximate when read from another thread). */
    public long rounds() {
        return rounds;
    }

    public boolean isAlive() {
        return thread != null && thread.isAlive();
    }

    /** Stops the loop after it has run what was already offered; waits for its thread. */
    @Override
    public void close() {
        running = false;
        if (thread == null) {
            return;
        }
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
