package io.virtaio.netstack.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Big-endian (network byte order, RFC 1700 "Data Notations") field accessors over a {@link MemorySegment}.
 *
 * <p>Every layout is unaligned: packet fields sit at arbitrary offsets of arbitrary buffers. Unsigned fields are
 * widened ({@code u8}/{@code u16} to {@code int}, {@code u32} to {@code long}); {@code i32} returns the raw 32 bits
 * for values that are used modulo 2<sup>32</sup> (sequence numbers, IPv4 addresses, timestamps). Setters write the
 * low bits of their argument. All offsets are absolute offsets in the segment; the segment bounds-checks them.
 */
public final class Be {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Be() {}

    /** The unsigned byte at {@code off}. */
    public static int u8(MemorySegment seg, long off) {
        return seg.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    /** The unsigned big-endian 16-bit field at {@code off}. */
    public static int u16(MemorySegment seg, long off) {
        return seg.get(U16, off) & 0xFFFF;
    }

    /** The unsigned big-endian 32-bit field at {@code off}, in {@code 0 .. 2^32-1}. */
    public static long u32(MemorySegment seg, long off) {
        return seg.get(U32, off) & 0xFFFF_FFFFL;
    }

    /** The big-endian 32-bit field at {@code off} as raw bits. */
    public static int i32(MemorySegment seg, long off) {
        return seg.get(U32, off);
    }

    /** The big-endian 64-bit field at {@code off} as raw bits. */
    public static long i64(MemorySegment seg, long off) {
        return seg.get(U64, off);
    }

    /** Writes the low 8 bits of {@code value} at {@code off}. */
    public static void set8(MemorySegment seg, long off, int value) {
        seg.set(ValueLayout.JAVA_BYTE, off, (byte) value);
    }

    /** Writes the low 16 bits of {@code value} big-endian at {@code off}. */
    public static void set16(MemorySegment seg, long off, int value) {
        seg.set(U16, off, (short) value);
    }

    /** Writes {@code value} big-endian at {@code off}. */
    public static void set32(MemorySegment seg, long off, int value) {
        seg.set(U32, off, value);
    }

    /** Writes {@code value} big-endian at {@code off}. */
    public static void set64(MemorySegment seg, long off, long value) {
        seg.set(U64, off, value);
    }
}
