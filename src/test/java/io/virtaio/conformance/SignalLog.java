package io.virtaio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.SignalHandler;
import io.virtaio.aio.posix.sigaction;
import io.virtaio.aio.posix.siginfo_t;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A handler for one emulated signal that records every delivery, so a case can count and inspect them. */
final class SignalLog implements SignalHandler {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<siginfo_t> received = new ArrayList<>();
    private final SignalHandler also;

    private SignalLog(SignalHandler also) {
        this.also = also;
    }

    /** Installs a log as the handler of {@code signo}. */
    static SignalLog install(Aio aio, int signo) {
        return install(aio, signo, null);
    }

    /** Installs a log that also runs {@code also} (inside the handler) for each delivery. */
    static SignalLog install(Aio aio, int signo, SignalHandler also) {
        SignalLog log = new SignalLog(also);
        assertEquals(0, aio.sigaction(signo, new sigaction(log), null));
        return log;
    }

    @Override
    public void handle(int signo, siginfo_t info) {
        if (also != null) {
            also.handle(signo, info);
        }
        lock.lock();
        try {
            received.add(info);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns once every signal queued before this call has been delivered: signals are delivered one at a time in
     * the order they were queued, so a marker signal queued now arrives after all of them.
     */
    static void drain(Aio aio) {
        SignalLog marker = install(aio, MARKER);
        assertEquals(0, aio.sigqueue(MARKER, null));
        marker.await(1);
    }

    /** The signal {@link #drain} uses; cases use SIGRTMIN+1 and SIGRTMIN+2, as the C cases do. */
    static final int MARKER = Aio.SIGRTMAX;

    int count() {
        lock.lock();
        try {
            return received.size();
        } finally {
            lock.unlock();
        }
    }

    List<siginfo_t> received() {
        lock.lock();
        try {
            return List.copyOf(received);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until at least {@code n} deliveries were recorded. */
    void await(int n) {
        long deadline = System.nanoTime() + PosixFixture.WAIT_NS;
        lock.lock();
        try {
            while (received.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("expected " + n + " signals, got " + received.size());
                }
                arrived.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        } finally {
            lock.unlock();
        }
    }
}
