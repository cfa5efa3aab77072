package io.virtaio.netstack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SeqTest {

    /** Bases around the interesting points of the 32-bit circle: 0, the signed wrap and the unsigned wrap. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFF0, 0x7FFF_FFF0, 12345})
    void comparisonsHoldAcrossEveryWrap(int base) {
        for (int d : new int[] {1, 10, 1 << 20, 0x3FFF_FFFF, 0x7FFF_FFFF}) {
            int ahead = Seq.add(base, d);
            assertTrue(Seq.lt(base, ahead), base + " < " + ahead);
            assertTrue(Seq.le(base, ahead));
            assertTrue(Seq.gt(ahead, base));
            assertTrue(Seq.ge(ahead, base));
            assertFalse(Seq.lt(ahead, base));
            assertFalse(Seq.gt(base, ahead));
            assertEquals(d, Seq.diff(ahead, base));
            assertEquals(-d, Seq.diff(base, ahead));
            assertEquals(ahead, Seq.max(base, ahead));
            assertEquals(base, Seq.min(ahead, base));
        }
        assertTrue(Seq.le(base, base));
        assertTrue(Seq.ge(base, base));
        assertFalse(Seq.lt(base, base));
        assertFalse(Seq.gt(base, base));
    }

    @Test
    void addWrapsModulo2To32() {
        assertEquals(4, Seq.add(0xFFFF_FFFE, 6));
        assertEquals(0xFFFF_FFFF, Seq.add(0, -1));
        assertEquals(10, Seq.diff(4, 0xFFFF_FFFA));
    }

    @Test
    void betweenIsInclusiveAndWalksForwardFromTheFirstArgument() {
        int una = 0xFFFF_FF00;
        int nxt = 0x0000_0100;                           // the window spans the unsigned wrap
        assertTrue(Seq.between(una, una, nxt));
        assertTrue(Seq.between(una, nxt, nxt));
        assertTrue(Seq.between(una, 0, nxt));
        assertTrue(Seq.between(una, 0xFFFF_FFFF, nxt));
        assertFalse(Seq.between(una, nxt + 1, nxt));
        assertFalse(Seq.between(una, una - 1, nxt));
        assertTrue(Seq.between(5, 5, 5));
        assertFalse(Seq.between(5, 6, 5));
        // A span wider than 2^31, which the signed comparisons could not express.
        assertTrue(Seq.between(0, 0xC000_0000, 0xF000_0000));
    }

    @Test
    void inWindowIsHalfOpenAndEmptyForAZeroWindow() {
        int rcvNxt = 0xFFFF_FFF0;
        assertTrue(Seq.inWindow(rcvNxt, rcvNxt, 0x20));
        assertTrue(Seq.inWindow(0x0F, rcvNxt, 0x20));
        assertFalse(Seq.inWindow(0x10, rcvNxt, 0x20));
        assertFalse(Seq.inWindow(rcvNxt - 1, rcvNxt, 0x20));
        assertFalse(Seq.inWindow(rcvNxt, rcvNxt, 0));
        assertTrue(Seq.inWindow(rcvNxt - 2, rcvNxt, -1));  // an unsigned length of 2^32 - 1 ...
        assertFalse(Seq.inWindow(rcvNxt - 1, rcvNxt, -1)); // ... leaves out exactly one number
    }
}
