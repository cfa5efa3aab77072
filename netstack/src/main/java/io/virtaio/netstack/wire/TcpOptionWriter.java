package io.virtaio.netstack.wire;

import java.lang.foreign.MemorySegment;

/**
 * Writes the options set in a {@link TcpOptions} into a TCP header, allocation-free, in the layouts Linux sends
 * ({@code tcp_options_write}): every option padded with NOPs to a 32-bit word, so the length is a multiple of 4
 * and each multi-byte field is word aligned.
 *
 * <pre>
 * MSS                      02 04 mm mm
 * SACK-Permitted + TS      04 02 08 0a | TSval | TSecr        (TS alone: 01 01 08 0a | TSval | TSecr)
 * SACK-Permitted, no TS    01 01 04 02
 * Window Scale             01 03 03 ss
 * SACK, n blocks           01 01 05 (2+8n) | left1 | right1 | ... | leftn | rightn
 * </pre>
 *
 * In that order; so a Linux SYN is {@code MSS, SACK_PERM, TS, NOP, WS} (20 bytes) and a data segment
 * {@code NOP, NOP, TS} (12 bytes), followed by {@code NOP, NOP, SACK} when blocks are set.
 */
public final class TcpOptionWriter {
    private static final int NOP = TcpOptions.KIND_NOP;

    private TcpOptionWriter() {}

    /**
     * The number of bytes {@link #write} would write, a multiple of 4.
     *
     * @throws IllegalArgumentException if the options do not fit in 40 bytes (RFC 9293 §3.1 Data Offset)
     */
    public static int length(TcpOptions options) {
        int n = lengthWithoutSack(options);
        if (options.sackCount() > 0) {
            n += 4 + options.sackCount() * TcpOptions.LENGTH_SACK_BLOCK;
        }
        if (n > TcpSegment.MAX_OPTIONS_LENGTH) {
            throw new IllegalArgumentException("options need " + n + " bytes, more than 40: " + options);
        }
        return n;
    }

    /**
     * The most SACK blocks that fit next to the other options set in {@code options}: 4 alone, 3 with timestamps
     * (RFC 2018 §3).
     */
    public static int maxSackBlocks(TcpOptions options) {
        int room = TcpSegment.MAX_OPTIONS_LENGTH - lengthWithoutSack(options) - 4;
        return Math.clamp(room / TcpOptions.LENGTH_SACK_BLOCK, 0, TcpOptions.MAX_SACK_BLOCKS);
    }

    private static int lengthWithoutSack(TcpOptions o) {
        int n = 0;
        if (o.hasMss()) {
            n += 4;
        }
        if (o.hasTimestamps()) {
            n += 12;
        } else if (o.sackPermitted()) {
            n += 4;
        }
        if (o.hasWindowScale()) {
            n += 4;
        }
        return n;
    }

    /**
     * Writes the options at {@code offset} of {@code seg} and returns their length, {@link #length}.
     *
     * @throws IllegalArgumentException if the options do not fit in 40 bytes
     */
    public static int write(TcpOptions o, MemorySegment seg, long offset) {
        int total = length(o);
        long p = offset;
        if (o.hasMss()) {
            p = word(seg, p, TcpOptions.KIND_MSS, TcpOptions.LENGTH_MSS, o.mss() >>> 8, o.mss());
        }
        if (o.hasTimestamps()) {
            // RFC 7323 Appendix A: the recommended layout keeps TSval and TSecr word aligned.
            p = o.sackPermitted()
                    ? word(seg, p, TcpOptions.KIND_SACK_PERMITTED, TcpOptions.LENGTH_SACK_PERMITTED,
                            TcpOptions.KIND_TIMESTAMPS, TcpOptions.LENGTH_TIMESTAMPS)
                    : word(seg, p, NOP, NOP, TcpOptions.KIND_TIMESTAMPS, TcpOptions.LENGTH_TIMESTAMPS);
            Be.set32(seg, p, o.tsVal());
            Be.set32(seg, p + 4, o.tsEcr());
            p += 8;
        } else if (o.sackPermitted()) {
            p = word(seg, p, NOP, NOP, TcpOptions.KIND_SACK_PERMITTED, TcpOptions.LENGTH_SACK_PERMITTED);
        }
        if (o.hasWindowScale()) {
            p = word(seg, p, NOP, TcpOptions.KIND_WINDOW_SCALE, TcpOptions.LENGTH_WINDOW_SCALE, o.windowScale());
        }
        int blocks = o.sackCount();
        if (blocks > 0) {
            p = word(seg, p, NOP, NOP, TcpOptions.KIND_SACK,
                    TcpOptions.LENGTH_SACK_BASE + blocks * TcpOptions.LENGTH_SACK_BLOCK);
            for (int i = 0; i < blocks; i++) {
                Be.set32(seg, p, o.sackLeft(i));
                Be.set32(seg, p + 4, o.sackRight(i));
                p += 8;
            }
        }
        assert p - offset == total;
        return total;
    }

    /**
     * Writes the options into {@code segment}'s option area, sets its data offset to cover them, and returns their
     * length.
     *
     * @throws IllegalArgumentException if the options do not fit in 40 bytes or in the view
     */
    public static int write(TcpOptions options, TcpSegment segment) {
        int n = length(options);
        Require.atLeast(segment.length(), TcpSegment.MIN_HEADER_LENGTH + n);
        segment.setHeaderLength(TcpSegment.MIN_HEADER_LENGTH + n);
        return write(options, segment.segment(), segment.optionsOffset());
    }

    private static long word(MemorySegment seg, long p, int b0, int b1, int b2, int b3) {
        Be.set32(seg, p, (b0 & 0xFF) << 24 | (b1 & 0xFF) << 16 | (b2 & 0xFF) << 8 | b3 & 0xFF);
        return p + 4;
    }
}
