package io.virtaio.netstack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The TCP options of one segment, parsed into (or set for writing from) a reusable, mutable holder: a stack keeps
 * one per loop and refills it for every segment with {@link #parse(TcpSegment)}, which allocates nothing.
 *
 * <p>Options this stack knows: MSS (RFC 9293 §3.2, §3.7.1), Window Scale and Timestamps (RFC 7323 §2.2, §3.2),
 * SACK-Permitted and SACK (RFC 2018 §2, §3). Whether an option is meaningful in a segment (for example Window
 * Scale only in a SYN, RFC 7323 §2.2) is the connection's business, not the parser's. A repeated option
 * overwrites the earlier one.
 *
 * <p>Timestamps are raw 32-bit values in {@code int}s, compared modulo 2<sup>32</sup> with {@link Seq} (RFC 7323
 * §5); read them unsigned with {@link Integer#toUnsignedLong}. SACK edges are sequence numbers, also raw.
 */
public final class TcpOptions {
    /** End of Option List (RFC 9293 §3.2). */
    public static final int KIND_EOL = 0;
    /** No-Operation (RFC 9293 §3.2). */
    public static final int KIND_NOP = 1;
    /** Maximum Segment Size, length 4 (RFC 9293 §3.2). */
    public static final int KIND_MSS = 2;
    /** Window Scale, length 3 (RFC 7323 §2.2). */
    public static final int KIND_WINDOW_SCALE = 3;
    /** SACK-Permitted, length 2 (RFC 2018 §2). */
    public static final int KIND_SACK_PERMITTED = 4;
    /** SACK, length 2 + 8n (RFC 2018 §3). */
    public static final int KIND_SACK = 5;
    /** Timestamps, length 10 (RFC 7323 §3.2). */
    public static final int KIND_TIMESTAMPS = 8;

    /** The largest shift a peer may ask for; larger values are used as 14 (RFC 7323 §2.3). */
    public static final int MAX_WINDOW_SCALE = 14;
    /** The most SACK blocks that fit in the 40 bytes of option space (RFC 2018 §3). */
    public static final int MAX_SACK_BLOCKS = 4;

    static final int LENGTH_MSS = 4;
    static final int LENGTH_WINDOW_SCALE = 3;
    static final int LENGTH_SACK_PERMITTED = 2;
    static final int LENGTH_TIMESTAMPS = 10;
    static final int LENGTH_SACK_BASE = 2;
    static final int LENGTH_SACK_BLOCK = 8;

    private boolean hasMss;
    private int mss;
    private boolean hasWindowScale;
    private int windowScale;
    private boolean sackPermitted;
    private boolean hasTimestamps;
    private int tsVal;
    private int tsEcr;
    private int sackCount;
    private final int[] sackLeft = new int[MAX_SACK_BLOCKS];
    private final int[] sackRight = new int[MAX_SACK_BLOCKS];

    /** An empty holder. */
    public TcpOptions() {}

    /**
     * Clears this holder and parses the options of {@code segment}, whose {@link TcpSegment#check()} returned
     * {@link WireError#OK}. See {@link #parse(MemorySegment, long, int)}.
     */
    public int parse(TcpSegment segment) {
        return parse(segment.segment(), segment.optionsOffset(), segment.optionsLength());
    }

    /**
     * Clears this holder and parses the option list in the {@code length} bytes at {@code offset}. Returns
     * {@link WireError#OK}, or {@link WireError#BAD_OPTION} (and leaves this holder cleared) if an option has a
     * length below 2, runs past the list, or is a known option with the wrong length. Unknown options with a valid
     * length are skipped; EOL ends the list. Never reads outside the range and never throws for any bytes.
     */
    public int parse(MemorySegment seg, long offset, int length) {
        clear();
        long p = offset;
        long end = offset + length;
        while (p < end) {
            int kind = Be.u8(seg, p);
            if (kind == KIND_EOL) {
                break;                          // RFC 9293 §3.2: the end of the option list, not of the header
            }
            if (kind == KIND_NOP) {
                p++;
                continue;
            }
            // RFC 9293 §3.1 "Options" case 2: kind, length (counting kind and length), data. §3.2 MUST-7: be
            // prepared for an illegal length such as zero; we refuse the options and the caller drops the segment.
            if (end - p < 2) {
                return fail();
            }
            int optionLength = Be.u8(seg, p + 1);
            if (optionLength < 2 || optionLength > end - p) {
                return fail();
            }
            if (!parseOption(seg, p, kind, optionLength)) {
                return fail();
            }
            p += optionLength;
        }
        return WireError.OK;
    }

    private boolean parseOption(MemorySegment seg, long p, int kind, int optionLength) {
        switch (kind) {
            case KIND_MSS -> {
                if (optionLength != LENGTH_MSS) {
                    return false;
                }
                hasMss = true;
                mss = Be.u16(seg, p + 2);
            }
            case KIND_WINDOW_SCALE -> {
                if (optionLength != LENGTH_WINDOW_SCALE) {
                    return false;
                }
                hasWindowScale = true;
                // RFC 7323 §2.3: a shift.cnt above 14 "MUST use 14 instead of the specified value".
                windowScale = Math.min(Be.u8(seg, p + 2), MAX_WINDOW_SCALE);
            }
            case KIND_SACK_PERMITTED -> {
                if (optionLength != LENGTH_SACK_PERMITTED) {
                    return false;
                }
                sackPermitted = true;
            }
            case KIND_TIMESTAMPS -> {
                if (optionLength != LENGTH_TIMESTAMPS) {
                    return false;
                }
                hasTimestamps = true;
                tsVal = Be.i32(seg, p + 2);
                tsEcr = Be.i32(seg, p + 6);
            }
            case KIND_SACK -> {
                int blocks = (optionLength - LENGTH_SACK_BASE) / LENGTH_SACK_BLOCK;
                if (blocks < 1 || blocks > MAX_SACK_BLOCKS
                        || LENGTH_SACK_BASE + blocks * LENGTH_SACK_BLOCK != optionLength) {
                    return false;
                }
                sackCount = blocks;
                for (int i = 0; i < blocks; i++) {
                    sackLeft[i] = Be.i32(seg, p + LENGTH_SACK_BASE + (long) i * LENGTH_SACK_BLOCK);
                    sackRight[i] = Be.i32(seg, p + LENGTH_SACK_BASE + (long) i * LENGTH_SACK_BLOCK + 4);
                }
            }
            default -> {
                // RFC 9293 §3.2 MUST-6: ignore without error an option we do not implement, skipping its length.
            }
        }
        return true;
    }

    private int fail() {
        clear();
        return WireError.BAD_OPTION;
    }

    /** Removes every option. */
    public void clear() {
        hasMss = false;
        mss = 0;
        hasWindowScale = false;
        windowScale = 0;
        sackPermitted = false;
        hasTimestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackCount = 0;
    }

    /** True if an MSS option is present. */
    public boolean hasMss() {
        return hasMss;
    }

    /** The MSS option's value, {@code 0..65535}; 0 if absent. */
    public int mss() {
        return mss;
    }

    /** True if a Window Scale option is present. */
    public boolean hasWindowScale() {
        return hasWindowScale;
    }

    /** The window shift, {@code 0..14} (larger received values are clamped); 0 if absent. */
    public int windowScale() {
        return windowScale;
    }

    /** True if a SACK-Permitted option is present. */
    public boolean sackPermitted() {
        return sackPermitted;
    }

    /** True if a Timestamps option is present. */
    public boolean hasTimestamps() {
        return hasTimestamps;
    }

    /** TSval, raw 32 bits; 0 if absent. */
    public int tsVal() {
        return tsVal;
    }

    /** TSecr, raw 32 bits; 0 if absent. */
    public int tsEcr() {
        return tsEcr;
    }

    /** The number of SACK blocks, {@code 0..4}. */
    public int sackCount() {
        return sackCount;
    }

    /**
     * The left edge of SACK block {@code i}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= i < sackCount()}
     */
    public int sackLeft(int i) {
        return sackLeft[Objects.checkIndex(i, sackCount)];
    }

    /**
     * The right edge of SACK block {@code i}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= i < sackCount()}
     */
    public int sackRight(int i) {
        return sackRight[Objects.checkIndex(i, sackCount)];
    }

    /**
     * Sets the MSS option.
     *
     * @throws IllegalArgumentException unless {@code mss} is in {@code 0..65535}
     */
    public void setMss(int mss) {
        this.mss = Require.range("MSS", mss, 0, 0xFFFF);
        this.hasMss = true;
    }

    /**
     * Sets the Window Scale option.
     *
     * @throws IllegalArgumentException unless {@code shift} is in {@code 0..14} (RFC 7323 §2.3)
     */
    public void setWindowScale(int shift) {
        this.windowScale = Require.range("window scale", shift, 0, MAX_WINDOW_SCALE);
        this.hasWindowScale = true;
    }

    /** Sets or removes the SACK-Permitted option. */
    public void setSackPermitted(boolean sackPermitted) {
        this.sackPermitted = sackPermitted;
    }

    /** Sets the Timestamps option. */
    public void setTimestamps(int tsVal, int tsEcr) {
        this.tsVal = tsVal;
        this.tsEcr = tsEcr;
        this.hasTimestamps = true;
    }

    /**
     * Appends a SACK block; the first block should be the most recently received (RFC 2018 §4).
     *
     * @throws IllegalStateException if {@link #MAX_SACK_BLOCKS} blocks are already set
     */
    public void addSackBlock(int left, int right) {
        if (sackCount == MAX_SACK_BLOCKS) {
            throw new IllegalStateException("already " + MAX_SACK_BLOCKS + " SACK blocks");
        }
        sackLeft[sackCount] = left;
        sackRight[sackCount] = right;
        sackCount++;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TcpOptions[");
        if (hasMss) {
            sb.append("mss=").append(mss).append(' ');
        }
        if (hasWindowScale) {
            sb.append("ws=").append(windowScale).append(' ');
        }
        if (sackPermitted) {
            sb.append("sackPermitted ");
        }
        if (hasTimestamps) {
            sb.append("ts=").append(Integer.toUnsignedString(tsVal)).append('/')
                    .append(Integer.toUnsignedString(tsEcr)).append(' ');
        }
        for (int i = 0; i < sackCount; i++) {
            sb.append("sack=").append(new SackBlock(sackLeft[i], sackRight[i])).append(' ');
        }
        if (sb.charAt(sb.length() - 1) == ' ') {
            sb.setLength(sb.length() - 1);
        }
        return sb.append(']').toString();
    }
}
