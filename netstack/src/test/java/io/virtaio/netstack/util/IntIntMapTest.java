package io.virtaio.netstack.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IntIntMapTest {
    @Test
    void putGetReplaceRemove() {
        IntIntMap m = new IntIntMap(4);
        assertEquals(IntIntMap.MISSING, m.get(7));
        assertTrue(m.put(7, 70));
        assertTrue(m.put(7, 71));
        assertEquals(71, m.get(7));
        assertEquals(1, m.size());
        assertEquals(71, m.remove(7));
        assertEquals(IntIntMap.MISSING, m.remove(7));
        assertEquals(IntIntMap.MISSING, m.get(7));
        assertEquals(0, m.size());
    }

    @Test
    void refusesANewKeyWhenFullButStillReplaces() {
        IntIntMap m = new IntIntMap(2);
        assertTrue(m.put(1, 1));
        assertTrue(m.put(2, 2));
        assertFalse(m.put(3, 3));
        assertEquals(IntIntMap.MISSING, m.get(3));
        assertTrue(m.put(2, 20));
        assertEquals(20, m.get(2));
    }

    @Test
    void rejectsNegativeValues() {
        assertThrows(IllegalArgumentException.class, () -> new IntIntMap(2).put(1, -1));
    }

    /** Keys that collide in the low bits exercise probing and backward-shift deletion across the wrap. */
    @Test
    void agreesWithHashMapUnderRandomChurn() {
        SplittableRandom random = new SplittableRandom(42);
        IntIntMap m = new IntIntMap(64);
        Map<Integer, Integer> model = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            int key = random.nextBoolean() ? random.nextInt(100) << 16 : random.nextInt(200);
            switch (random.nextInt(3)) {
                case 0 -> {
                    int v = random.nextInt(1000);
                    boolean fits = model.containsKey(key) || model.size() < 64;
                    assertEquals(fits, m.put(key, v));
                    if (fits) {
                        model.put(key, v);
                    }
                }
                case 1 -> {
                    Integer removed = model.remove(key);
                    assertEquals(removed == null ? IntIntMap.MISSING : removed, m.remove(key));
                }
                default -> assertEquals((int) model.getOrDefault(key, IntIntMap.MISSING), m.get(key));
            }
            assertEquals(model.size(), m.size());
        }
        for (Map.Entry<Integer, Integer> e : model.entrySet()) {
            assertEquals(e.getValue(), m.get(e.getKey()));
        }
    }
}
