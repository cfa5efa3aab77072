package io.virtaio.netstack.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;

    private static int take(TokenBucket b, long nowNs, int tries) {
        int taken = 0;
        for (int i = 0; i < tries; i++) {
            if (b.tryTake(nowNs)) {
                taken++;
            }
        }
        return taken;
    }

    @Test
    void startsFullThenRefillsAtTheRate() {
        TokenBucket b = new TokenBucket(100, 100, 0);
        assertEquals(100, take(b, 0, 500));
        assertEquals(1, take(b, 10_000_000, 5));            // 10 ms buys one token at 100/s
        assertEquals(50, take(b, 510_000_000, 500));        // half a second buys 50
    }

    @Test
    void neverSavesMoreThanTheBurst() {
        TokenBucket b = new TokenBucket(10, 3, 0);
        assertEquals(3, take(b, 100 * SECOND, 10));
        assertEquals(0, take(b, 100 * SECOND, 10));
    }

    @Test
    void zeroRateRefusesEverything() {
        TokenBucket b = new TokenBucket(0, 0, 0);
        assertFalse(b.tryTake(0));
        assertFalse(b.tryTake(1000 * SECOND));
    }

    @Test
    void timeGoingBackwardsEarnsNothing() {
        TokenBucket b = new TokenBucket(1, 1, SECOND);
        assertTrue(b.tryTake(SECOND));
        assertFalse(b.tryTake(0));
        assertFalse(b.tryTake(SECOND + SECOND / 2));
        assertTrue(b.tryTake(2 * SECOND));
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(-1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(5, 0, 0));
    }
}
