package io.virtaio.netstack.wire;

/** ICMPv4 message types (RFC 792; RFC 1122 §3.2.2). */
public final class Icmpv4Type {
    /** Echo Reply. */
    public static final int ECHO_REPLY = 0;
    /** Destination Unreachable; codes in {@link Icmpv4Code}. */
    public static final int DST_UNREACHABLE = 3;
    /** Source Quench (deprecated by RFC 6633). */
    public static final int SOURCE_QUENCH = 4;
    /** Redirect. */
    public static final int REDIRECT = 5;
    /** Echo (request). */
    public static final int ECHO_REQUEST = 8;
    /** Time Exceeded; codes in {@link Icmpv4Code}. */
    public static final int TIME_EXCEEDED = 11;
    /** Parameter Problem. */
    public static final int PARAMETER_PROBLEM = 12;

    private Icmpv4Type() {}

    /** True for the types that quote an offending datagram (RFC 1122 §3.2.2: never answer these with an error). */
    public static boolean isError(int type) {
        return type == DST_UNREACHABLE || type == SOURCE_QUENCH || type == REDIRECT || type == TIME_EXCEEDED
                || type == PARAMETER_PROBLEM;
    }

    /** A readable name such as {@code "ECHO_REQUEST"}, or the decimal value (which allocates) when unknown. */
    public static String name(int type) {
        return switch (type) {
            case ECHO_REPLY -> "ECHO_REPLY";
            case DST_UNREACHABLE -> "DST_UNREACHABLE";
            case SOURCE_QUENCH -> "SOURCE_QUENCH";
            case REDIRECT -> "REDIRECT";
            case ECHO_REQUEST -> "ECHO_REQUEST";
            case TIME_EXCEEDED -> "TIME_EXCEEDED";
            case PARAMETER_PROBLEM -> "PARAMETER_PROBLEM";
            default -> Integer.toString(type);
        };
    }
}
