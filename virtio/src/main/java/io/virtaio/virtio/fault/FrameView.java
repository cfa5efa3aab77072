package io.virtaio.virtio.fault;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The fields of an Ethernet frame that fault rules select on, read in place: EtherType; IPv4 addresses, protocol,
 * header length and fragmentation (RFC 791 §3.1); TCP and UDP ports; TCP flags, sequence number and payload length
 * (RFC 9293 §3.1); the ICMP type. A reusable view: {@link #wrap} re-reads a frame and allocates nothing.
 *
 * <p>The frame is untrusted: every field is bounds-checked, and a field the frame does not carry reads as -1
 * (a truncated IPv4 header makes {@link #isIpv4()} false; a TCP header cut short leaves the ports at -1). Nothing
 * here throws on any input.
 *
 * <p>Inside a {@link FaultStage} the view also knows the frame's {@link #direction()}, its number in that
 * direction ({@link #frameNumber()}, from 1) and, when a rule counts data segments, which data segment of its TCP
 * connection it is ({@link #dataSegment()}). A predicate may keep no reference to the view or its segment.
 */
public final class FrameView {
    /** TCP flag bits (RFC 9293 §3.1). */
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    static final int ETH_HEADER = 14;

    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private MemorySegment frame = MemorySegment.NULL;
    private long offset;
    private int length;
    private int etherType;
    private boolean ipv4;
    private int ipHeaderLength;
    private int ipTotalLength;
    private int protocol;
    private int src;
    private int dst;
    private boolean fragment;
    private boolean laterFragment;
    private int l4Offset;
    private int l4Length;
    private int srcPort;
    private int dstPort;
    private int tcpFlags;
    private long tcpSeq;
    private int payloadLength;
    private int icmpType;
    private Direction direction = Direction.EGRESS;
    private long frameNumber;
    private int dataSegment;

    /**
     * Reads the frame at {@code frame[offset, offset + length)}; the view is valid until the next call or until the
     * frame's bytes change.
     *
     * @return this view
     */
    public FrameView wrap(MemorySegment frame, long offset, int length) {
        this.frame = frame;
        this.offset = offset;
        this.length = length;
        etherType = -1;
        ipv4 = false;
        ipHeaderLength = -1;
        ipTotalLength = -1;
        protocol = -1;
        src = 0;
        dst = 0;
        fragment = false;
        laterFragment = false;
        l4Offset = -1;
        l4Length = -1;
        srcPort = -1;
        dstPort = -1;
        tcpFlags = -1;
        tcpSeq = -1;
        payloadLength = -1;
        icmpType = -1;
        dataSegment = 0;
        if (length < ETH_HEADER || offset < 0 || offset + length > frame.byteSize()) {
            return this;
        }
        etherType = u16(12);
        if (etherType == ETHERTYPE_IPV4) {
            parseIpv4();
        }
        return this;
    }

    private void parseIpv4() {
        if (length < ETH_HEADER + 20) {
            return;
        }
        int vihl = u8(ETH_HEADER);
        int ihl = (vihl & 0x0F) * 4;
        int total = u16(ETH_HEADER + 2);
        // RFC 791 §3.1: version 4, IHL at least 5 words, total length covering the header and inside the frame.
        if ((vihl >>> 4) != 4 || ihl < 20 || total < ihl || ETH_HEADER + total > length) {
            return;
        }
        ipv4 = true;
        ipHeaderLength = ihl;
        ipTotalLength = total;
        protocol = u8(ETH_HEADER + 9);
        src = frame.get(BE32, offset + ETH_HEADER + 12);
        dst = frame.get(BE32, offset + ETH_HEADER + 16);
        int flagsOffset = u16(ETH_HEADER + 6);
        int fragOffset = flagsOffset & 0x1FFF;
        fragment = (flagsOffset & 0x2000) != 0 || fragOffset != 0;
        laterFragment = fragOffset != 0;
        l4Offset = ETH_HEADER + ihl;
        l4Length = total - ihl;
        if (laterFragment) {
            return;
        }
        if (protocol == PROTO_TCP && l4Length >= 20) {
            srcPort = u16(l4Offset);
            dstPort = u16(l4Offset + 2);
            tcpSeq = Integer.toUnsignedLong(frame.get(BE32, offset + l4Offset + 4));
            int dataOffset = (u8(l4Offset + 12) >>> 4) * 4;
            tcpFlags = u8(l4Offset + 13);
            if (dataOffset >= 20 && dataOffset <= l4Length && !fragment) {
                payloadLength = l4Length - dataOffset;
            }
        } else if (protocol == PROTO_UDP && l4Length >= 8) {
            srcPort = u16(l4Offset);
            dstPort = u16(l4Offset + 2);
            if (!fragment) {
                payloadLength = l4Length - 8;
            }
        } else if (protocol == PROTO_ICMP && l4Length >= 4) {
            icmpType = u8(l4Offset);
        }
    }

    private int u8(int at) {
        return frame.get(ValueLayout.JAVA_BYTE, offset + at) & 0xFF;
    }

    private int u16(int at) {
        return Short.toUnsignedInt(frame.get(BE16, offset + at));
    }

    void setContext(Direction direction, long frameNumber) {
        this.direction = direction;
        this.frameNumber = frameNumber;
    }

    void setDataSegment(int n) {
        this.dataSegment = n;
    }

    /** The segment holding the frame; read it only inside the predicate. */
    public MemorySegment segment() {
        return frame;
    }

    /** Offset of the frame's first byte (the Ethernet destination) in {@link #segment()}. */
    public long offset() {
        return offset;
    }

    /** Frame length in bytes, Ethernet header included, no FCS. */
    public int length() {
        return length;
    }

    /** The frame's byte at {@code index} (0 = first byte of the Ethernet header), or -1 outside the frame. */
    public int byteAt(int index) {
        return index >= 0 && index < length ? u8(index) : -1;
    }

    /** EtherType, or -1 for a runt. VLAN tags are not looked through (an 802.1Q frame reads as 0x8100). */
    public int etherType() {
        return etherType;
    }

    /** True iff the frame carries a well-formed IPv4 header (version, IHL, total length inside the frame). */
    public boolean isIpv4() {
        return ipv4;
    }

    public boolean isArp() {
        return etherType == ETHERTYPE_ARP;
    }

    /** IPv4 header length in bytes, or -1. */
    public int ipHeaderLength() {
        return ipHeaderLength;
    }

    /** IPv4 total length, or -1. */
    public int ipTotalLength() {
        return ipTotalLength;
    }

    /** IPv4 protocol number, or -1. */
    public int protocol() {
        return protocol;
    }

    /** IPv4 source address (first octet most significant); 0 if not IPv4. */
    public int sourceAddress() {
        return src;
    }

    /** IPv4 destination address; 0 if not IPv4. */
    public int destinationAddress() {
        return dst;
    }

    /** True for a fragment (MF set or a non-zero offset). */
    public boolean isFragment() {
        return fragment;
    }

    /** Offset of the transport header from the frame's start, or -1. */
    public int transportOffset() {
        return l4Offset;
    }

    /** Bytes from the transport header to the end of the IPv4 packet, or -1. */
    public int transportLength() {
        return l4Length;
    }

    public boolean isTcp() {
        return protocol == PROTO_TCP && srcPort >= 0;
    }

    public boolean isUdp() {
        return protocol == PROTO_UDP && srcPort >= 0;
    }

    public boolean isIcmp() {
        return protocol == PROTO_ICMP && icmpType >= 0;
    }

    /** TCP or UDP source port, or -1. */
    public int sourcePort() {
        return srcPort;
    }

    /** TCP or UDP destination port, or -1. */
    public int destinationPort() {
        return dstPort;
    }

    /** TCP flags ({@link #SYN}, {@link #FIN}, …), or -1 if not TCP. */
    public int tcpFlags() {
        return tcpFlags;
    }

    /** True iff TCP with every flag of {@code mask} set. */
    public boolean hasFlags(int mask) {
        return tcpFlags >= 0 && (tcpFlags & mask) == mask;
    }

    /** TCP sequence number (unsigned 32 bits), or -1. */
    public long tcpSequence() {
        return tcpSeq;
    }

    /** TCP or UDP payload bytes, or -1 (not TCP/UDP, a fragment, or a bad data offset). */
    public int payloadLength() {
        return payloadLength;
    }

    /** True for a TCP segment carrying data. */
    public boolean isDataSegment() {
        return protocol == PROTO_TCP && payloadLength > 0;
    }

    /** ICMP type, or -1. */
    public int icmpType() {
        return icmpType;
    }

    /** The direction the frame travels in the stage. */
    public Direction direction() {
        return direction;
    }

    /** The frame's number in its direction of the stage, from 1; 0 outside a stage. */
    public long frameNumber() {
        return frameNumber;
    }

    /**
     * Which data segment of its TCP connection (per 4-tuple and direction) this is, from 1 — retransmissions count
     * again, since they cross the wire again; a SYN without ACK starts the count over. 0 when the frame is no data
     * segment, when no active rule counts segments, or when the stage's bounded flow table was full.
     */
    public int dataSegment() {
        return dataSegment;
    }
}
