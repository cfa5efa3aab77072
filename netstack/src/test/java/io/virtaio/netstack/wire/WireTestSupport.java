package io.virtaio.netstack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

/** Byte fixtures for the wire tests: hex with comments in, 0xA5-filled buffers out. */
final class WireTestSupport {
    /** The filler of output buffers: any byte an emitter forgets to write shows up as {@code a5}. */
    static final byte FILL = (byte) 0xA5;

    static final int A = Ipv4Address.of(198, 18, 0, 1);
    static final int B = Ipv4Address.of(198, 18, 0, 2);
    static final long MAC_A = 0x0200_0000_0001L;
    static final long MAC_B = 0x0200_0000_0002L;

    private WireTestSupport() {}

    /** Bytes from hex text; whitespace is ignored and {@code #} starts a comment that runs to the end of the line. */
    static byte[] bytes(String annotatedHex) {
        StringBuilder hex = new StringBuilder();
        for (String line : annotatedHex.split("\n")) {
            int hash = line.indexOf('#');
            hex.append((hash < 0 ? line : line.substring(0, hash)).replaceAll("\\s+", ""));
        }
        return HexFormat.of().parseHex(hex);
    }

    /** A heap segment of exactly the given bytes. */
    static MemorySegment hex(String annotatedHex) {
        return MemorySegment.ofArray(bytes(annotatedHex));
    }

    /** A heap segment of {@code length} bytes, all {@link #FILL}. */
    static MemorySegment filled(int length) {
        return MemorySegment.ofArray(new byte[length]).fill(FILL);
    }

    /** Lower-case hex of the whole segment. */
    static String toHex(MemorySegment seg) {
        return HexFormat.of().formatHex(seg.toArray(ValueLayout.JAVA_BYTE));
    }

    /** Compares as hex, so a failure shows both byte strings. */
    static void assertBytes(String expectedAnnotatedHex, MemorySegment actual) {
        assertEquals(HexFormat.of().formatHex(bytes(expectedAnnotatedHex)), toHex(actual));
    }

    /** A copy of {@code src} into a fresh heap segment of exactly its size. */
    static MemorySegment copy(MemorySegment src) {
        return MemorySegment.ofArray(src.toArray(ValueLayout.JAVA_BYTE));
    }

    /** Copies {@code length} bytes between segments. */
    static void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, int length) {
        MemorySegment.copy(src, srcOffset, dst, dstOffset, length);
    }
}
