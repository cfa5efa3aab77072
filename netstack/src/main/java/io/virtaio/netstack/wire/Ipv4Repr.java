package io.virtaio.netstack.wire;

/**
 * An IPv4 header without options.
 *
 * <p>{@link #emit} writes IHL 5, DSCP and ECN zero and the checksum. {@link #parse} drops options, DSCP and ECN.
 * Fragments are described too ({@code moreFragments}, {@code fragmentOffset}); a whole datagram has neither.
 *
 * @param src            the source address
 * @param dst            the destination address
 * @param protocol       the payload protocol, see {@link IpProtocol}
 * @param payloadLength  the payload length in bytes (Total Length minus the header)
 * @param ttl            Time to Live
 * @param dontFragment   the DF flag
 * @param identification the Identification field
 * @param moreFragments  the MF flag
 * @param fragmentOffset the fragment offset in bytes, a multiple of 8
 */
public record Ipv4Repr(int src, int dst, int protocol, int payloadLength, int ttl, boolean dontFragment,
        int identification, boolean moreFragments, int fragmentOffset) {

    /** @throws IllegalArgumentException if a field is out of its range */
    public Ipv4Repr {
        Require.range("protocol", protocol, 0, 0xFF);
        Require.range("payload length", payloadLength, 0,
                Ipv4Packet.MAX_TOTAL_LENGTH - Ipv4Packet.MIN_HEADER_LENGTH);
        Require.range("TTL", ttl, 0, 0xFF);
        Require.range("identification", identification, 0, 0xFFFF);
        Require.range("fragment offset", fragmentOffset, 0, 0x1FFF * 8);
        if ((fragmentOffset & 7) != 0) {
            throw new IllegalArgumentException("fragment offset not a multiple of 8: " + fragmentOffset);
        }
    }

    /** A whole (unfragmented) datagram. */
    public Ipv4Repr(int src, int dst, int protocol, int payloadLength, int ttl, boolean dontFragment,
            int identification) {
        this(src, dst, protocol, payloadLength, ttl, dontFragment, identification, false, 0);
    }

    /** Reads a datagram whose {@link Ipv4Packet#check()} returned {@link WireError#OK}. */
    public static Ipv4Repr parse(Ipv4Packet packet) {
        return new Ipv4Repr(packet.src(), packet.dst(), packet.protocol(), packet.payloadLength(), packet.ttl(),
                packet.dontFragment(), packet.identification(), packet.moreFragments(), packet.fragmentOffset());
    }

    /** True if this describes a fragment rather than a whole datagram. */
    public boolean isFragment() {
        return moreFragments || fragmentOffset != 0;
    }

    /** {@link Ipv4Packet#MIN_HEADER_LENGTH}: emitted headers carry no options. */
    public int headerLength() {
        return Ipv4Packet.MIN_HEADER_LENGTH;
    }

    /** The Total Length: header plus payload. */
    public int bufferLength() {
        return Ipv4Packet.MIN_HEADER_LENGTH + payloadLength;
    }

    /**
     * Writes the header into {@code packet} and fills its checksum; the payload bytes are not touched.
     *
     * @throws IllegalArgumentException if the view is shorter than {@link #bufferLength()}
     */
    public void emit(Ipv4Packet packet) {
        Require.atLeast(packet.length(), bufferLength());
        packet.setVersionAndHeaderLength(Ipv4Packet.MIN_HEADER_LENGTH);
        packet.setDscpEcn(0, 0);
        packet.setTotalLength(bufferLength());
        packet.setIdentification(identification);
        packet.setFragment(dontFragment, moreFragments, fragmentOffset);
        packet.setTtl(ttl);
        packet.setProtocol(protocol);
        packet.setSrc(src);
        packet.setDst(dst);
        packet.fillChecksum();
    }
}
