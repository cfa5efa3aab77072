package io.virtaio.interop;

import io.virtaio.netstack.Stack;
import io.virtaio.netstack.host.VirtioHost;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The simplest real-time owner of a {@link VirtioHost}: one thread that polls it, runs the test's calls and
 * per-iteration services on it (the stack is confined to this thread), and parks until the next deadline or a
 * wake-up. The host's wake-up doorbell — rung by the device's interrupt when the TAP reader delivers frames, and by
 * kicks — unparks it; {@link VirtioHost#prepareToWait} closes the race between checking for work and parking.
 * There is no periodic timer: a lost wake-up shows as a test timing out, not as a slow pass.
 */
final class HostLoop implements AutoCloseable {
    private final VirtioHost host;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> calls = new ConcurrentLinkedQueue<>();
    private final List<Consumer<Stack>> services = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private volatile Throwable failure;

    HostLoop(VirtioHost host, String name) {
        this.host = host;
        this.thread = Thread.ofPlatform().name("host-loop-" + name).daemon(true).unstarted(this::run);
        host.setWakeup(() -> LockSupport.unpark(thread));
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                // Only the calls queued before this round: a caller that queues its next call as soon as the last
                // one returned would otherwise keep the loop from polling (and the device from sending) at all.
                for (int n = calls.size(); n > 0; n--) {
                    calls.poll().run();
                }
                long now = System.nanoTime();
                long next = host.poll(now);
                // Indexed: an iterator per poll would be the loop's only allocation.
                for (int i = 0; i < services.size(); i++) {
                    services.get(i).accept(host.stack());
                }
                if (next <= now || !calls.isEmpty() || host.prepareToWait(now)) {
                    continue;
                }
                if (next == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, next - now);
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Runs {@code call} on the loop thread and returns its result. */
    <T> T call(Function<Stack, T> call) {
        FutureTask<T> task = new FutureTask<>(() -> call.apply(host.stack()));
        calls.add(task);
        LockSupport.unpark(thread);
        try {
            return task.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("call on the loop failed", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("call on the loop did not complete: " + describe(), e);
        }
    }

    /** Runs {@code service} on the loop thread after every poll until the loop stops (a server, a reader). */
    void addService(Consumer<Stack> service) {
        services.add(service);
        LockSupport.unpark(thread);
    }

    /** Waits until {@code condition}, evaluated on the loop thread, holds. */
    void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!call(s -> condition.getAsBoolean())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; " + describe());
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    VirtioHost host() {
        return host;
    }

    /** What the host's counters say, for failure messages. */
    String describe() {
        Throwable f = failure;
        return (f != null ? "loop failed: " + f + "; " : "") + "thread " + thread.getState();
    }

    /** Stops the thread and waits for it; rethrows what killed it, if anything did. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new AssertionError("host loop did not stop: " + describe());
        }
        if (failure != null) {
            throw new AssertionError("host loop failed", failure);
        }
    }
}
