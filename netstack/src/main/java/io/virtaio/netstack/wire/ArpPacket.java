package io.virtaio.netstack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A view of an ARP packet for IPv4 over Ethernet (RFC 826), the only combination this stack resolves.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Hardware Type (ar$hrd = 1)  | Protocol Type (ar$pro=0x0800) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | ar$hln = 6    | ar$pln = 4    |          Opcode (ar$op)       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              Sender Hardware Address (ar$sha) ...             |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               | Sender Protocol Address ...   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  ... (ar$spa)                 | Target Hardware Address ...   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                           ... (ar$tha)                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                Target Protocol Address (ar$tpa)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class ArpPacket {
    /** The length of an Ethernet/IPv4 ARP packet; frames are padded after it. */
    public static final int LENGTH = 28;
    /** ar$hrd for Ethernet (the IANA "Hardware Types" registry). */
    public static final int HTYPE_ETHERNET = 1;

    private static final int HTYPE = 0;
    private static final int PTYPE = 2;
    private static final int HLEN = 4;
    private static final int PLEN = 5;
    private static final int OPER = 6;
    private static final int SHA = 8;
    private static final int SPA = 14;
    private static final int THA = 18;
    private static final int TPA = 24;
    private static final int FIXED_PART = 8;

    private MemorySegment seg;
    private long offset;
    private int length;

    /**
     * Points this view at the {@code length} bytes at {@code offset} of {@code seg} and returns it; allocates
     * nothing.
     *
     * @throws IndexOutOfBoundsException if the range is not inside {@code seg}
     */
    public ArpPacket wrap(MemorySegment seg, long offset, int length) {
        Objects.checkFromIndexSize(offset, length, seg.byteSize());
        this.seg = seg;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Validates the packet: {@link WireError#TRUNCATED} if the buffer is too short,
     * {@link WireError#UNSUPPORTED} unless it is Ethernet/IPv4 (hardware type 1, protocol type 0x0800, address
     * lengths 6 and 4) with opcode {@link ArpOperation#REQUEST} or {@link ArpOperation#REPLY}; else
     * {@link WireError#OK}. Never throws.
     */
    public int check() {
        if (length < FIXED_PART) {
            return WireError.TRUNCATED;
        }
        // RFC 826 "Packet Reception": a packet for a hardware or protocol type we do not speak is discarded.
        if (Be.u16(seg, offset + HTYPE) != HTYPE_ETHERNET || Be.u16(seg, offset + PTYPE) != EtherType.IPV4
                || Be.u8(seg, offset + HLEN) != MacAddress.LENGTH || Be.u8(seg, offset + PLEN) != 4) {
            return WireError.UNSUPPORTED;
        }
        if (length < LENGTH) {
            return WireError.TRUNCATED;
        }
        int op = operation();
        return op == ArpOperation.REQUEST || op == ArpOperation.REPLY ? WireError.OK : WireError.UNSUPPORTED;
    }

    /** The wrapped segment. */
    public MemorySegment segment() {
        return seg;
    }

    /** The offset of the packet in {@link #segment()}. */
    public long offset() {
        return offset;
    }

    /** The number of bytes wrapped. */
    public int length() {
        return length;
    }

    /** ar$op, see {@link ArpOperation}. */
    public int operation() {
        return Be.u16(seg, offset + OPER);
    }

    /** ar$sha, the sender hardware address. */
    public long senderMac() {
        return MacAddress.read(seg, offset + SHA);
    }

    /** ar$spa, the sender protocol address. */
    public int senderIp() {
        return Be.i32(seg, offset + SPA);
    }

    /** ar$tha, the target hardware address (ignored in requests). */
    public long targetMac() {
        return MacAddress.read(seg, offset + THA);
    }

    /** ar$tpa, the target protocol address. */
    public int targetIp() {
        return Be.i32(seg, offset + TPA);
    }

    /** Writes the fixed Ethernet/IPv4 part: hardware type 1, protocol type 0x0800, lengths 6 and 4. */
    public void setEthernetIpv4() {
        Be.set16(seg, offset + HTYPE, HTYPE_ETHERNET);
        Be.set16(seg, offset + PTYPE, EtherType.IPV4);
        Be.set8(seg, offset + HLEN, MacAddress.LENGTH);
        Be.set8(seg, offset + PLEN, 4);
    }

    /** Sets ar$op. */
    public void setOperation(int operation) {
        Be.set16(seg, offset + OPER, operation);
    }

    /** Sets ar$sha. */
    public void setSenderMac(long mac) {
        MacAddress.write(seg, offset + SHA, mac);
    }

    /** Sets ar$spa. */
    public void setSenderIp(int addr) {
        Be.set32(seg, offset + SPA, addr);
    }

    /** Sets ar$tha. */
    public void setTargetMac(long mac) {
        MacAddress.write(seg, offset + THA, mac);
    }

    /** Sets ar$tpa. */
    public void setTargetIp(int addr) {
        Be.set32(seg, offset + TPA, addr);
    }
}
