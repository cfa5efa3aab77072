package io.virtaio.aio;

import io.virtaio.aio.kernel.Stepper;
import io.virtaio.aio.loop.EventLoop;
import io.virtaio.aio.posix.Signals;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * The virtual-time driver of a simulated runtime ({@code AioRuntime.builder().simulated(startNs)}): one thread steps
 * every network node, delivers signals and runs SIGEV_THREAD notifications; when nothing has work at the current
 * instant, the clock jumps to the earliest deadline. It works as {@link io.virtaio.netstack.sim.Simulation} does for
 * bare hosts, and waits the same way a loop thread does (notifications re-enabled, then re-checked), so the virtqueue
 * notification protocol is exercised too.
 *
 * <p>Deterministic: no loop, signal or notification thread exists; time is virtual; each round polls the nodes in
 * the order they were added, then delivers queued signals, then runs queued notifications, in queue order. The same
 * build, configuration, seeds and application steps give the same run, frame for frame. (Host file I/O still runs on
 * the file worker threads, in real time: keep files out of a simulation that must replay.)
 *
 * <pre>{@code
 * try (AioRuntime rt = AioRuntime.builder().wiredPair().simulated(0).build()) {
 *     Simulator sim = rt.simulator();
 *     Aio a = rt.aio(0);
 *     // blocking calls made on the simulation thread run the simulation until they can return:
 *     int fd = a.socket(AF_INET, SOCK_STREAM, 0);
 *     a.connect(fd, new sockaddr_in(Nodes.ADDRESS_B, 7));      // needs a listener on node 1
 *     a.aio_write(cb);
 *     sim.run(now -> a.aio_error(cb) != EINPROGRESS, 10_000_000_000L);
 * }
 * }</pre>
 *
 * <p>Blocking calls on the simulation thread (connect, accept, read, write, aio_suspend, lio_listio with LIO_WAIT)
 * step the simulation — without calling the application's {@link Step} — until they can return: a timeout is
 * measured in virtual time, and a wait that nothing scheduled can ever end fails with EDEADLK instead of hanging.
 * Other threads may submit requests too; they are picked up by the next round, but their timing is then not
 * reproducible.
 *
 * <p>Thread: the thread that built the runtime, or whichever thread calls {@link #run}, {@link #runUntil} or
 * {@link #step} (one at a time). Allocation: none per round.
 */
public final class Simulator implements Stepper {
    /** Rounds allowed at one instant before the run is declared a livelock. */
    private static final int MAX_ROUNDS_PER_INSTANT = 1_000_000;

    /** Application logic called after every round. */
    @FunctionalInterface
    public interface Step {
        /**
         * Called after every round at virtual time {@code nowNs}: submit requests, check statuses.
         *
         * @return true when the run is complete
         */
        boolean step(long nowNs);
    }

    /** Why {@link #run} stopped. */
    public enum Outcome {
        /** The step returned true. */
        DONE,
        /** Virtual time reached the limit first. */
        TIME_LIMIT,
        /** Nothing was scheduled and nothing was notified: no event can ever come. */
        DEADLOCK
    }

    private static final class Slot {
        final EventLoop loop;
        boolean notified = true;
        /** It found no work when it last prepared to wait: only its doorbell, a submission or its deadline wake it. */
        boolean parked;
        long deadline = Long.MIN_VALUE;

        Slot(EventLoop loop) {
            this.loop = loop;
        }
    }

    /** The nodes' loops, in the order they were added; an array, so that rounds allocate nothing. */
    private Slot[] slots = new Slot[0];
    private final Notifications notifications = new Notifications();
    private Signals signals;
    private volatile Thread owner;
    private long nowNs;
    private long rounds;
    private long instants;

    Simulator(long startNs) {
        this.nowNs = startNs;
        this.owner = Thread.currentThread();
    }

    /** Wiring by the runtime, on the building thread. */
    void attach(List<EventLoop> loops, Signals s) {
        List<Slot> all = new ArrayList<>();
        for (EventLoop l : loops) {
            all.add(new Slot(l));
        }
        this.slots = all.toArray(new Slot[0]);
        this.signals = s;
    }

    /** The executor of SIGEV_THREAD notifications: runs them on the simulation thread, in order, each round. */
    Executor notificationExecutor() {
        return notifications;
    }

    /** Virtual time now. */
    @Override
    public long nowNs() {
        return nowNs;
    }

    /** Rounds run so far. */
    public long rounds() {
        return rounds;
    }

    /** Distinct instants the clock stopped at. */
    public long instants() {
        return instants;
    }

    @Override
    public boolean onStepperThread() {
        return Thread.currentThread() == owner;
    }

    /**
     * Runs until {@code app} says it is done, virtual time would pass {@code untilNs}, or nothing can happen any more.
     *
     * @throws IllegalStateException if the nodes keep asking for rounds at one instant (a livelock)
     */
    public Outcome run(Step app, long untilNs) {
        bind();
        return loop(app, null, untilNs);
    }

    /**
     * Runs until {@code done} holds (checked after every round), virtual time would pass {@code deadlineNs}, or
     * nothing can happen any more; returns {@code done} at the end. This is how blocking calls wait on this thread:
     * when nothing can happen any more before a finite deadline, the clock moves to the deadline (the wait timed out).
     */
    @Override
    public boolean runUntil(BooleanSupplier done, long deadlineNs) {
        bind();
        if (done.getAsBoolean()) {
            return true;
        }
        if (loop(null, done, deadlineNs) == Outcome.DEADLOCK && deadlineNs != Long.MAX_VALUE) {
            advanceTo(deadlineNs);
        }
        return done.getAsBoolean();
    }

    /**
     * One round at the current instant: every node that was notified or whose deadline has come, then queued signals
     * and notifications.
     *
     * @return true if anything ran
     */
    public boolean step() {
        bind();
        return round();
    }

    /**
     * When a round is next needed: now if a node or a notification has work (after re-enabling notifications, as
     * a parking loop would), else the earliest deadline, {@link Long#MAX_VALUE} if none.
     */
    public long nextDeadlineNs() {
        bind();
        if (prepareToWait()) {
            return nowNs;
        }
        long next = Long.MAX_VALUE;
        for (Slot s : slots) {
            next = Math.min(next, s.deadline);
        }
        return next;
    }

    /** Moves virtual time forward to {@code ns} (never backwards) without running anything. */
    public void advanceTo(long ns) {
        if (ns > nowNs) {
            nowNs = ns;
            instants++;
        }
    }

    private void bind() {
        Thread t = Thread.currentThread();
        if (owner != t) {
            owner = t;
            for (Slot s : slots) {
                s.loop.bindStepper(t);
            }
        }
    }

    private Outcome loop(Step app, BooleanSupplier done, long untilNs) {
        int roundsHere = 0;
        while (true) {
            boolean progress = round();
            if (app != null ? app.step(nowNs) : done.getAsBoolean()) {
                return Outcome.DONE;
            }
            if (progress) {
                if (++roundsHere > MAX_ROUNDS_PER_INSTANT) {
                    throw new IllegalStateException("livelock: still busy after " + MAX_ROUNDS_PER_INSTANT
                            + " rounds at t=" + nowNs + " ns");
                }
                continue;
            }
            if (prepareToWait()) {
                continue;
            }
            long next = Long.MAX_VALUE;
            for (Slot s : slots) {
                next = Math.min(next, s.deadline);
            }
            if (next == Long.MAX_VALUE) {
                return Outcome.DEADLOCK;
            }
            if (next > untilNs) {
                advanceTo(untilNs);
                return Outcome.TIME_LIMIT;
            }
            advanceTo(Math.max(nowNs, next));
            roundsHere = 0;
        }
    }

    private boolean round() {
        rounds++;
        boolean ran = false;
        for (Slot s : slots) {
            if (s.notified || s.deadline <= nowNs) {
                s.notified = false;
                s.parked = false;
                s.loop.busy();
                s.deadline = s.loop.runOnce(nowNs);
                ran = true;
            }
        }
        if (signals != null && signals.deliverQueued() > 0) {
            ran = true;
        }
        if (notifications.runQueued() > 0) {
            ran = true;
        }
        return ran;
    }

    /** Nothing ran at this instant: wait as a loop would, re-checking after re-enabling notifications. */
    private boolean prepareToWait() {
        boolean woke = false;
        for (Slot s : slots) {
            // A parked loop thread re-checks nothing until something unparks it. Asking its node again at every
            // later instant would find work that no notification announced, and hide a lost interrupt.
            boolean work = s.parked ? s.loop.hasWakeup() : s.loop.prepareToWait(nowNs);
            s.parked = !work;
            if (work) {
                s.notified = true;
                woke = true;
            }
        }
        return woke || (signals != null && signals.hasQueued()) || notifications.hasQueued();
    }

    /** SIGEV_THREAD notifications of a simulated runtime, run by the simulation thread in submission order. */
    private static final class Notifications implements Executor {
        private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable task) {
            queue.add(task);
        }

        int runQueued() {
            int n = 0;
            for (int left = queue.size(); left > 0; left--) {
                Runnable r = queue.poll();
                if (r == null) {
                    break;
                }
                n++;
                try {
                    r.run();
                } catch (RuntimeException | Error e) {
                    Thread t = Thread.currentThread();
                    t.getUncaughtExceptionHandler().uncaughtException(t, e);
                }
            }
            return n;
        }

        boolean hasQueued() {
            return !queue.isEmpty();
        }
    }
}
