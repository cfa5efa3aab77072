package io.virtaio.virtio.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Guest address translation is the device's only defence against a driver naming memory it does not own. */
class GuestMemoryTest {
    private static final long BASE = GuestMemory.DEFAULT_BASE;
    private static final long SIZE = 4096;

    @Test
    void translatesRangesWhollyInsideTheRegion() {
        try (GuestMemory g = GuestMemory.allocate(SIZE)) {
            assertEquals(0, g.translate(BASE, 1));
            assertEquals(0, g.translate(BASE, SIZE), "the whole region");
            assertEquals(SIZE - 1, g.translate(BASE + SIZE - 1, 1), "the last byte");
            assertEquals(100, g.translate(BASE + 100, SIZE - 100), "up to the end exactly");
            assertEquals(0, g.translate(BASE, 0));
        }
    }

    @Test
    void rejectsRangesCrossingEitherBoundary() {
        try (GuestMemory g = GuestMemory.allocate(SIZE)) {
            assertEquals(GuestMemory.INVALID, g.translate(BASE - 1, 1), "one byte below");
            assertEquals(GuestMemory.INVALID, g.translate(BASE - 1, 2), "straddling the start");
            assertEquals(GuestMemory.INVALID, g.translate(BASE + SIZE, 1), "one byte past");
            assertEquals(GuestMemory.INVALID, g.translate(BASE + SIZE - 1, 2), "straddling the end");
            assertEquals(GuestMemory.INVALID, g.translate(BASE, SIZE + 1), "one byte too long");
            assertEquals(GuestMemory.INVALID, g.translate(0, 1), "guest address 0 is not the region");
            assertFalse(g.contains(BASE + SIZE, 1));
            assertTrue(g.contains(BASE + SIZE - 1, 1));
        }
    }

    @Test
    void rejectsRangesWhoseEndWrapsPast2To64() {
        try (GuestMemory g = GuestMemory.allocate(SIZE)) {
            assertEquals(GuestMemory.INVALID, g.translate(-1L, 2), "0xFFFF_FFFF_FFFF_FFFF + 2 wraps to 1");
            assertEquals(GuestMemory.INVALID, g.translate(0xFFFF_FFFF_FFFF_F000L, 0x1000 + BASE + 16),
                    "wraps to land inside the region");
            assertEquals(GuestMemory.INVALID, g.translate(BASE + 16, Long.MAX_VALUE), "length near 2^63");
            assertEquals(GuestMemory.INVALID, g.translate(BASE + 16, 0xFFFF_FFFFL), "u32 length too long");
            assertEquals(GuestMemory.INVALID, g.translate(Long.MIN_VALUE, 1));
            assertEquals(GuestMemory.INVALID, g.translate(Long.MAX_VALUE, 1));
        }
    }

    @Test
    void rejectsNegativeLengths() {
        try (GuestMemory g = GuestMemory.allocate(SIZE)) {
            assertEquals(GuestMemory.INVALID, g.translate(BASE + 16, -1));
            assertEquals(GuestMemory.INVALID, g.translate(BASE + 16, Long.MIN_VALUE));
        }
    }

    @Test
    void acceptsZeroLengthAtTheEndButNotBeyond() {
        try (GuestMemory g = GuestMemory.allocate(SIZE)) {
            assertEquals(SIZE, g.translate(BASE + SIZE, 0), "an empty range at the end is inside");
            assertEquals(GuestMemory.INVALID, g.translate(BASE + SIZE + 1, 0));
            assertEquals(GuestMemory.INVALID, g.translate(BASE - 1, 0));
        }
    }

    @Test
    void honoursACustomBase() {
        try (GuestMemory g = GuestMemory.allocate(SIZE, 0)) {
            assertEquals(0, g.translate(0, SIZE));
            assertEquals(GuestMemory.INVALID, g.translate(-1, 1));
            assertEquals(7, g.addressOf(7));
            assertEquals(7, g.offsetOf(7));
        }
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.allocate(SIZE, Long.MAX_VALUE - 10));
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.allocate(0));
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.allocate(SIZE, -1));
    }

    @Test
    void reserveHandsOutAlignedDisjointAreasUntilExhausted() {
        try (GuestMemory g = GuestMemory.allocate(SIZE)) {
            long a = g.reserve(10, 1);
            long b = g.reserve(16, 64);
            long c = g.reserve(1, 16);
            assertEquals(BASE, a);
            assertEquals(BASE + 64, b);
            assertEquals(BASE + 80, c);
            assertEquals(SIZE - 81, g.remaining());
            assertThrows(IllegalStateException.class, () -> g.reserve(SIZE, 1));
            assertEquals(SIZE - 81, g.remaining(), "a failed reserve takes nothing");
            long d = g.reserve(SIZE - 81, 1);
            assertEquals(BASE + 81, d);
            assertEquals(0, g.remaining());
            assertThrows(IllegalStateException.class, () -> g.reserve(1, 1));
            assertThrows(IllegalArgumentException.class, () -> g.reserve(0, 1));
            assertThrows(IllegalArgumentException.class, () -> g.reserve(8, 3));
        }
    }

    @Test
    void regionIsZeroedAndExactlySized() {
        try (GuestMemory g = GuestMemory.allocate(SIZE)) {
            assertEquals(SIZE, g.region().byteSize());
            for (long i = 0; i < SIZE; i++) {
                assertEquals(0, g.region().get(ValueLayout.JAVA_BYTE, i));
            }
            assertThrows(IndexOutOfBoundsException.class, () -> g.region().get(ValueLayout.JAVA_BYTE, SIZE));
        }
    }
}
