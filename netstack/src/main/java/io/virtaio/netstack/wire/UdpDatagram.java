package io.virtaio.netstack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A view of a UDP datagram (RFC 768).
 *
 * <pre>
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |     Source      |   Destination   |
 * |      Port       |      Port       |
 * +--------+--------+--------+--------+
 * |                 |                 |
 * |     Length      |    Checksum     |
 * +--------+--------+--------+--------+
 * |          data octets ...
 * +---------------- ...
 * </pre>
 *
 * <p>The datagram ends at its Length field; bytes after it in the buffer are ignored. {@link #check()} does not
 * verify the checksum, because it needs the IP addresses: {@link #verifyChecksum(int, int)} does.
 */
public final class UdpDatagram {
    /** The length of the header. */
    public static final int HEADER_LENGTH = 8;
    /** The offset of the checksum field: virtio's {@code csum_offset} for checksum offload. */
    public static final int CHECKSUM_OFFSET = 6;

    private static final int SRC_PORT = 0;
    private static final int DST_PORT = 2;
    private static final int LENGTH = 4;

    private MemorySegment seg;
    private long offset;
    private int length;

    /**
     * Points this view at the {@code length} bytes at {@code offset} of {@code seg} and returns it; allocates
     * nothing. Wrap the IPv4 payload.
     *
     * @throws IndexOutOfBoundsException if the range is not inside {@code seg}
     */
    public UdpDatagram wrap(MemorySegment seg, long offset, int length) {
        Objects.checkFromIndexSize(offset, length, seg.byteSize());
        this.seg = seg;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Validates the header: {@link WireError#TRUNCATED} if the buffer is shorter than 8 bytes or than the Length
     * field; {@link WireError#BAD_LENGTH} if Length &lt; 8; else {@link WireError#OK}. Never throws.
     */
    public int check() {
        if (length < HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        int udpLength = datagramLength();
        if (udpLength < HEADER_LENGTH) {
            return WireError.BAD_LENGTH;    // RFC 768: Length includes the header, "the minimum value ... is eight"
        }
        return udpLength > length ? WireError.TRUNCATED : WireError.OK;
    }

    /**
     * True if the checksum verifies with the pseudo-header of {@code src} and {@code dst}, or is zero: RFC 768 "An
     * all zero transmitted checksum value means that the transmitter generated no checksum", which IPv4 allows.
     */
    public boolean verifyChecksum(int src, int dst) {
        if (checksum() == 0) {
            return true;
        }
        int udpLength = datagramLength();
        long sum = (long) Checksum.pseudoHeader(src, dst, IpProtocol.UDP, udpLength)
                + Checksum.sum(seg, offset, udpLength);
        return Checksum.fold(sum) == 0xFFFF;
    }

    /** Computes the checksum over pseudo-header, header and data (RFC 768) and stores it; never stores zero. */
    public void fillChecksum(int src, int dst) {
        int udpLength = datagramLength();
        setChecksum(0);
        long sum = (long) Checksum.pseudoHeader(src, dst, IpProtocol.UDP, udpLength)
                + Checksum.sum(seg, offset, udpLength);
        setChecksum(Checksum.finishUdp(Checksum.fold(sum)));
    }

    /**
     * Stores only the folded pseudo-header sum, uncomplemented, for a device that completes the checksum: virtio
     * 1.2 §5.1.6.2 VIRTIO_NET_HDR_F_NEEDS_CSUM with {@code csum_start} at this header and {@code csum_offset}
     * {@link #CHECKSUM_OFFSET}. The device sums from {@code csum_start} to the end, folds, and stores the complement.
     */
    public void fillPartialChecksum(int src, int dst) {
        setChecksum(Checksum.pseudoHeader(src, dst, IpProtocol.UDP, datagramLength()));
    }

    /** The wrapped segment. */
    public MemorySegment segment() {
        return seg;
    }

    /** The offset of the datagram in {@link #segment()}. */
    public long offset() {
        return offset;
    }

    /** The number of bytes wrapped (at least Length after {@link #check()}). */
    public int length() {
        return length;
    }

    /** The source port. */
    public int srcPort() {
        return Be.u16(seg, offset + SRC_PORT);
    }

    /** The destination port. */
    public int dstPort() {
        return Be.u16(seg, offset + DST_PORT);
    }

    /** The Length field: header plus data, in bytes. */
    public int datagramLength() {
        return Be.u16(seg, offset + LENGTH);
    }

    /** The checksum field; 0 means none. */
    public int checksum() {
        return Be.u16(seg, offset + CHECKSUM_OFFSET);
    }

    /** The offset of the data in {@link #segment()}. */
    public long payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** The number of data bytes, from the Length field. */
    public int payloadLength() {
        return datagramLength() - HEADER_LENGTH;
    }

    /** Sets the source port. */
    public void setSrcPort(int port) {
        Be.set16(seg, offset + SRC_PORT, port);
    }

    /** Sets the destination port. */
    public void setDstPort(int port) {
        Be.set16(seg, offset + DST_PORT, port);
    }

    /** Sets the Length field. */
    public void setDatagramLength(int udpLength) {
        Be.set16(seg, offset + LENGTH, udpLength);
    }

    /** Sets the checksum field. */
    public void setChecksum(int checksum) {
        Be.set16(seg, offset + CHECKSUM_OFFSET, checksum);
    }
}
