package io.virtaio.netstack.wire;

/** ICMPv4 codes of the error types this stack sends or acts on (RFC 792; RFC 1122 §3.2.2.1; RFC 1812 §5.2.7.1). */
public final class Icmpv4Code {
    /** Destination Unreachable: net unreachable. */
    public static final int NET_UNREACHABLE = 0;
    /** Destination Unreachable: host unreachable. */
    public static final int HOST_UNREACHABLE = 1;
    /** Destination Unreachable: protocol unreachable. */
    public static final int PROTOCOL_UNREACHABLE = 2;
    /** Destination Unreachable: port unreachable. */
    public static final int PORT_UNREACHABLE = 3;
    /** Destination Unreachable: fragmentation needed and DF set; carries the next-hop MTU (RFC 1191 §4). */
    public static final int FRAGMENTATION_NEEDED = 4;
    /** Destination Unreachable: source route failed. */
    public static final int SOURCE_ROUTE_FAILED = 5;
    /** Destination Unreachable: communication administratively prohibited (RFC 1812 §5.2.7.1). */
    public static final int ADMIN_PROHIBITED = 13;

    /** Time Exceeded: time to live exceeded in transit. */
    public static final int TTL_EXCEEDED = 0;
    /** Time Exceeded: fragment reassembly time exceeded. */
    public static final int REASSEMBLY_TIME_EXCEEDED = 1;

    private Icmpv4Code() {}

    /** A readable name of {@code code} within {@code type}, or the decimal value (which allocates) when unknown. */
    public static String name(int type, int code) {
        if (type == Icmpv4Type.DST_UNREACHABLE) {
            return switch (code) {
                case NET_UNREACHABLE -> "NET_UNREACHABLE";
                case HOST_UNREACHABLE -> "HOST_UNREACHABLE";
                case PROTOCOL_UNREACHABLE -> "PROTOCOL_UNREACHABLE";
                case PORT_UNREACHABLE -> "PORT_UNREACHABLE";
                case FRAGMENTATION_NEEDED -> "FRAGMENTATION_NEEDED";
                case SOURCE_ROUTE_FAILED -> "SOURCE_ROUTE_FAILED";
                case ADMIN_PROHIBITED -> "ADMIN_PROHIBITED";
                default -> Integer.toString(code);
            };
        }
        if (type == Icmpv4Type.TIME_EXCEEDED) {
            return switch (code) {
                case TTL_EXCEEDED -> "TTL_EXCEEDED";
                case REASSEMBLY_TIME_EXCEEDED -> "REASSEMBLY_TIME_EXCEEDED";
                default -> Integer.toString(code);
            };
        }
        return Integer.toString(code);
    }
}
