package io.virtaio.netstack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LoopbackQueueTest {
    private static final int CAPACITY = 3 * (LoopbackQueue.MTU + 9) / 8 * 8;

    private static void fill(MemorySegment seg, long at, int len, byte seed) {
        for (int i = 0; i < len; i++) {
            seg.set(ValueLayout.JAVA_BYTE, at + i, (byte) (seed + i));
        }
    }

    @Test
    void packetsComeOutInOrderWithTheirLengths() {
        LoopbackQueue q = new LoopbackQueue(CAPACITY);
        long at = q.reserve(100);
        fill(q.segment(), at, 60, (byte) 1);
        q.commit(60);
        at = q.reserve(100);
        fill(q.segment(), at, 7, (byte) 9);
        q.commit(7);
        assertEquals(2, q.count());
        assertEquals(60, q.headLength());
        assertEquals(1, q.segment().get(ValueLayout.JAVA_BYTE, q.headOffset()));
        q.pop();
        assertEquals(7, q.headLength());
        assertEquals(9, q.segment().get(ValueLayout.JAVA_BYTE, q.headOffset()));
        q.pop();
        assertTrue(q.isEmpty());
    }

    @Test
    void refusesWhenFullAndCountsIt() {
        LoopbackQueue q = new LoopbackQueue(CAPACITY);
        int committed = 0;
        while (q.reserve(LoopbackQueue.MTU) >= 0) {
            q.commit(LoopbackQueue.MTU);
            committed++;
        }
        assertEquals(3, committed);
        assertEquals(-1, q.reserve(LoopbackQueue.MTU));
        Map<String, Long> c = new HashMap<>();
        q.putCounters(c);
        assertEquals(2, c.get("ipv4.loopback.drop.full"));
    }

    @Test
    void oneReservationAtATime() {
        LoopbackQueue q = new LoopbackQueue(CAPACITY);
        q.reserve(10);
        assertThrows(IllegalStateException.class, () -> q.reserve(10));
        q.cancel();
        q.reserve(10);
        assertThrows(IllegalStateException.class, () -> q.commit(11));
    }

    /** Random sizes, reservations cancelled or trimmed, pops interleaved: contents always match a model. */
    @Test
    void agreesWithAModelAcrossWrapArounds() {
        SplittableRandom random = new SplittableRandom(7);
        LoopbackQueue q = new LoopbackQueue(CAPACITY);
        ArrayDeque<byte[]> model = new ArrayDeque<>();
        for (int i = 0; i < 50_000; i++) {
            if (random.nextInt(3) > 0) {
                int max = random.nextInt(4) == 0 ? LoopbackQueue.MTU : random.nextInt(2000);
                long at = q.reserve(max);
                if (at < 0) {
                    assertTrue(!model.isEmpty(), "an empty ring always has room");
                    continue;
                }
                int len = random.nextInt(max + 1);
                byte[] bytes = new byte[len];
                random.nextBytes(bytes);
                MemorySegment.copy(MemorySegment.ofArray(bytes), 0, q.segment(), at, len);
                if (random.nextInt(10) == 0) {
                    q.cancel();
                } else {
                    q.commit(len);
                    model.add(bytes);
                }
            } else if (!model.isEmpty()) {
                byte[] expected = model.poll();
                assertEquals(expected.length, q.headLength());
                byte[] actual = q.segment().asSlice(q.headOffset(), q.headLength()).toArray(ValueLayout.JAVA_BYTE);
                assertTrue(Arrays.equals(expected, actual), "packet " + i);
                q.pop();
            }
            assertEquals(model.size(), q.count());
        }
    }
}
