package io.virtaio.virtio.net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones' complement sum of 16-bit big-endian
 * words. Used by IPv4, ICMP, UDP and TCP, and by the device to complete a partial checksum (virtio 1.2 §5.1.6.2).
 *
 * <p>Words are counted from {@code offset}: the byte at {@code offset} is the high byte of the first word, and an
 * odd final byte is padded with a zero low byte (RFC 1071 §4.1). Sums of consecutive ranges combine with
 * {@link #add} as long as every range but the last has an even length (RFC 1071 §2(B)).
 *
 * <p>Stateless, allocation-free, safe from any thread. The loop reads 8 bytes at a time with unaligned big-endian
 * loads and accumulates both 32-bit halves in a 64-bit sum, so carries are folded once at the end (§2(C), "deferred
 * carries").
 */
public final class InternetChecksum {
    private InternetChecksum() {
    }

    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Bytes summed between carry folds: each step adds < 2^33, so 2^29 steps stay below 2^62. */
    private static final long CHUNK = 8L << 29;

    /**
     * The ones' complement sum of {@code [offset, offset + length)}, added to {@code initial} (a previous sum, e.g.
     * of a pseudo-header), folded to 16 bits and not complemented.
     *
     * @param initial a 16-bit partial sum, 0 to start
     * @return the folded sum in 0..0xFFFF
     */
    public static int partial(MemorySegment segment, long offset, long length, int initial) {
        long sum = initial & 0xFFFFL;
        long pos = offset;
        long end = offset + length;
        while (end - pos >= 8) {
            long chunkEnd = pos + Math.min(CHUNK, (end - pos) & ~7L);
            for (; pos < chunkEnd; pos += 8) {
                long v = segment.get(BE64, pos);
                sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
            }
            sum = fold32(sum);
        }
        if (end - pos >= 4) {
            sum += Integer.toUnsignedLong(segment.get(BE32, pos));
            pos += 4;
        }
        if (end - pos >= 2) {
            sum += Short.toUnsignedInt(segment.get(BE16, pos));
            pos += 2;
        }
        if (pos < end) {
            sum += (segment.get(ValueLayout.JAVA_BYTE, pos) & 0xFF) << 8;
        }
        return fold16(sum);
    }

    /** The checksum to store in a header: the complement of the sum of {@code [offset, offset + length)}. */
    public static int checksum(MemorySegment segment, long offset, long length) {
        return finish(partial(segment, offset, length, 0));
    }

    /** Ones' complement addition of two 16-bit partial sums. */
    public static int add(int a, int b) {
        return fold16((a & 0xFFFFL) + (b & 0xFFFFL));
    }

    /** The checksum field value for a folded sum: its 16-bit complement. */
    public static int finish(int partialSum) {
        return ~partialSum & 0xFFFF;
    }

    /** csum_offset of a UDP checksum field (RFC 768: the 7th and 8th bytes of the header). */
    public static final int UDP_CHECKSUM_OFFSET = 6;

    /**
     * What a device completing a NEEDS_CSUM frame stores (§5.1.6.2) for the computed checksum {@code checksum} of a
     * field at {@code csumOffset} in its header: 0 becomes 0xFFFF for UDP, where a zero field means "no checksum"
     * (RFC 768); any other protocol keeps 0 — for TCP, 0xFFFF is the "-0" a checksum computed as RFC 1071 does can
     * never be (RFC 1624 §3), and Wireshark reports it as an error.
     */
    public static int completedField(int checksum, int csumOffset) {
        return checksum == 0 && csumOffset == UDP_CHECKSUM_OFFSET ? 0xFFFF : checksum;
    }

    /** Folds a sum of 32-bit quantities into 32 bits plus a small carry, keeping the loop's headroom. */
    private static long fold32(long sum) {
        return (sum & 0xFFFF_FFFFL) + (sum >>> 32);
    }

    private static int fold16(long sum) {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }
}
