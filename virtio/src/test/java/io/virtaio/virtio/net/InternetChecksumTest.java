package io.virtaio.virtio.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {
    /** RFC 1071 word by word, the way the RFC's C example does it. */
    static int naivePartial(MemorySegment s, long off, long len, int initial) {
        long sum = initial;
        long i = 0;
        for (; i + 1 < len; i += 2) {
            sum += ((s.get(ValueLayout.JAVA_BYTE, off + i) & 0xFF) << 8) | (s.get(ValueLayout.JAVA_BYTE, off + i + 1) & 0xFF);
        }
        if (i < len) {
            sum += (s.get(ValueLayout.JAVA_BYTE, off + i) & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    @Test
    void matchesRfc1071Example() {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2.
        MemorySegment s = MemorySegment.ofArray(HexFormat.of().parseHex("0001f203f4f5f6f7"));
        assertEquals(0xddf2, InternetChecksum.partial(s, 0, 8, 0));
        assertEquals(0x220d, InternetChecksum.checksum(s, 0, 8));
    }

    @Test
    void ipv4HeaderChecksumVerifiesToZero() {
        // A real IPv4 header (example from Wikipedia's "Internet checksum" page) with its checksum b861 in place.
        MemorySegment s = MemorySegment.ofArray(HexFormat.of().parseHex("45000073000040004011b861c0a80001c0a800c7"));
        assertEquals(0, InternetChecksum.checksum(s, 0, 20));
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 10, (short) 0);
        assertEquals(0xb861, InternetChecksum.checksum(s, 0, 20));
    }

    @Test
    void matchesNaiveSumAtEveryAlignmentAndLength() {
        SplittableRandom random = new SplittableRandom(1071);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(4096 + 64);
            for (long i = 0; i < s.byteSize(); i++) {
                s.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
            }
            for (int off = 0; off < 17; off++) {
                for (int len = 0; len < 300; len++) {
                    int init = random.nextInt(0x10000);
                    assertEquals(naivePartial(s, off, len, init), InternetChecksum.partial(s, off, len, init),
                            "offset " + off + " length " + len);
                }
                assertEquals(naivePartial(s, off, 4096, 0), InternetChecksum.partial(s, off, 4096, 0));
            }
        }
    }

    @Test
    void allOnesDataNeedsTheCarriesFolded() {
        MemorySegment s = MemorySegment.ofArray(new byte[70_001]);
        s.fill((byte) 0xFF);
        assertEquals(naivePartial(s, 0, s.byteSize(), 0xFFFF), InternetChecksum.partial(s, 0, s.byteSize(), 0xFFFF));
        assertEquals(0xFFFF, InternetChecksum.partial(s, 1, 70_000, 0));
    }

    @Test
    void sumsOfEvenRangesCombine() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] bytes = new byte[1001];
        random.nextBytes(bytes);
        MemorySegment s = MemorySegment.ofArray(bytes);
        int whole = InternetChecksum.partial(s, 0, 1001, 0);
        int split = InternetChecksum.add(InternetChecksum.partial(s, 0, 400, 0), InternetChecksum.partial(s, 400, 601, 0));
        assertEquals(whole, split);
        assertEquals(whole, InternetChecksum.partial(s, 400, 601, InternetChecksum.partial(s, 0, 400, 0)));
    }
}
