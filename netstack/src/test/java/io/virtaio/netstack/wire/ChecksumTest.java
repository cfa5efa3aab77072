package io.virtaio.netstack.wire;

import static io.virtaio.netstack.wire.WireTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChecksumTest {

    /** RFC 1071 §1, byte by byte: 16-bit big-endian words, an odd last byte as the high half, end-around carry. */
    private static int naiveSum(byte[] data, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < length; i++) {
            int b = data[offset + i] & 0xFF;
            sum += i % 2 == 0 ? b << 8 : b;
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    @Test
    void fastSumMatchesNaiveSumForEveryLengthUpTo2048AtRandomOffsets() {
        SplittableRandom random = new SplittableRandom(1071);
        byte[] data = new byte[2048 + 64];
        MemorySegment seg = MemorySegment.ofArray(data);
        for (int length = 0; length <= 2048; length++) {
            for (int round = 0; round < 4; round++) {
                random.nextBytes(data);
                int offset = random.nextInt(64);
                assertEquals(naiveSum(data, offset, length), Checksum.sum(seg, offset, length),
                        "length " + length + " offset " + offset);
            }
        }
    }

    @Test
    void fastSumMatchesNaiveSumOnAllOnesWhereCarriesPileUp() {
        byte[] data = new byte[4100];
        Arrays.fill(data, (byte) 0xFF);
        MemorySegment seg = MemorySegment.ofArray(data);
        for (int length = 0; length < data.length; length += 7) {
            assertEquals(naiveSum(data, 1, length), Checksum.sum(seg, 1, length), "length " + length);
        }
    }

    @Test
    void fastSumWorksOnNativeMemory() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] data = new byte[1500];
        random.nextBytes(data);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(1501);
            MemorySegment.copy(MemorySegment.ofArray(data), 0, seg, 1, 1500);
            assertEquals(naiveSum(data, 0, 1499), Checksum.sum(seg, 1, 1499));
        }
    }

    @Test
    void rfc1071NumericalExample() {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (before the complement).
        assertEquals(0xDDF2, Checksum.sum(hex("00 01 f2 03 f4 f5 f6 f7"), 0, 8));
        assertEquals(0x220D, Checksum.finish(0xDDF2));
    }

    @Test
    void oddLengthPadsTheLastByteOnTheRight() {
        assertEquals(0xAB00, Checksum.sum(hex("ab"), 0, 1));
        assertEquals(0x0102 + 0x0300, Checksum.sum(hex("01 02 03"), 0, 3));
    }

    @Test
    void emptyRangeSumsToZero() {
        assertEquals(0, Checksum.sum(hex("ff"), 0, 0));
    }

    @Test
    void foldHandlesAnyLongIncludingAllBitsSet() {
        assertEquals(0, Checksum.fold(0));
        assertEquals(0xFFFF, Checksum.fold(0xFFFF));
        assertEquals(0x0001, Checksum.fold(0x10000));
        assertEquals(0xFFFF, Checksum.fold(-1L));               // sixteen 0xFFFF words
        assertEquals(0x0002, Checksum.fold(0x1_0001L));
        assertEquals(0xE259, Checksum.fold(0x1234_5678_9ABC_DEF0L));   // 1234+5678+9abc+def0 = 1_e258 -> e259
    }

    @Test
    void finishUdpTransmitsZeroAsAllOnes() {
        assertEquals(0x0000, Checksum.finish(0xFFFF));
        assertEquals(0xFFFF, Checksum.finishUdp(0xFFFF));     // RFC 768
        assertEquals(0x1234, Checksum.finishUdp(~0x1234 & 0xFFFF));
    }

    @Test
    void pseudoHeaderSumsAddressesProtocolAndLength() {
        // 198.18.0.1, 198.18.0.2, TCP, 40: c612 + 0001 + c612 + 0002 + 0006 + 0028 = 1_8c55 -> 8c56
        assertEquals(0x8C56, Checksum.pseudoHeader(WireTestSupport.A, WireTestSupport.B, IpProtocol.TCP, 40));
        assertEquals(0xFFFF, Checksum.pseudoHeader(0xFFFF_FFFF, 0, 0, 0));
    }

    @Test
    void rejectsNegativeLengthAndRangesOutsideTheSegment() {
        MemorySegment seg = hex("00 01 02 03");
        assertThrows(IllegalArgumentException.class, () -> Checksum.sum(seg, 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(seg, 1, 4));
    }
}
