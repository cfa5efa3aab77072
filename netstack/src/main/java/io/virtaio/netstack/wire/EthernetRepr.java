package io.virtaio.netstack.wire;

/**
 * An Ethernet II header.
 *
 * @param src       the source address (48 bits)
 * @param dst       the destination address (48 bits)
 * @param etherType the EtherType, see {@link EtherType}
 */
public record EthernetRepr(long src, long dst, int etherType) {
    /** @throws IllegalArgumentException if an address exceeds 48 bits or the EtherType 16 bits */
    public EthernetRepr {
        MacAddress.checkMac(src);
        MacAddress.checkMac(dst);
        if ((etherType & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("EtherType not 16 bits: " + etherType);
        }
    }

    /** Reads a frame whose {@link EthernetFrame#check()} returned {@link WireError#OK}. */
    public static EthernetRepr parse(EthernetFrame frame) {
        return new EthernetRepr(frame.src(), frame.dst(), frame.etherType());
    }

    /** The length of the header; the payload is not described by this record. */
    public int headerLength() {
        return EthernetFrame.HEADER_LENGTH;
    }

    /** The number of bytes {@link #emit} writes: the header. */
    public int bufferLength() {
        return EthernetFrame.HEADER_LENGTH;
    }

    /**
     * Writes the header into {@code frame}.
     *
     * @throws IllegalArgumentException if the frame is shorter than the header
     */
    public void emit(EthernetFrame frame) {
        Require.atLeast(frame.length(), bufferLength());
        frame.setDst(dst);
        frame.setSrc(src);
        frame.setEtherType(etherType);
    }
}
