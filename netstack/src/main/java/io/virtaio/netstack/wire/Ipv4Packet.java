package io.virtaio.netstack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A view of an IPv4 datagram (RFC 791 §3.1).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |   DSCP    |ECN|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options                    |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>(The TOS octet of RFC 791 is DSCP and ECN since RFC 2474 §3 and RFC 3168 §5.) Options are not interpreted:
 * the payload starts at IHL*4. The datagram ends at Total Length; bytes after it in the buffer (Ethernet padding)
 * are not payload. {@link #check()} does not verify the header checksum; {@link #verifyChecksum()} does.
 */
public final class Ipv4Packet {
    /** The length of a header without options (IHL 5). */
    public static final int MIN_HEADER_LENGTH = 20;
    /** The length of a header with the most options (IHL 15). */
    public static final int MAX_HEADER_LENGTH = 60;
    /** The largest Total Length. */
    public static final int MAX_TOTAL_LENGTH = 0xFFFF;

    private static final int VERSION_IHL = 0;
    private static final int DSCP_ECN = 1;
    private static final int TOTAL_LENGTH = 2;
    private static final int IDENTIFICATION = 4;
    private static final int FLAGS_FRAGMENT = 6;
    private static final int TTL = 8;
    private static final int PROTOCOL = 9;
    private static final int CHECKSUM = 10;
    private static final int SRC = 12;
    private static final int DST = 16;

    // RFC 791 §3.1 "Flags": bit 0 reserved, bit 1 DF, bit 2 MF; then 13 bits of offset in 8-octet units.
    private static final int FLAG_DF = 0x4000;
    private static final int FLAG_MF = 0x2000;
    private static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    private MemorySegment seg;
    private long offset;
    private int length;

    /**
     * Points this view at the {@code length} bytes at {@code offset} of {@code seg} and returns it; allocates
     * nothing.
     *
     * @throws IndexOutOfBoundsException if the range is not inside {@code seg}
     */
    public Ipv4Packet wrap(MemorySegment seg, long offset, int length) {
        Objects.checkFromIndexSize(offset, length, seg.byteSize());
        this.seg = seg;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Validates the header against the buffer, in this order: {@link WireError#TRUNCATED} if shorter than 20 bytes;
     * {@link WireError#BAD_VERSION} unless the version is 4; {@link WireError#BAD_HEADER_LENGTH} if IHL &lt; 5;
     * {@link WireError#TRUNCATED} if the buffer is shorter than IHL*4; {@link WireError#BAD_TOTAL_LENGTH} if Total
     * Length &lt; IHL*4; {@link WireError#TRUNCATED} if the buffer is shorter than Total Length; else
     * {@link WireError#OK}. Does not verify the checksum. Never throws.
     */
    public int check() {
        int headerCheck = checkHeader();
        if (headerCheck != WireError.OK) {
            return headerCheck;
        }
        return totalLength() > length ? WireError.TRUNCATED : WireError.OK;
    }

    /**
     * Validates the header of an original datagram quoted in an ICMP error (RFC 792: "Internet Header + 64 bits of
     * Original Data Datagram"): as {@link #check()}, except that the buffer may end before Total Length, since only
     * the start of the datagram is quoted. After OK, {@link #payloadLength()} is the number of quoted payload
     * bytes. Never throws.
     */
    public int checkEmbedded() {
        return checkHeader();
    }

    private int checkHeader() {
        if (length < MIN_HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        int versionIhl = Be.u8(seg, offset + VERSION_IHL);
        if (versionIhl >>> 4 != 4) {
            return WireError.BAD_VERSION;
        }
        int headerLength = (versionIhl & 0xF) * 4;
        if (headerLength < MIN_HEADER_LENGTH) {
            return WireError.BAD_HEADER_LENGTH;     // RFC 791 §3.1: "the minimum value for a correct header is 5"
        }
        if (headerLength > length) {
            return WireError.TRUNCATED;
        }
        return totalLength() < headerLength ? WireError.BAD_TOTAL_LENGTH : WireError.OK;
    }

    /**
     * True if the header checksum verifies (RFC 791 §3.1 "Header Checksum"; RFC 1122 §3.2.1.2: a datagram whose
     * checksum fails MUST be silently discarded). Virtio never offloads it, so receivers always call this.
     */
    public boolean verifyChecksum() {
        return Checksum.sum(seg, offset, headerLength()) == 0xFFFF;
    }

    /** Computes the header checksum over IHL*4 bytes and stores it. */
    public void fillChecksum() {
        setChecksum(0);
        setChecksum(Checksum.finish(Checksum.sum(seg, offset, headerLength())));
    }

    /** The wrapped segment. */
    public MemorySegment segment() {
        return seg;
    }

    /** The offset of the datagram in {@link #segment()}. */
    public long offset() {
        return offset;
    }

    /** The number of bytes wrapped (at least Total Length after {@link #check()}). */
    public int length() {
        return length;
    }

    /** The version field (4 after {@link #check()}). */
    public int version() {
        return Be.u8(seg, offset + VERSION_IHL) >>> 4;
    }

    /** The header length in bytes, IHL*4. */
    public int headerLength() {
        return (Be.u8(seg, offset + VERSION_IHL) & 0xF) * 4;
    }

    /** The Differentiated Services codepoint (RFC 2474 §3). */
    public int dscp() {
        return Be.u8(seg, offset + DSCP_ECN) >>> 2;
    }

    /** The ECN field (RFC 3168 §5). */
    public int ecn() {
        return Be.u8(seg, offset + DSCP_ECN) & 0x3;
    }

    /** Total Length: header plus payload, in bytes. */
    public int totalLength() {
        return Be.u16(seg, offset + TOTAL_LENGTH);
    }

    /** Identification. */
    public int identification() {
        return Be.u16(seg, offset + IDENTIFICATION);
    }

    /** The Don't Fragment flag. */
    public boolean dontFragment() {
        return (Be.u16(seg, offset + FLAGS_FRAGMENT) & FLAG_DF) != 0;
    }

    /** The More Fragments flag. */
    public boolean moreFragments() {
        return (Be.u16(seg, offset + FLAGS_FRAGMENT) & FLAG_MF) != 0;
    }

    /** The fragment offset in bytes (the field counts 8-octet units). */
    public int fragmentOffset() {
        return (Be.u16(seg, offset + FLAGS_FRAGMENT) & FRAGMENT_OFFSET_MASK) * 8;
    }

    /** True if this datagram is a fragment: MF is set or the fragment offset is not zero (RFC 791 §2.3). */
    public boolean isFragment() {
        return (Be.u16(seg, offset + FLAGS_FRAGMENT) & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0;
    }

    /** Time to Live. */
    public int ttl() {
        return Be.u8(seg, offset + TTL);
    }

    /** The payload's protocol, see {@link IpProtocol}. */
    public int protocol() {
        return Be.u8(seg, offset + PROTOCOL);
    }

    /** The header checksum field. */
    public int checksum() {
        return Be.u16(seg, offset + CHECKSUM);
    }

    /** The source address. */
    public int src() {
        return Be.i32(seg, offset + SRC);
    }

    /** The destination address. */
    public int dst() {
        return Be.i32(seg, offset + DST);
    }

    /** The offset of the payload in {@link #segment()}: after IHL*4 bytes, past any options. */
    public long payloadOffset() {
        return offset + headerLength();
    }

    /**
     * The payload length: Total Length minus IHL*4, so Ethernet padding after the datagram is excluded. After
     * {@link #checkEmbedded()} it is cut to the bytes present in the buffer.
     */
    public int payloadLength() {
        return Math.min(totalLength(), length) - headerLength();
    }

    /**
     * Sets version 4 and IHL.
     *
     * @throws IllegalArgumentException unless {@code headerLength} is a multiple of 4 in {@code 20..60}
     */
    public void setVersionAndHeaderLength(int headerLength) {
        if (headerLength < MIN_HEADER_LENGTH || headerLength > MAX_HEADER_LENGTH || (headerLength & 3) != 0) {
            throw new IllegalArgumentException("IPv4 header length not a multiple of 4 in 20..60: " + headerLength);
        }
        Be.set8(seg, offset + VERSION_IHL, 4 << 4 | headerLength / 4);
    }

    /** Sets the DSCP and ECN fields. */
    public void setDscpEcn(int dscp, int ecn) {
        Be.set8(seg, offset + DSCP_ECN, (dscp & 0x3F) << 2 | ecn & 0x3);
    }

    /** Sets Total Length. */
    public void setTotalLength(int totalLength) {
        Be.set16(seg, offset + TOTAL_LENGTH, totalLength);
    }

    /** Sets Identification. */
    public void setIdentification(int identification) {
        Be.set16(seg, offset + IDENTIFICATION, identification);
    }

    /**
     * Sets the flags (reserved bit zero, as RFC 791 requires) and the fragment offset.
     *
     * @throws IllegalArgumentException unless {@code fragmentOffset} is a multiple of 8 in {@code 0..65528}
     */
    public void setFragment(boolean dontFragment, boolean moreFragments, int fragmentOffset) {
        if (fragmentOffset < 0 || fragmentOffset > FRAGMENT_OFFSET_MASK * 8 || (fragmentOffset & 7) != 0) {
            throw new IllegalArgumentException("fragment offset not a multiple of 8 in 0..65528: " + fragmentOffset);
        }
        int v = fragmentOffset / 8 | (dontFragment ? FLAG_DF : 0) | (moreFragments ? FLAG_MF : 0);
        Be.set16(seg, offset + FLAGS_FRAGMENT, v);
    }

    /** Sets Time to Live. */
    public void setTtl(int ttl) {
        Be.set8(seg, offset + TTL, ttl);
    }

    /** Sets Protocol. */
    public void setProtocol(int protocol) {
        Be.set8(seg, offset + PROTOCOL, protocol);
    }

    /** Sets the header checksum field; see {@link #fillChecksum()}. */
    public void setChecksum(int checksum) {
        Be.set16(seg, offset + CHECKSUM, checksum);
    }

    /** Sets the source address. */
    public void setSrc(int addr) {
        Be.set32(seg, offset + SRC, addr);
    }

    /** Sets the destination address. */
    public void setDst(int addr) {
        Be.set32(seg, offset + DST, addr);
    }
}
