package io.virtaio.netstack.tcp;

/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012) of messages up to 15 bytes, given as two little-endian words:
 * the keyed hash behind RFC 6528 ISNs, timestamp offsets and SYN cookies. Allocation-free.
 */
final class SipHash {
    private SipHash() {}

    /**
     * The SipHash-2-4 of the {@code length} bytes ({@code 0..15}) held little-endian in {@code m0} (bytes 0..7)
     * and {@code m1} (bytes 8..14; its unused high bytes must be zero), under the key {@code k0, k1}.
     */
    static long hash(long k0, long k1, long m0, long m1, int length) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        long b = (long) length << 56;
        long last;
        if (length >= 8) {
            // One full block, then the final block with the remaining bytes and the length.
            v3 ^= m0;
            for (int i = 0; i < 2; i++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m0;
            last = b | m1;
        } else {
            last = b | m0;
        }
        v3 ^= last;
        for (int i = 0; i < 2; i++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= last;
        v2 ^= 0xff;
        for (int i = 0; i < 4; i++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    /** The hash of a connection's 4-tuple (12 bytes) plus {@code extra} (up to 3 more bytes). */
    static long tuple(long k0, long k1, int localAddr, int localPort, int remoteAddr, int remotePort, int extra) {
        long m0 = (localAddr & 0xFFFF_FFFFL) | (long) remoteAddr << 32;
        long m1 = (localPort & 0xFFFFL) | (long) (remotePort & 0xFFFF) << 16 | (long) (extra & 0xFFFFFF) << 32;
        return hash(k0, k1, m0, m1, 15);
    }
}
