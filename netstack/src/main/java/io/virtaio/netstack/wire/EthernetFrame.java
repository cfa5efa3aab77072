package io.virtaio.netstack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A view of an Ethernet II frame (RFC 894; IEEE 802.3 clause 3.1.1 with a Type field) without preamble or FCS.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Destination MAC Address                      |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                    Source MAC Address                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           EtherType           |  Payload ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>802.1Q-tagged frames show {@link EtherType#VLAN} as their EtherType; their tags are not parsed here. The
 * payload is everything after the header, including any padding up to the 60-byte minimum frame.
 */
public final class EthernetFrame {
    /** The length of the header: two addresses and the EtherType. */
    public static final int HEADER_LENGTH = 14;

    private static final int DST = 0;
    private static final int SRC = 6;
    private static final int ETHERTYPE = 12;

    private MemorySegment seg;
    private long offset;
    private int length;

    /**
     * Points this view at the {@code length} bytes at {@code offset} of {@code seg} and returns it; allocates
     * nothing.
     *
     * @throws IndexOutOfBoundsException if the range is not inside {@code seg}
     */
    public EthernetFrame wrap(MemorySegment seg, long offset, int length) {
        Objects.checkFromIndexSize(offset, length, seg.byteSize());
        this.seg = seg;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** {@link WireError#OK}, or {@link WireError#TRUNCATED} if the buffer cannot hold the header. */
    public int check() {
        return length < HEADER_LENGTH ? WireError.TRUNCATED : WireError.OK;
    }

    /** The wrapped segment. */
    public MemorySegment segment() {
        return seg;
    }

    /** The offset of the frame in {@link #segment()}. */
    public long offset() {
        return offset;
    }

    /** The number of bytes wrapped. */
    public int length() {
        return length;
    }

    /** The destination address. */
    public long dst() {
        return MacAddress.read(seg, offset + DST);
    }

    /** The source address. */
    public long src() {
        return MacAddress.read(seg, offset + SRC);
    }

    /** The EtherType, see {@link EtherType}. */
    public int etherType() {
        return Be.u16(seg, offset + ETHERTYPE);
    }

    /** The offset of the payload in {@link #segment()}. */
    public long payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** The number of bytes after the header. */
    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** Sets the destination address. */
    public void setDst(long mac) {
        MacAddress.write(seg, offset + DST, mac);
    }

    /** Sets the source address. */
    public void setSrc(long mac) {
        MacAddress.write(seg, offset + SRC, mac);
    }

    /** Sets the EtherType. */
    public void setEtherType(int etherType) {
        Be.set16(seg, offset + ETHERTYPE, etherType);
    }
}
