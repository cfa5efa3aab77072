package io.virtaio.virtio.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BufferPoolTest {

    @Test
    void handsOutEachBufferOnceUntilEmpty() {
        try (GuestMemory g = GuestMemory.allocate(1 << 16)) {
            BufferPool pool = new BufferPool(g, 4, 100);
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                int b = pool.acquire();
                assertTrue(seen.add(b), "buffer " + b + " handed out twice");
                assertTrue(pool.isInUse(b));
            }
            assertEquals(BufferPool.NONE, pool.acquire());
            assertEquals(0, pool.available());
            pool.release(2);
            assertEquals(2, pool.acquire(), "a released buffer comes back");
        }
    }

    @Test
    void buffersAre64ByteAlignedDisjointAndInsideGuestMemory() {
        try (GuestMemory g = GuestMemory.allocate(1 << 16)) {
            BufferPool pool = new BufferPool(g, 5, 100);
            for (int i = 0; i < 5; i++) {
                assertEquals(0, pool.address(i) % 64);
                assertEquals(pool.address(i) - g.base(), pool.offset(i));
                assertTrue(g.contains(pool.address(i), 100));
                if (i > 0) {
                    assertTrue(pool.address(i) >= pool.address(i - 1) + 100, "buffers overlap");
                }
            }
        }
    }

    @Test
    void rejectsDoubleRelease() {
        try (GuestMemory g = GuestMemory.allocate(1 << 16)) {
            BufferPool pool = new BufferPool(g, 2, 64);
            int b = pool.acquire();
            pool.release(b);
            assertThrows(IllegalStateException.class, () -> pool.release(b));
            assertEquals(2, pool.available(), "the rejected release changed nothing");
            assertFalse(pool.isInUse(b));
            assertThrows(IllegalStateException.class, () -> pool.release(1), "never acquired");
            assertThrows(IllegalStateException.class, () -> pool.release(-1));
            assertThrows(IllegalStateException.class, () -> pool.release(2));
            int x = pool.acquire();
            int y = pool.acquire();
            assertTrue(x != y, "a double release would have handed one buffer to two owners");
        }
    }

    @Test
    void rejectsEmptyPoolsAndPoolsLargerThanGuestMemory() {
        try (GuestMemory g = GuestMemory.allocate(4096)) {
            assertThrows(IllegalArgumentException.class, () -> new BufferPool(g, 0, 64));
            assertThrows(IllegalArgumentException.class, () -> new BufferPool(g, 1, 0));
            assertThrows(IllegalStateException.class, () -> new BufferPool(g, 65, 64));
        }
    }
}
