package io.virtaio.netstack.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
    private static final long TICK = 1L << TimerWheel.DEFAULT_TICK_SHIFT;

    @Test
    void firesAtDeadlineNotBefore() {
        TimerWheel wheel = new TimerWheel();
        long[] firedAt = {-1};
        Timer t = new Timer(now -> firedAt[0] = now);
        wheel.arm(t, 10_000);
        wheel.advance(9_999);
        assertEquals(-1, firedAt[0]);
        assertTrue(wheel.nextDeadlineNs() <= 10_000 + TICK);
        wheel.advance(10_000 + TICK);
        assertEquals(10_000 + TICK, firedAt[0]);
        assertFalse(t.isArmed());
        assertEquals(0, wheel.armed());
    }

    @Test
    void cancelledTimerNeverFires() {
        TimerWheel wheel = new TimerWheel();
        int[] fired = {0};
        Timer t = new Timer(now -> fired[0]++);
        wheel.arm(t, 5_000_000);
        wheel.cancel(t);
        wheel.advance(10_000_000_000L);
        assertEquals(0, fired[0]);
        assertEquals(TimerWheel.NEVER, wheel.nextDeadlineNs());
    }

    @Test
    void handlerMayRearmItself() {
        TimerWheel wheel = new TimerWheel();
        List<Long> fires = new ArrayList<>();
        Timer[] self = new Timer[1];
        self[0] = new Timer(now -> {
            fires.add(now);
            if (fires.size() < 5) {
                wheel.arm(self[0], now + 1024 * TICK);
            }
        });
        wheel.arm(self[0], 1024 * TICK);
        for (long now = 0; now <= 10_000 * TICK; now += 256 * TICK) {
            wheel.advance(now);
        }
        assertEquals(List.of(1024 * TICK, 2048 * TICK, 3072 * TICK, 4096 * TICK, 5120 * TICK), fires);
    }

    @Test
    void pastDeadlineFiresAtNextAdvance() {
        TimerWheel wheel = new TimerWheel(10, 1_000_000);
        int[] fired = {0};
        Timer t = new Timer(now -> fired[0]++);
        wheel.arm(t, 5);
        assertTrue(wheel.nextDeadlineNs() <= 1_000_000);
        assertEquals(1, wheel.advance(1_000_000));
        assertEquals(1, fired[0]);
    }

    @Test
    void farDeadlinesBeyondTheWheelRangeStillFireOnTime() {
        TimerWheel wheel = new TimerWheel();
        long far = 40L * 3600 * 1_000_000_000L; // 40 hours: beyond 2^36 ticks
        long[] firedAt = {-1};
        Timer t = new Timer(now -> firedAt[0] = now);
        wheel.arm(t, far);
        long now = 0;
        int steps = 0;
        while (firedAt[0] < 0 && steps++ < 1000) {
            now = Math.max(now + 1, wheel.nextDeadlineNs());
            wheel.advance(now);
        }
        assertTrue(firedAt[0] >= far, "fired early at " + firedAt[0]);
        assertTrue(firedAt[0] <= far + TICK, "fired late at " + firedAt[0]);
    }

    /** Against a reference model: every timer fires exactly once, at the first advance at or past its tick. */
    @Test
    void matchesReferenceModelUnderRandomArmCancelAndJumps() {
        SplittableRandom rnd = new SplittableRandom(42);
        TimerWheel wheel = new TimerWheel();
        int n = 2000;
        long[] deadline = new long[n];
        boolean[] armed = new boolean[n];
        long[] firedAt = new long[n];
        int[] fireCount = new int[n];
        Timer[] timers = new Timer[n];
        for (int i = 0; i < n; i++) {
            int id = i;
            timers[i] = new Timer(now -> {
                fireCount[id]++;
                firedAt[id] = now;
            });
        }
        long now = 0;
        for (int round = 0; round < 200_000; round++) {
            int op = rnd.nextInt(10);
            int i = rnd.nextInt(n);
            if (op < 4) {
                long delta = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextLong(100_000);
                    case 1 -> rnd.nextLong(50_000_000);
                    case 2 -> rnd.nextLong(5_000_000_000L);
                    default -> rnd.nextLong(200_000_000_000L);
                };
                if (armed[i]) {
                    fireCount[i] = 0;
                }
                deadline[i] = now + delta;
                armed[i] = true;
                fireCount[i] = 0;
                wheel.arm(timers[i], deadline[i]);
            } else if (op < 5) {
                wheel.cancel(timers[i]);
                armed[i] = false;
            } else {
                long next = wheel.nextDeadlineNs();
                long earliest = Long.MAX_VALUE;
                for (int k = 0; k < n; k++) {
                    if (armed[k]) {
                        earliest = Math.min(earliest, deadline[k]);
                    }
                }
                if (earliest != Long.MAX_VALUE) {
                    assertTrue(next <= earliest + TICK, "next deadline " + next + " after earliest " + earliest);
                }
                long step = rnd.nextInt(3) == 0 && next != TimerWheel.NEVER ? Math.max(now, next) - now
                        : rnd.nextLong(rnd.nextBoolean() ? 2_000_000 : 20_000_000_000L);
                now += step;
                wheel.advance(now);
                long nowTick = now >> TimerWheel.DEFAULT_TICK_SHIFT;
                for (int k = 0; k < n; k++) {
                    if (!armed[k]) {
                        continue;
                    }
                    long tick = (deadline[k] + TICK - 1) >> TimerWheel.DEFAULT_TICK_SHIFT;
                    if (tick <= nowTick) {
                        assertEquals(1, fireCount[k], "timer " + k + " deadline " + deadline[k] + " now " + now);
                        assertEquals(now, firedAt[k]);
                        assertFalse(timers[k].isArmed());
                        armed[k] = false;
                    } else {
                        assertEquals(0, fireCount[k], "timer " + k + " fired early");
                        assertTrue(timers[k].isArmed());
                    }
                }
            }
        }
        int stillArmed = 0;
        for (boolean a : armed) {
            stillArmed += a ? 1 : 0;
        }
        assertEquals(stillArmed, wheel.armed());
    }
}
