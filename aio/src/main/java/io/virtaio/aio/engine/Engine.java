package io.virtaio.aio.engine;

import io.virtaio.netstack.Errno;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What every request of one runtime shares: its limits, its AIO_MAX budget and its counters. Thread-safe. */
public final class Engine {
    /** A hand-off callback for notifications that hold no slot. */
    public static final Runnable NOTHING = () -> { };

    private final Limits limits;
    private final Budget budget;
    private final Runnable slotReleaser;
    private final AtomicInteger synchronousCalls = new AtomicInteger();
    private final AtomicInteger channelOperations = new AtomicInteger();
    private final LongAdder submitted = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder canceled = new LongAdder();
    private final LongAdder notified = new LongAdder();
    private final LongAdder notificationFailures = new LongAdder();

    public Engine(Limits limits) {
        this.limits = limits;
        Budget b = new Budget(limits.aioMax());
        this.budget = b;
        this.slotReleaser = () -> b.release(1);
    }

    public Limits limits() {
        return limits;
    }

    public Budget budget() {
        return budget;
    }

    /** Returns one budget slot; allocated once, handed to notifications. */
    public Runnable slotReleaser() {
        return slotReleaser;
    }

    /** A request was handed to its descriptor (aio, synchronous call or channel operation): it will complete once. */
    public void countSubmission() {
        submitted.increment();
    }

    void countCompletion(int err) {
        completed.increment();
        if (err == Errno.ECANCELED) {
            canceled.increment();
        } else if (err != 0) {
            failed.increment();
        }
    }

    void countNotification() {
        notified.increment();
    }

    /** A notification could not be started (its executor or thread factory refused it). */
    public void countNotificationFailure() {
        notificationFailures.increment();
    }

    /** A synchronous call (read, write, fsync, accept, …) started waiting for its internal request. */
    public void enterSynchronousCall() {
        synchronousCalls.incrementAndGet();
    }

    public void exitSynchronousCall() {
        synchronousCalls.decrementAndGet();
    }

    /** A Java channel operation was submitted (it holds no AIO_MAX slot, but runtime close waits for it). */
    public void enterChannelOperation() {
        channelOperations.incrementAndGet();
    }

    /** A Java channel operation completed and its handler, future or blocked caller was handed the result. */
    public void exitChannelOperation() {
        channelOperations.decrementAndGet();
    }

    /**
     * Asynchronous requests outstanding (holding AIO_MAX slots), synchronous calls and Java channel operations in
     * progress.
     */
    public int inFlight() {
        return budget.used() + synchronousCalls.get() + channelOperations.get();
    }

    /** Adds this engine's counters to {@code into}. */
    public void counters(Map<String, Long> into) {
        into.put("requests.submitted", submitted.sum());
        into.put("requests.completed", completed.sum());
        into.put("requests.failed", failed.sum());
        into.put("requests.canceled", canceled.sum());
        into.put("requests.outstanding", (long) budget.used());
        into.put("notifications.fired", notified.sum());
        into.put("notifications.failed", notificationFailures.sum());
        into.put("calls.synchronous", (long) synchronousCalls.get());
        into.put("channels.operations", (long) channelOperations.get());
    }
}
