package io.virtaio.netstack.wire;

/**
 * A UDP header (RFC 768). The data is not copied; it sits at {@link UdpDatagram#payloadOffset()}.
 *
 * @param srcPort       the source port
 * @param dstPort       the destination port
 * @param payloadLength the number of data bytes
 */
public record UdpRepr(int srcPort, int dstPort, int payloadLength) {
    /** The most data the 16-bit Length field can describe (inside an IPv4 datagram: 28 bytes less). */
    public static final int MAX_PAYLOAD_LENGTH = 0xFFFF - UdpDatagram.HEADER_LENGTH;

    /** @throws IllegalArgumentException if a field is out of range */
    public UdpRepr {
        Require.range("source port", srcPort, 0, 0xFFFF);
        Require.range("destination port", dstPort, 0, 0xFFFF);
        Require.range("payload length", payloadLength, 0, MAX_PAYLOAD_LENGTH);
    }

    /** Reads a datagram whose {@link UdpDatagram#check()} returned {@link WireError#OK}. */
    public static UdpRepr parse(UdpDatagram datagram) {
        return new UdpRepr(datagram.srcPort(), datagram.dstPort(), datagram.payloadLength());
    }

    /** {@link UdpDatagram#HEADER_LENGTH}. */
    public int headerLength() {
        return UdpDatagram.HEADER_LENGTH;
    }

    /** The Length field: header plus data. */
    public int bufferLength() {
        return UdpDatagram.HEADER_LENGTH + payloadLength;
    }

    /**
     * Writes the header into {@code datagram} and fills the checksum with the pseudo-header of {@code src} and
     * {@code dst} over the data already in place.
     *
     * @throws IllegalArgumentException if the view is shorter than {@link #bufferLength()}
     */
    public void emit(UdpDatagram datagram, int src, int dst) {
        Require.atLeast(datagram.length(), bufferLength());
        datagram.setSrcPort(srcPort);
        datagram.setDstPort(dstPort);
        datagram.setDatagramLength(bufferLength());
        datagram.fillChecksum(src, dst);
    }
}
