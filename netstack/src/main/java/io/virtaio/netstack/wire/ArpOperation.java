package io.virtaio.netstack.wire;

/** ARP opcodes (RFC 826 "ar$op"). */
public final class ArpOperation {
    /** ares_op$REQUEST. */
    public static final int REQUEST = 1;
    /** ares_op$REPLY. */
    public static final int REPLY = 2;

    private ArpOperation() {}

    /** {@code "REQUEST"}, {@code "REPLY"}, or the decimal value (which allocates) when unknown. */
    public static String name(int operation) {
        return switch (operation) {
            case REQUEST -> "REQUEST";
            case REPLY -> "REPLY";
            default -> Integer.toString(operation);
        };
    }
}
