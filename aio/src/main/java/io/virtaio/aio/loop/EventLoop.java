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
 * One event loop: it owns a set of {@link Pollable}s (network nodes: a stack and the device side of its in-process
 * backends) and a bounded MPSC submission ring through which any thread hands it work (requests, control calls).
 *
 * <p>Each round it takes the time once, drains the submission ring into its {@link Handler}, polls every
 * pollable and notes the earliest deadline. While there is work it keeps going; when a round finds none it backs off
 * ({@link Backoff}: spin, yield, then park until the deadline). {@link #offer} and {@link #wakeup()} (the loop's
 * {@link Doorbell}, rung by device notifications) unpark it. An idle loop is parked: it uses no CPU.
 *
 * <p>Parking is the Dekker handshake: the loop announces {@code sleeping}, lets every pollable re-enable its
 * notifications ({@link Pollable#prepareToWait}) and re-checks for work; a producer publishes its work and then reads
 * {@code sleeping}; a full fence on each side guarantees that one of them sees the other, so a wake-up is never lost.
 *
 * <p>Two ways to run. {@link #start} gives the loop a platform thread of its own. {@link #attach} gives it none: a
 * simulator steps it on its own thread with {@link #runOnce} and asks {@link #prepareToWait} before advancing virtual
 * time; the stepping thread then counts as the loop thread ({@link #inLoop()}).
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
    /** Stepped mode: the thread that steps the loop, which counts as the loop thread. */
    private volatile Thread stepper;
    private volatile boolean stepped;
    private Handler handler;
    private Pollable[] pollables;
    private long roundNs;
    /** The CPU the loop thread restricts itself to when it starts ({@link #pinTo}), or -1. */
    private int cpu = -1;
    /** The CPU the thread was pinned to, -1 until then or if pinning failed (read by counters). */
    private volatile int pinnedCpu = -1;

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

    /**
     * Before {@link #start}: the loop thread restricts itself to {@code cpu} as it starts ({@link CpuAffinity}). A
     * failure (no such CPU in this process's set, no support) is reported as a loop error and the loop runs
     * unpinned. No effect in stepped mode.
     */
    public void pinTo(int cpu) {
        if (thread != null) {
            throw new IllegalStateException("event loop " + name + " already started");
        }
        if (cpu < 0 || cpu >= CpuAffinity.MAX_CPUS) {
            throw new IllegalArgumentException("CPU " + cpu + " outside 0.." + (CpuAffinity.MAX_CPUS - 1));
        }
        this.cpu = cpu;
    }

    /** Starts the loop thread (a platform thread, daemon). */
    public void start(Handler h, Pollable... p) {
        if (thread != null || stepped) {
            throw new IllegalStateException("event loop " + name + " already started");
        }
        this.handler = Objects.requireNonNull(h);
        this.pollables = p.clone();
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
        thread.start();
    }

    /**
     * Stepped mode: no thread; {@code stepper} (and whoever {@link #bindStepper} names later) runs the loop's rounds
     * with {@link #runOnce}.
     */
    public void attach(Handler h, Thread stepper, Pollable... p) {
        if (thread != null || stepped) {
            throw new IllegalStateException("event loop " + name + " already started");
        }
        this.handler = Objects.requireNonNull(h);
        this.pollables = p.clone();
        this.stepper = Objects.requireNonNull(stepper);
        this.stepped = true;
    }

    /** Stepped mode: {@code t} steps the loop from now on (it becomes the loop thread). */
    public void bindStepper(Thread t) {
        if (!stepped) {
            throw new IllegalStateException("event loop " + name + " runs on its own thread");
        }
        stepper = Objects.requireNonNull(t);
    }

    /** True if the loop is stepped by a simulator rather than running on a thread of its own. */
    public boolean isStepped() {
        return stepped;
    }

    /**
     * Stepped mode: one round at {@code nowNs}: the submissions, then every pollable.
     *
     * @return when the loop next needs a round: {@code nowNs} if work remains now, {@link Long#MAX_VALUE} if only a
     *     submission or a doorbell can bring work
     */
    public long runOnce(long nowNs) {
        roundNs = nowNs;
        wakePending = false;
        rounds++;
        int work = running ? submissions.drain(dispatch, DRAIN_LIMIT) : 0;
        long next = Long.MAX_VALUE;
        for (Pollable p : pollables) {
            next = Math.min(next, poll(p, nowNs));
        }
        return work > 0 || !submissions.isEmpty() ? nowNs : next;
    }

    /**
     * Stepped mode: before virtual time advances, re-enable every pollable's notifications and re-check (the same
     * protocol a parking loop follows).
     *
     * @return true if the loop has work now (a submission, a doorbell, a pollable with work)
     */
    public boolean prepareToWait(long nowNs) {
        boolean work = !submissions.isEmpty() || wakePending;
        for (Pollable p : pollables) {
            work |= p.prepareToWait(nowNs);
        }
        return work;
    }

    /**
     * Stepped mode: true if a submission or a doorbell arrived since the last round — what unparks a parked loop
     * thread. Unlike {@link #prepareToWait} it asks the pollables nothing: a parked thread re-checks nothing.
     */
    public boolean hasWakeup() {
        return wakePending || !submissions.isEmpty();
    }

    /** Stepped mode: the simulator is about to run rounds again; notifications may be suppressed. */
    public void busy() {
        for (Pollable p : pollables) {
            p.busy();
        }
    }

    public String name() {
        return name;
    }

    /** Rings the loop awake; for devices whose notifications come from another thread. */
    public Doorbell doorbell() {
        return doorbell;
    }

    /** True on the loop's own thread (in stepped mode: on the thread that steps it). */
    public boolean inLoop() {
        Thread t = Thread.currentThread();
        return t == thread || (stepped && t == stepper);
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

    /** Submissions waiting in the ring (approximate from other threads). */
    public int queued() {
        return submissions.size();
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
        if (cpu >= 0) {
            try {
                CpuAffinity.pin(cpu);
                pinnedCpu = cpu;
            } catch (RuntimeException e) {
                report(e);
            }
        }
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
            park(now, next == Long.MAX_VALUE ? 0 : next - now);
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

    /** Parks for {@code timeoutNs} (0: until woken), unless a re-check after re-enabling notifications finds work. */
    private void park(long nowNs, long timeoutNs) {
        sleeping = true;
        // Full fence: announce 'sleeping' before re-checking for work (Dekker with offer() and wakeup()).
        VarHandle.fullFence();
        boolean work = !running || !submissions.isEmpty() || wakePending;
        // Every pollable re-enables its notifications, even when work is already known: the next park needs them.
        for (Pollable p : pollables) {
            work |= prepare(p, nowNs);
        }
        if (!work) {
            parks++;
            if (timeoutNs == 0) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, timeoutNs);
            }
        }
        sleeping = false;
        for (Pollable p : pollables) {
            p.busy();
        }
    }

    private boolean prepare(Pollable p, long nowNs) {
        try {
            return p.prepareToWait(nowNs);
        } catch (RuntimeException e) {
            report(e);
            return true;
        }
    }

    /** Rounds run, times parked, submissions handled, exceptions caught. */
    public void counters(Map<String, Long> into) {
        into.put("loop." + name + ".rounds", rounds);
        into.put("loop." + name + ".parks", parks);
        into.put("loop." + name + ".submissions", handled);
        into.put("loop." + name + ".errors", errors);
        into.put("loop." + name + ".cpu", (long) pinnedCpu);
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

    /** True while the loop runs: its thread is alive, or (stepped mode) it is attached and not closed. */
    public boolean isAlive() {
        return stepped ? running : thread != null && thread.isAlive();
    }

    /** True while a thread of the loop's own is alive (never in stepped mode). */
    public boolean hasLiveThread() {
        return thread != null && thread.isAlive();
    }

    /** Stops the loop after it has run what was already offered; waits for its thread. */
    @Override
    public void close() {
        running = false;
        if (stepped) {
            // Work offered while stopping still runs, on the closing thread, so that nothing handed over is lost.
            submissions.drain(dispatch);
            return;
        }
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
