package io.virtaio.netstack.wire;

/** EtherType values (IEEE 802.3 clause 3.2.6; IEEE Registration Authority); values below 0x0600 are lengths. */
public final class EtherType {
    /** Internet Protocol version 4 (RFC 894). */
    public static final int IPV4 = 0x0800;
    /** Address Resolution Protocol (RFC 826). */
    public static final int ARP = 0x0806;
    /** IEEE 802.1Q VLAN tag; tagged frames are not parsed by this package. */
    public static final int VLAN = 0x8100;
    /** Internet Protocol version 6 (RFC 2464); not spoken by this stack. */
    public static final int IPV6 = 0x86DD;

    private EtherType() {}

    /** A readable name such as {@code "IPv4"}, or the value in hex (which allocates) when unknown. */
    public static String name(int etherType) {
        return switch (etherType) {
            case IPV4 -> "IPv4";
            case ARP -> "ARP";
            case VLAN -> "VLAN";
            case IPV6 -> "IPv6";
            default -> String.format("0x%04x", etherType);
        };
    }
}
