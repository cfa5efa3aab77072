package io.virtaio.aio.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The completion ring: bounded by reservations, every post reaped once, many producers, one consumer. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CompletionQueueTest {

    @Test
    void reservationsBoundTheRing() {
        CompletionQueue q = new CompletionQueue(3);
        assertTrue(q.reserve());
        assertTrue(q.reserve());
        assertTrue(q.reserve());
        assertFalse(q.reserve());
        q.post("a", 1);
        assertTrue(q.hasNext());
        assertEquals("a", q.owner());
        assertEquals(1, q.result());
        q.advance();
        assertTrue(q.reserve(), "reaping returns the reservation");
        q.unreserve();
        assertEquals(2, q.outstanding());
    }

    @Test
    void manyProducersEachEntryReapedOnce() throws InterruptedException {
        int producers = 4;
        int each = 20_000;
        CompletionQueue q = new CompletionQueue(256);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    while (!q.reserve()) {
                        Thread.onSpinWait();
                    }
                    q.post(id, i);
                }
            }));
        }
        long[] next = new long[producers];
        int reaped = 0;
        while (reaped < producers * each) {
            if (!q.awaitNext(System.nanoTime() + TimeUnit.SECONDS.toNanos(10), true)) {
                break;
            }
            int id = (Integer) q.owner();
            assertEquals(next[id]++, q.result(), "one producer's entries arrive in its order");
            q.advance();
            reaped++;
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(producers * each, reaped);
        assertEquals(0, q.outstanding());
    }
}
