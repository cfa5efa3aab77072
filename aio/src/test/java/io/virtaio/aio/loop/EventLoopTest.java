package io.virtaio.aio.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event loop: runs submissions in order on its thread, parks when idle, wakes on offers, doorbells, deadlines. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EventLoopTest {
    private final List<EventLoop> loops = new ArrayList<>();

    @AfterEach
    void stop() {
        for (EventLoop l : loops) {
            l.close();
            assertFalse(l.isAlive());
        }
    }

    private EventLoop loop(int ring, Backoff backoff) {
        EventLoop l = new EventLoop("test-loop", ring, backoff, System::nanoTime);
        loops.add(l);
        return l;
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void submissionsRunInOrderOnTheLoopThread() {
        EventLoop l = loop(64, Backoff.DEFAULT);
        List<Object> seen = new ArrayList<>();
        AtomicInteger wrongThread = new AtomicInteger();
        l.start((item, now) -> {
            if (!l.inLoop()) {
                wrongThread.incrementAndGet();
            }
            seen.add(item);
        });
        for (int i = 0; i < 1000; i++) {
            while (!l.offer(i)) {
                Thread.onSpinWait();
            }
        }
        l.close();
        assertEquals(1000, seen.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, seen.get(i));
        }
        assertEquals(0, wrongThread.get());
    }

    @Test
    void anIdleLoopParksAndStaysParked() throws InterruptedException {
        EventLoop l = loop(16, Backoff.DEFAULT);
        l.start((item, now) -> { }, now -> Long.MAX_VALUE);
        await(l::isParked, "the loop to park");
        long rounds = l.rounds();
        Thread.sleep(50);
        assertTrue(l.isParked());
        assertEquals(rounds, l.rounds(), "an idle loop runs no rounds: it uses no CPU");
    }

    @Test
    void anOfferWakesAParkedLoop() {
        EventLoop l = loop(16, Backoff.PARK);
        CountDownLatch ran = new CountDownLatch(1);
        l.start((item, now) -> ran.countDown());
        await(l::isParked, "the loop to park");
        assertTrue(l.offer("x"));
        await(() -> ran.getCount() == 0, "the submission to run");
    }

    @Test
    void aDoorbellMakesTheLoopPollAgain() {
        EventLoop l = loop(16, Backoff.PARK);
        AtomicInteger polls = new AtomicInteger();
        l.start((item, now) -> { }, now -> {
            polls.incrementAndGet();
            return Long.MAX_VALUE;
        });
        await(l::isParked, "the loop to park");
        int before = polls.get();
        l.doorbell().ring();
        await(() -> polls.get() > before, "a poll after the doorbell");
    }

    @Test
    void aDeadlineBringsTheLoopBackWithoutAWakeUp() {
        EventLoop l = loop(16, Backoff.PARK);
        AtomicLong due = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger fired = new AtomicInteger();
        l.start((item, now) -> due.set(now + 20_000_000L), now -> {
            if (now >= due.get()) {
                fired.incrementAndGet();
                due.set(Long.MAX_VALUE);
            }
            return due.get();
        });
        assertTrue(l.offer("arm"));
        await(() -> fired.get() == 1, "the timer to fire");
        await(l::isParked, "the loop to park again");
    }

    @Test
    void aFullRingRefusesOffers() throws InterruptedException {
        EventLoop l = loop(4, Backoff.PARK);
        CountDownLatch hold = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        l.start((item, now) -> {
            if ("hold".equals(item)) {
                holding.countDown();
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        assertTrue(l.offer("hold"));
        holding.await();
        int accepted = 0;
        while (l.offer(accepted)) {
            accepted++;
        }
        assertEquals(4, accepted);
        hold.countDown();
    }

    @Test
    void anExceptionIsCountedAndTheLoopGoesOn() {
        EventLoop l = loop(16, Backoff.PARK);
        AtomicInteger ok = new AtomicInteger();
        Thread.UncaughtExceptionHandler quiet = (t, e) -> { };
        l.start((item, now) -> {
            Thread.currentThread().setUncaughtExceptionHandler(quiet);
            if ("boom".equals(item)) {
                throw new IllegalStateException("boom");
            }
            ok.incrementAndGet();
        });
        assertTrue(l.offer("boom"));
        assertTrue(l.offer("fine"));
        await(() -> ok.get() == 1, "the loop to go on");
        java.util.Map<String, Long> c = new java.util.HashMap<>();
        l.counters(c);
        assertEquals(1L, c.get("loop.test-loop.errors"));
    }
}
