package io.virtaio.netstack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A view of a TCP segment (RFC 9293 §3.1). The segment spans the whole view: wrap exactly the IPv4 payload, since
 * TCP has no length field and the checksum's pseudo-header uses the view's length.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           [Options]                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             data ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>{@link #check()} validates the header length only; options are parsed by {@link TcpOptions#parse} and the
 * checksum is verified by {@link #verifyChecksum(int, int)}.
 */
public final class TcpSegment {
    /** The length of a header without options (data offset 5). */
    public static final int MIN_HEADER_LENGTH = 20;
    /** The length of a header with 40 bytes of options (data offset 15). */
    public static final int MAX_HEADER_LENGTH = 60;
    /** The most option bytes a header can carry. */
    public static final int MAX_OPTIONS_LENGTH = MAX_HEADER_LENGTH - MIN_HEADER_LENGTH;
    /** The longest segment {@link #check()} accepts: the pseudo-header's TCP length is 16 bits (RFC 9293 §3.1). */
    public static final int MAX_LENGTH = 0xFFFF;
    /** The offset of the checksum field: virtio's {@code csum_offset} for checksum offload. */
    public static final int CHECKSUM_OFFSET = 16;

    private static final int SRC_PORT = 0;
    private static final int DST_PORT = 2;
    private static final int SEQ = 4;
    private static final int ACK = 8;
    private static final int DATA_OFFSET = 12;
    private static final int FLAGS = 13;
    private static final int WINDOW = 14;
    private static final int URGENT = 18;
    private static final int OPTIONS = 20;

    private MemorySegment seg;
    private long offset;
    private int length;

    /**
     * Points this view at the {@code length} bytes at {@code offset} of {@code seg} and returns it; allocates
     * nothing.
     *
     * @throws IndexOutOfBoundsException if the range is not inside {@code seg}
     */
    public TcpSegment wrap(MemorySegment seg, long offset, int length) {
        Objects.checkFromIndexSize(offset, length, seg.byteSize());
        this.seg = seg;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Validates the header: {@link WireError#TRUNCATED} if shorter than 20 bytes; {@link WireError#BAD_LENGTH} if
     * longer than {@link #MAX_LENGTH};
     * {@link WireError#BAD_HEADER_LENGTH} if the data offset is below 5 words; {@link WireError#TRUNCATED} if the
     * buffer is shorter than the data offset; else {@link WireError#OK}. Never throws.
     */
    public int check() {
        if (length < MIN_HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        if (length > MAX_LENGTH) {
            return WireError.BAD_LENGTH;
        }
        int headerLength = headerLength();
        if (headerLength < MIN_HEADER_LENGTH) {
            return WireError.BAD_HEADER_LENGTH;     // RFC 9293 §3.1 "Data Offset": the header is at least 5 words
        }
        return headerLength > length ? WireError.TRUNCATED : WireError.OK;
    }

    /**
     * True if the checksum over the pseudo-header of {@code src} and {@code dst}, the header and the data verifies
     * (RFC 9293 §3.1 "Checksum"; MUST-3: the receiver checks it, here or in a device that verified it).
     */
    public boolean verifyChecksum(int src, int dst) {
        long sum = (long) Checksum.pseudoHeader(src, dst, IpProtocol.TCP, length) + Checksum.sum(seg, offset, length);
        return Checksum.fold(sum) == 0xFFFF;
    }

    /** Computes the checksum over pseudo-header, header and data (RFC 9293 §3.1) and stores it. */
    public void fillChecksum(int src, int dst) {
        setChecksum(0);
        long sum = (long) Checksum.pseudoHeader(src, dst, IpProtocol.TCP, length) + Checksum.sum(seg, offset, length);
        setChecksum(Checksum.finish(Checksum.fold(sum)));
    }

    /**
     * Stores only the folded pseudo-header sum, uncomplemented, for a device that completes the checksum: virtio
     * 1.2 §5.1.6.2 VIRTIO_NET_HDR_F_NEEDS_CSUM with {@code csum_start} at this header and {@code csum_offset}
     * {@link #CHECKSUM_OFFSET}. The device sums from {@code csum_start} to the end, folds, and stores the complement
     * (Linux's {@code ~tcp_v4_check(len, saddr, daddr, 0)} writes the same value).
     */
    public void fillPartialChecksum(int src, int dst) {
        setChecksum(Checksum.pseudoHeader(src, dst, IpProtocol.TCP, length));
    }

    /** The wrapped segment. */
    public MemorySegment segment() {
        return seg;
    }

    /** The offset of the TCP header in {@link #segment()}. */
    public long offset() {
        return offset;
    }

    /** The number of bytes wrapped: header plus data. */
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

    /** The sequence number, modulo 2<sup>32</sup> (compare with {@link Seq}). */
    public int seq() {
        return Be.i32(seg, offset + SEQ);
    }

    /** The acknowledgment number, modulo 2<sup>32</sup> (compare with {@link Seq}). */
    public int ack() {
        return Be.i32(seg, offset + ACK);
    }

    /** The header length in bytes: Data Offset * 4. */
    public int headerLength() {
        return (Be.u8(seg, offset + DATA_OFFSET) >>> 4) * 4;
    }

    /** The eight control bits, see {@link TcpFlags}; the four reserved bits are ignored (RFC 9293 §3.1). */
    public int flags() {
        return Be.u8(seg, offset + FLAGS);
    }

    /** True if every bit of {@code mask} is set in {@link #flags()}. */
    public boolean hasFlags(int mask) {
        return (flags() & mask) == mask;
    }

    /** The window field as sent, not scaled. */
    public int window() {
        return Be.u16(seg, offset + WINDOW);
    }

    /** The checksum field. */
    public int checksum() {
        return Be.u16(seg, offset + CHECKSUM_OFFSET);
    }

    /** The urgent pointer. */
    public int urgentPointer() {
        return Be.u16(seg, offset + URGENT);
    }

    /** The offset of the options in {@link #segment()}. */
    public long optionsOffset() {
        return offset + OPTIONS;
    }

    /** The number of option bytes (header length minus 20). */
    public int optionsLength() {
        return headerLength() - MIN_HEADER_LENGTH;
    }

    /** The offset of the data in {@link #segment()}. */
    public long payloadOffset() {
        return offset + headerLength();
    }

    /** The number of data bytes. */
    public int payloadLength() {
        return length - headerLength();
    }

    /**
     * SEG.LEN of RFC 9293 §3.4: the data length plus one for SYN and one for FIN, the sequence space the segment
     * occupies.
     */
    public int sequenceLength() {
        int flags = flags();
        return payloadLength() + ((flags & TcpFlags.SYN) != 0 ? 1 : 0) + ((flags & TcpFlags.FIN) != 0 ? 1 : 0);
    }

    /** Sets the source port. */
    public void setSrcPort(int port) {
        Be.set16(seg, offset + SRC_PORT, port);
    }

    /** Sets the destination port. */
    public void setDstPort(int port) {
        Be.set16(seg, offset + DST_PORT, port);
    }

    /** Sets the sequence number. */
    public void setSeq(int seq) {
        Be.set32(seg, offset + SEQ, seq);
    }

    /** Sets the acknowledgment number. */
    public void setAck(int ack) {
        Be.set32(seg, offset + ACK, ack);
    }

    /**
     * Sets the data offset and clears the reserved bits (RFC 9293 §3.1: "Must be zero in generated segments").
     *
     * @throws IllegalArgumentException unless {@code headerLength} is a multiple of 4 in {@code 20..60}
     */
    public void setHeaderLength(int headerLength) {
        if (headerLength < MIN_HEADER_LENGTH || headerLength > MAX_HEADER_LENGTH || (headerLength & 3) != 0) {
            throw new IllegalArgumentException("TCP header length not a multiple of 4 in 20..60: " + headerLength);
        }
        Be.set8(seg, offset + DATA_OFFSET, headerLength / 4 << 4);
    }

    /** Sets the eight control bits. */
    public void setFlags(int flags) {
        Be.set8(seg, offset + FLAGS, flags);
    }

    /** Sets the window field. */
    public void setWindow(int window) {
        Be.set16(seg, offset + WINDOW, window);
    }

    /** Sets the checksum field; see {@link #fillChecksum} and {@link #fillPartialChecksum}. */
    public void setChecksum(int checksum) {
        Be.set16(seg, offset + CHECKSUM_OFFSET, checksum);
    }

    /** Sets the urgent pointer. */
    public void setUrgentPointer(int urgentPointer) {
        Be.set16(seg, offset + URGENT, urgentPointer);
    }
}
