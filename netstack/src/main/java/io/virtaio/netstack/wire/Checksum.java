package io.virtaio.netstack.wire;

import java.lang.foreign.MemorySegment;

/**
 * The Internet checksum (RFC 1071): the 16-bit ones'-complement of the ones'-complement sum of the data taken as
 * big-endian 16-bit words, an odd final byte padded with a zero byte on the right.
 *
 * <p>Sums are passed around folded to 16 bits ({@code 0 .. 0xFFFF}) and uncomplemented, so partial sums combine
 * by adding them and folding again ({@code fold((long) a + b)}, RFC 1071 §2 (A) associativity), provided every
 * range but the last has an even length (else the following bytes change places in their words, §2 (B)).
 * {@link #finish} complements a folded sum into the value to store in a header. A received header or message
 * verifies when the sum over it, checksum field included, is {@code 0xFFFF} (RFC 1071 §1 (3)).
 *
 * <pre>{@code
 * int sum = Checksum.fold((long) Checksum.pseudoHeader(src, dst, IpProtocol.UDP, udpLength)
 *                         + Checksum.sum(seg, udpOffset, udpLength));
 * }</pre>
 */
public final class Checksum {
    private Checksum() {}

    /**
     * The ones'-complement sum, folded to 16 bits, of the {@code length} bytes at {@code offset}. Words are taken
     * relative to {@code offset}, whatever its alignment.
     *
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws IndexOutOfBoundsException if the range is not inside {@code seg}
     */
    public static int sum(MemorySegment seg, long offset, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length: " + length);
        }
        long end = offset + length;
        long p = offset;
        long acc = 0;
        // RFC 1071 §2 (C) parallel summation and (D) deferred carries: add the 32-bit halves of 64-bit big-endian
        // words into a 64-bit accumulator and fold the carries back in once, at the end. Each step adds less than
        // 2^33, so the accumulator cannot overflow for any int length.
        for (; end - p >= 8; p += 8) {
            long w = Be.i64(seg, p);
            acc += (w >>> 32) + (w & 0xFFFF_FFFFL);
        }
        if (end - p >= 4) {
            acc += Be.u32(seg, p);
            p += 4;
        }
        if (end - p >= 2) {
            acc += Be.u16(seg, p);
            p += 2;
        }
        if (end - p == 1) {
            acc += Be.u8(seg, p) << 8;      // RFC 1071 §1 (2): an odd last byte is padded on the right with zero
        }
        return fold(acc);
    }

    /**
     * Folds any 64-bit sum of 16- or 32-bit words, read as unsigned, to a 16-bit ones'-complement sum by adding the
     * carries back in (RFC 1071 §2 (D) "deferred carries").
     */
    public static int fold(long sum) {
        long s = (sum & 0xFFFF_FFFFL) + (sum >>> 32);   // < 2^33
        s = (s & 0xFFFF) + (s >>> 16);                  // < 2^18
        s = (s & 0xFFFF) + (s >>> 16);                  // <= 0x10002
        s = (s & 0xFFFF) + (s >>> 16);                  // <= 0xFFFF
        return (int) s;
    }

    /** The checksum field value for a folded sum: its ones'-complement, {@code 0 .. 0xFFFF}. */
    public static int finish(int foldedSum) {
        return ~foldedSum & 0xFFFF;
    }

    /**
     * {@link #finish} for UDP: RFC 768 "If the computed checksum is zero, it is transmitted as all ones", because
     * a zero field means "no checksum".
     */
    public static int finishUdp(int foldedSum) {
        int c = finish(foldedSum);
        return c == 0 ? 0xFFFF : c;
    }

    /**
     * The folded sum of the IPv4 pseudo-header of RFC 9293 §3.1 (TCP) and RFC 768 (UDP):
     * source address, destination address, zero, protocol, and the TCP/UDP length (header plus data).
     *
     * <pre>
     * +--------+--------+--------+--------+
     * |           Source Address          |
     * +--------+--------+--------+--------+
     * |         Destination Address       |
     * +--------+--------+--------+--------+
     * |  zero  |  PTCL  |    TCP Length   |
     * +--------+--------+--------+--------+
     * </pre>
     */
    public static int pseudoHeader(int src, int dst, int protocol, int length) {
        long s = (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + (protocol & 0xFF) + (length & 0xFFFF);
        return fold(s);
    }
}
