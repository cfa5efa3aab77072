package io.virtaio.interop;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The byte stream {@code TcpPeer.java} sends and checks, made on our side too: byte {@code i} of stream {@code seed}
 * is byte {@code i mod 8} (little-endian) of SplitMix64's finalizer applied to {@code seed + i / 8}. Either end can
 * make any part of it without the rest.
 */
final class Payload {
    private static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Payload() {
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Writes bytes {@code [offset, offset + n)} of stream {@code seed} to {@code dst[0, n)}; offset is 8-aligned. */
    static void fill(long seed, long offset, MemorySegment dst, int n) {
        if ((offset & 7) != 0 || (n & 7) != 0) {
            throw new IllegalArgumentException("offset and length must be multiples of 8: " + offset + ", " + n);
        }
        for (int i = 0; i < n; i += 8) {
            dst.set(LE64, i, mix(seed + ((offset + i) >>> 3)));
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
