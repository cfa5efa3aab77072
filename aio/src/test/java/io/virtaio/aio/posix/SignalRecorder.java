package io.virtaio.aio.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Records the deliveries of one emulated signal. */
final class SignalRecorder implements SignalHandler {
    private final List<siginfo_t> received = new CopyOnWriteArrayList<>();

    SignalRecorder(Aio aio, int signo) {
        assertEquals(0, aio.sigaction(signo, new sigaction(this), null));
    }

    @Override
    public void handle(int signo, siginfo_t info) {
        received.add(info);
    }

    int count() {
        return received.size();
    }

    List<siginfo_t> received() {
        return received;
    }

    void await(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.size() < n) {
            if (System.nanoTime() > deadline) {
                fail("expected " + n + " signals, got " + received.size());
            }
            Thread.onSpinWait();
        }
    }
}
