package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Notifications lost, duplicated, delayed and made up, counted and seeded. */
class FaultyDoorbellTest {
    static final int N = 100_000;

    /** Times at which the wrapped doorbell rang. */
    final List<Long> rang = new ArrayList<>();
    long now;

    FaultyDoorbell doorbell(NotificationFaults f, long seed) {
        return new FaultyDoorbell("irq", () -> rang.add(now), f, seed);
    }

    @Test
    void lossAndDuplicationFollowTheirProbabilities() {
        FaultyDoorbell d = doorbell(new NotificationFaults(0.2, 0.1, 0, 0, 0), 3);
        for (int i = 0; i < N; i++) {
            d.ring();
        }
        assertTrue(Math.abs(d.lost() - N * 0.2) < 5 * Math.sqrt(N * 0.2 * 0.8), "lost " + d.lost());
        double kept = N - d.lost();
        assertTrue(Math.abs(d.duplicated() - kept * 0.1) < 5 * Math.sqrt(kept * 0.1 * 0.9), "dup " + d.duplicated());
        assertEquals(N - d.lost() + d.duplicated(), rang.size());
        assertEquals(rang.size(), d.delivered());
        assertEquals(N, d.rings());
    }

    @Test
    void aDelayedNotificationIsDeliveredByThePollAtItsTimeAndOverlappingOnesCoalesce() {
        FaultyDoorbell d = doorbell(NotificationFaults.delayOf(1, 500), 1);
        now = 1000;
        d.observe(now);
        d.ring();
        now = 1100;
        d.observe(now);
        d.ring();
        assertEquals(List.of(), rang, "nothing yet");
        assertEquals(1500, d.poll(1499), "deadline: the first due time");
        now = 1500;
        assertEquals(Long.MAX_VALUE, d.poll(1500));
        assertEquals(List.of(1500L), rang, "one notification covers both: it carries no data");
        assertEquals(2, d.delayed());
        assertEquals(1, d.coalesced());
    }

    @Test
    void spuriousNotificationsArriveAsAPoissonProcess() {
        FaultyDoorbell d = doorbell(NotificationFaults.spuriousEvery(1000), 9);
        long t = 0;
        long until = 100_000_000;
        while (t <= until) {
            now = t;
            long next = d.poll(t);
            assertTrue(next > t);
            t = next;
        }
        // Poisson: mean until/1000 = 100,000 events, sd sqrt(100,000).
        assertTrue(Math.abs(d.spurious() - 100_000) < 5 * Math.sqrt(100_000), "spurious " + d.spurious());
        assertEquals(d.spurious(), rang.size());
        for (int i = 1; i < rang.size(); i++) {
            assertTrue(rang.get(i) > rang.get(i - 1));
        }
    }

    @Test
    void theSameSeedGivesTheSameNotifications() {
        NotificationFaults f = new NotificationFaults(0.3, 0.3, 0.3, 700, 5000);
        List<Long> first = record(f, 5);
        List<Long> second = record(f, 5);
        assertEquals(first, second);
        assertTrue(!first.equals(record(f, 6)), "another seed, other notifications");
    }

    private List<Long> record(NotificationFaults f, long seed) {
        rang.clear();
        FaultyDoorbell d = doorbell(f, seed);
        for (long t = 0; t < 1_000_000; t += 100) {
            now = t;
            d.poll(t);
            if (t % 300 == 0) {
                d.ring();
            }
        }
        return new ArrayList<>(rang);
    }
}
