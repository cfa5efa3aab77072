package io.virtaio.netstack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A view of an ICMPv4 message (RFC 792). The message spans the whole view: wrap exactly the IPv4 payload, since
 * the checksum covers all of it and ICMP has no length field of its own.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Identifier          |        Sequence Number        |  echo, echo reply
 * |             unused            |         Next-Hop MTU          |  destination unreachable (RFC 1191 §4)
 * |                             unused                            |  time exceeded
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Data: echo data, or the original IP header + 64 bits ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Icmpv4Packet {
    /** Type, code, checksum and the 4-byte rest of the header. */
    public static final int HEADER_LENGTH = 8;
    /** The longest message {@link #check()} accepts: the most any IP length field can describe. */
    public static final int MAX_LENGTH = 0xFFFF;
    /** The least an error message must quote: an IPv4 header without options and 64 bits of its data (RFC 792). */
    public static final int MIN_QUOTED_LENGTH = Ipv4Packet.MIN_HEADER_LENGTH + 8;

    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECKSUM = 2;
    private static final int IDENTIFIER = 4;
    private static final int SEQUENCE = 6;
    private static final int UNUSED = 4;
    private static final int NEXT_HOP_MTU = 6;

    private MemorySegment seg;
    private long offset;
    private int length;

    /**
     * Points this view at the {@code length} bytes at {@code offset} of {@code seg} and returns it; allocates
     * nothing.
     *
     * @throws IndexOutOfBoundsException if the range is not inside {@code seg}
     */
    public Icmpv4Packet wrap(MemorySegment seg, long offset, int length) {
        Objects.checkFromIndexSize(offset, length, seg.byteSize());
        this.seg = seg;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Validates the message: {@link WireError#TRUNCATED} if shorter than the 8-byte header;
     * {@link WireError#BAD_LENGTH} if longer than {@link #MAX_LENGTH};
     * {@link WireError#UNSUPPORTED} unless it is an echo, echo reply, destination unreachable or time exceeded
     * (RFC 1122 §3.2.2: an unknown type MUST be silently discarded); {@link WireError#TRUNCATED} if an error message
     * quotes less than {@link #MIN_QUOTED_LENGTH} bytes; else {@link WireError#OK}. Does not verify the checksum.
     * Never throws.
     */
    public int check() {
        if (length < HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        if (length > MAX_LENGTH) {
            return WireError.BAD_LENGTH;
        }
        return switch (type()) {
            case Icmpv4Type.ECHO_REQUEST, Icmpv4Type.ECHO_REPLY -> WireError.OK;
            case Icmpv4Type.DST_UNREACHABLE, Icmpv4Type.TIME_EXCEEDED ->
                    dataLength() < MIN_QUOTED_LENGTH ? WireError.TRUNCATED : WireError.OK;
            default -> WireError.UNSUPPORTED;
        };
    }

    /** True if the checksum over the whole message verifies (RFC 792 "Checksum"). */
    public boolean verifyChecksum() {
        return Checksum.sum(seg, offset, length) == 0xFFFF;
    }

    /** Computes the checksum over the whole message (the view) and stores it. */
    public void fillChecksum() {
        setChecksum(0);
        setChecksum(Checksum.finish(Checksum.sum(seg, offset, length)));
    }

    /** The wrapped segment. */
    public MemorySegment segment() {
        return seg;
    }

    /** The offset of the message in {@link #segment()}. */
    public long offset() {
        return offset;
    }

    /** The number of bytes wrapped: the message length. */
    public int length() {
        return length;
    }

    /** Type, see {@link Icmpv4Type}. */
    public int type() {
        return Be.u8(seg, offset + TYPE);
    }

    /** Code, see {@link Icmpv4Code}. */
    public int code() {
        return Be.u8(seg, offset + CODE);
    }

    /** The checksum field. */
    public int checksum() {
        return Be.u16(seg, offset + CHECKSUM);
    }

    /** The identifier of an echo or echo reply. */
    public int identifier() {
        return Be.u16(seg, offset + IDENTIFIER);
    }

    /** The sequence number of an echo or echo reply. */
    public int sequence() {
        return Be.u16(seg, offset + SEQUENCE);
    }

    /** The Next-Hop MTU of a "fragmentation needed" destination unreachable (RFC 1191 §4); 0 from old routers. */
    public int nextHopMtu() {
        return Be.u16(seg, offset + NEXT_HOP_MTU);
    }

    /** The offset of the data (echo data or the quoted datagram) in {@link #segment()}. */
    public long dataOffset() {
        return offset + HEADER_LENGTH;
    }

    /** The number of data bytes. */
    public int dataLength() {
        return length - HEADER_LENGTH;
    }

    /** Sets Type. */
    public void setType(int type) {
        Be.set8(seg, offset + TYPE, type);
    }

    /** Sets Code. */
    public void setCode(int code) {
        Be.set8(seg, offset + CODE, code);
    }

    /** Sets the checksum field; see {@link #fillChecksum()}. */
    public void setChecksum(int checksum) {
        Be.set16(seg, offset + CHECKSUM, checksum);
    }

    /** Sets the echo identifier. */
    public void setIdentifier(int identifier) {
        Be.set16(seg, offset + IDENTIFIER, identifier);
    }

    /** Sets the echo sequence number. */
    public void setSequence(int sequence) {
        Be.set16(seg, offset + SEQUENCE, sequence);
    }

    /** Zeroes the unused half and sets the Next-Hop MTU (RFC 1191 §4); 0 for codes other than 4. */
    public void setNextHopMtu(int mtu) {
        Be.set16(seg, offset + UNUSED, 0);
        Be.set16(seg, offset + NEXT_HOP_MTU, mtu);
    }

    /** Zeroes the four bytes after the checksum ("unused" in RFC 792's error messages). */
    public void clearRestOfHeader() {
        Be.set32(seg, offset + UNUSED, 0);
    }
}
