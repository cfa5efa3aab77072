package io.virtaio.netstack.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * A TCP header with a summary of its options (RFC 9293 §3.1, RFC 7323, RFC 2018). The data is not copied; it sits
 * at {@link TcpSegment#payloadOffset()}.
 *
 * <p>Built for tests and control paths: {@code TcpRepr.of(...)} plus the {@code with...} methods, e.g.
 * {@code TcpRepr.of(40000, 80, iss, 0, TcpFlags.SYN, 64240, 0).withMss(1460).withWindowScale(7)}. The hot path
 * uses {@link TcpSegment}, {@link TcpOptions} and {@link TcpOptionWriter} directly.
 *
 * @param srcPort       the source port
 * @param dstPort       the destination port
 * @param seq           the sequence number
 * @param ack           the acknowledgment number
 * @param flags         the control bits, see {@link TcpFlags}
 * @param window        the window field as sent (not scaled)
 * @param mss           the MSS option, or -1 if absent
 * @param windowScale   the Window Scale shift, or -1 if absent
 * @param sackPermitted whether the SACK-Permitted option is present
 * @param hasTimestamps whether the Timestamps option is present
 * @param tsVal         TSval (0 if absent)
 * @param tsEcr         TSecr (0 if absent)
 * @param sackBlocks    the SACK blocks, at most 4, immutable
 * @param payloadLength the number of data bytes
 */
public record TcpRepr(int srcPort, int dstPort, int seq, int ack, int flags, int window, int mss, int windowScale,
        boolean sackPermitted, boolean hasTimestamps, int tsVal, int tsEcr, List<SackBlock> sackBlocks,
        int payloadLength) {

    /** @throws IllegalArgumentException if a field is out of range */
    public TcpRepr {
        Require.range("source port", srcPort, 0, 0xFFFF);
        Require.range("destination port", dstPort, 0, 0xFFFF);
        Require.range("flags", flags, 0, 0xFF);
        Require.range("window", window, 0, 0xFFFF);
        Require.range("MSS", mss, -1, 0xFFFF);
        Require.range("window scale", windowScale, -1, TcpOptions.MAX_WINDOW_SCALE);
        if (!hasTimestamps && (tsVal != 0 || tsEcr != 0)) {
            throw new IllegalArgumentException("timestamp values without the Timestamps option");
        }
        sackBlocks = List.copyOf(sackBlocks);
        Require.range("SACK block count", sackBlocks.size(), 0, TcpOptions.MAX_SACK_BLOCKS);
        Require.range("payload length", payloadLength, 0, TcpSegment.MAX_LENGTH - TcpSegment.MIN_HEADER_LENGTH);
    }

    /** A header without options. */
    public static TcpRepr of(int srcPort, int dstPort, int seq, int ack, int flags, int window, int payloadLength) {
        return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, -1, -1, false, false, 0, 0, List.of(),
                payloadLength);
    }

    /**
     * Reads a segment whose {@link TcpSegment#check()} returned {@link WireError#OK}, with {@code options} the
     * result of a successful {@link TcpOptions#parse(TcpSegment)} of the same segment.
     */
    public static TcpRepr parse(TcpSegment segment, TcpOptions options) {
        List<SackBlock> sack = new ArrayList<>(options.sackCount());
        for (int i = 0; i < options.sackCount(); i++) {
            sack.add(new SackBlock(options.sackLeft(i), options.sackRight(i)));
        }
        return new TcpRepr(segment.srcPort(), segment.dstPort(), segment.seq(), segment.ack(), segment.flags(),
                segment.window(), options.hasMss() ? options.mss() : -1,
                options.hasWindowScale() ? options.windowScale() : -1, options.sackPermitted(),
                options.hasTimestamps(), options.tsVal(), options.tsEcr(), sack, segment.payloadLength());
    }

    /**
     * Reads a segment whose {@link TcpSegment#check()} returned {@link WireError#OK}, parsing its options.
     *
     * @throws IllegalArgumentException if the options are malformed; on untrusted input call
     *                                  {@link TcpOptions#parse(TcpSegment)} first and use the other overload
     */
    public static TcpRepr parse(TcpSegment segment) {
        TcpOptions options = new TcpOptions();
        int result = options.parse(segment);
        if (result != WireError.OK) {
            throw new IllegalArgumentException("TCP options: " + WireError.name(result));
        }
        return parse(segment, options);
    }

    /** This header with the MSS option set. */
    public TcpRepr withMss(int newMss) {
        return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, newMss, windowScale, sackPermitted,
                hasTimestamps, tsVal, tsEcr, sackBlocks, payloadLength);
    }

    /** This header with the Window Scale option set. */
    public TcpRepr withWindowScale(int shift) {
        return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, mss, shift, sackPermitted, hasTimestamps,
                tsVal, tsEcr, sackBlocks, payloadLength);
    }

    /** This header with the SACK-Permitted option. */
    public TcpRepr withSackPermitted() {
        return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, mss, windowScale, true, hasTimestamps,
                tsVal, tsEcr, sackBlocks, payloadLength);
    }

    /** This header with the Timestamps option set. */
    public TcpRepr withTimestamps(int newTsVal, int newTsEcr) {
        return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, mss, windowScale, sackPermitted, true,
                newTsVal, newTsEcr, sackBlocks, payloadLength);
    }

    /** This header with these SACK blocks instead of its own. */
    public TcpRepr withSackBlocks(SackBlock... blocks) {
        return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, mss, windowScale, sackPermitted,
                hasTimestamps, tsVal, tsEcr, List.of(blocks), payloadLength);
    }

    /** The options as a fresh {@link TcpOptions}. */
    public TcpOptions options() {
        TcpOptions o = new TcpOptions();
        if (mss >= 0) {
            o.setMss(mss);
        }
        if (windowScale >= 0) {
            o.setWindowScale(windowScale);
        }
        o.setSackPermitted(sackPermitted);
        if (hasTimestamps) {
            o.setTimestamps(tsVal, tsEcr);
        }
        for (SackBlock b : sackBlocks) {
            o.addSackBlock(b.left(), b.right());
        }
        return o;
    }

    /**
     * The header length with options in {@link TcpOptionWriter}'s layout.
     *
     * @throws IllegalArgumentException if the options do not fit in 40 bytes
     */
    public int headerLength() {
        return TcpSegment.MIN_HEADER_LENGTH + TcpOptionWriter.length(options());
    }

    /** The segment length: header plus data. */
    public int bufferLength() {
        return headerLength() + payloadLength;
    }

    /** SEG.LEN of RFC 9293 §3.4: data plus one for SYN and one for FIN. */
    public int sequenceLength() {
        return payloadLength + ((flags & TcpFlags.SYN) != 0 ? 1 : 0) + ((flags & TcpFlags.FIN) != 0 ? 1 : 0);
    }

    /**
     * Writes the header and options into {@code segment} (urgent pointer 0) and fills the checksum with the
     * pseudo-header of {@code src} and {@code dst} over the data already in place at {@code headerLength()}.
     *
     * @throws IllegalArgumentException unless the view spans exactly {@link #bufferLength()} bytes
     */
    public void emit(TcpSegment segment, int src, int dst) {
        TcpOptions o = options();
        Require.exactly(segment.length(), TcpSegment.MIN_HEADER_LENGTH + TcpOptionWriter.length(o)
                + payloadLength);
        segment.setSrcPort(srcPort);
        segment.setDstPort(dstPort);
        segment.setSeq(seq);
        segment.setAck(ack);
        TcpOptionWriter.write(o, segment);
        segment.setFlags(flags);
        segment.setWindow(window);
        segment.setUrgentPointer(0);
        segment.fillChecksum(src, dst);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TcpRepr[").append(srcPort).append(" > ").append(dstPort)
                .append(' ').append(TcpFlags.toString(flags))
                .append(" seq=").append(Integer.toUnsignedString(seq))
                .append(" ack=").append(Integer.toUnsignedString(ack))
                .append(" win=").append(window);
        if (mss >= 0) {
            sb.append(" mss=").append(mss);
        }
        if (windowScale >= 0) {
            sb.append(" ws=").append(windowScale);
        }
        if (sackPermitted) {
            sb.append(" sackPermitted");
        }
        if (hasTimestamps) {
            sb.append(" ts=").append(Integer.toUnsignedString(tsVal)).append('/')
                    .append(Integer.toUnsignedString(tsEcr));
        }
        if (!sackBlocks.isEmpty()) {
            sb.append(" sack=").append(sackBlocks);
        }
        return sb.append(" len=").append(payloadLength).append(']').toString();
    }
}
