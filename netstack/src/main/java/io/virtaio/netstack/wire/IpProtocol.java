package io.virtaio.netstack.wire;

/** IPv4 protocol numbers (the IANA "Assigned Internet Protocol Numbers" registry, RFC 791 §3.1 "Protocol"). */
public final class IpProtocol {
    /** Internet Control Message Protocol (RFC 792). */
    public static final int ICMP = 1;
    /** Transmission Control Protocol (RFC 9293). */
    public static final int TCP = 6;
    /** User Datagram Protocol (RFC 768). */
    public static final int UDP = 17;

    private IpProtocol() {}

    /** A readable name such as {@code "TCP"}, or the decimal value (which allocates) when unknown. */
    public static String name(int protocol) {
        return switch (protocol) {
            case ICMP -> "ICMP";
            case TCP -> "TCP";
            case UDP -> "UDP";
            default -> Integer.toString(protocol);
        };
    }
}
