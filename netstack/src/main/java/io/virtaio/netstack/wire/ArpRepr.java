package io.virtaio.netstack.wire;

/**
 * An Ethernet/IPv4 ARP packet (RFC 826).
 *
 * @param operation {@link ArpOperation#REQUEST} or {@link ArpOperation#REPLY}
 * @param senderMac ar$sha
 * @param senderIp  ar$spa
 * @param targetMac ar$tha; zero in a request (RFC 5227 §2.1.1 sets it so; RFC 826 ignores it)
 * @param targetIp  ar$tpa
 */
public record ArpRepr(int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
    /** @throws IllegalArgumentException if the opcode is unknown or an address exceeds 48 bits */
    public ArpRepr {
        if (operation != ArpOperation.REQUEST && operation != ArpOperation.REPLY) {
            throw new IllegalArgumentException("ARP operation not REQUEST or REPLY: " + operation);
        }
        MacAddress.checkMac(senderMac);
        MacAddress.checkMac(targetMac);
    }

    /** A request from {@code senderMac}/{@code senderIp} for the hardware address of {@code targetIp}. */
    public static ArpRepr request(long senderMac, int senderIp, int targetIp) {
        return new ArpRepr(ArpOperation.REQUEST, senderMac, senderIp, 0, targetIp);
    }

    /** Reads a packet whose {@link ArpPacket#check()} returned {@link WireError#OK}. */
    public static ArpRepr parse(ArpPacket packet) {
        return new ArpRepr(packet.operation(), packet.senderMac(), packet.senderIp(), packet.targetMac(),
                packet.targetIp());
    }

    /** {@link ArpPacket#LENGTH}. */
    public int headerLength() {
        return ArpPacket.LENGTH;
    }

    /** {@link ArpPacket#LENGTH}: ARP has no payload. */
    public int bufferLength() {
        return ArpPacket.LENGTH;
    }

    /**
     * Writes the packet into {@code packet}.
     *
     * @throws IllegalArgumentException if the view is shorter than {@link ArpPacket#LENGTH}
     */
    public void emit(ArpPacket packet) {
        Require.atLeast(packet.length(), bufferLength());
        packet.setEthernetIpv4();
        packet.setOperation(operation);
        packet.setSenderMac(senderMac);
        packet.setSenderIp(senderIp);
        packet.setTargetMac(targetMac);
        packet.setTargetIp(targetIp);
    }
}
