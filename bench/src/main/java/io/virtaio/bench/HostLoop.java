package io.virtaio.bench;

import io.virtaio.netstack.host.VirtioHost;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * A loop thread that owns one {@link VirtioHost} and the application code running on it, for benchmarks: it polls
 * the host and steps the application while either has work, spins briefly when idle, then re-enables the
 * host's notifications ({@link VirtioHost#prepareToWait}) and parks until the host's next deadline or a
 * notification from the peer's thread (a frame or a completed transmit rings the host's wakeup doorbell), or until
 * another thread that handed the application work calls {@link #wakeup}.
 *
 * <p>Parking is the Dekker handshake of the aio runtime's EventLoop: the loop announces {@code sleeping}, then
 * re-checks for work; the doorbell publishes {@code woken}, then reads {@code sleeping}; a full fence on each side
 * makes sure one of them sees the other, so no wakeup is lost. Allocates nothing per round.
 */
final class HostLoop implements AutoCloseable {
    /** Application code stepped on the loop after each host poll. */
    @FunctionalInterface
    interface App {
        /** Makes the socket calls due at {@code nowNs}; returns how much it did (0: nothing). */
        int step(long nowNs);
    }

    /** Idle rounds spent spinning before parking (short: two cores, two loops, performance.md). */
    private static final int SPINS = 100;

    private final VirtioHost host;
    private final App app;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean sleeping;
    private volatile boolean woken;
    // Loop-thread statistics, read after the loop stopped.
    long rounds;
    long parks;
    /** CPU time the loop thread used (user + system), measured when it stops. */
    long cpuNs;

    HostLoop(String name, VirtioHost host, App app) {
        this.host = host;
        this.app = app;
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
        host.setWakeup(this::wakeup);
    }

    void start() {
        thread.start();
    }

    /**
     * The loop has work: rung by the host (from the peer's loop thread) and by code on other threads that handed the
     * loop's application something to do. Any thread; allocates nothing; costs a full fence, and an unpark only
     * while the loop sleeps.
     */
    void wakeup() {
        woken = true;
        // Full fence: 'woken' must be visible before we read 'sleeping' (Dekker with the park below).
        VarHandle.fullFence();
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        int idle = 0;
        host.busy();
        while (running) {
            long now = System.nanoTime();
            woken = false;
            rounds++;
            long next = host.poll(now);
            int work = app.step(now);
            if (work > 0) {
                host.stack().flush(now);            // what the application queued goes out with the next poll
            }
            if (work > 0 || next <= now) {
                idle = 0;
                continue;
            }
            if (++idle <= SPINS) {
                Thread.onSpinWait();
                continue;
            }
            sleeping = true;
            // Full fence: announce 'sleeping' before re-checking for work (Dekker with wakeup()).
            VarHandle.fullFence();
            if (running && !woken && !host.prepareToWait(now)) {
                parks++;
                if (next == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, next - now);
                }
            }
            sleeping = false;
            host.busy();
            idle = 0;
        }
        cpuNs = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /** Stops the loop and waits for its thread; the host is the caller's again afterwards. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
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
