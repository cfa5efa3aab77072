package io.virtaio.netstack.wire;

/**
 * Why a view's {@code check()} (or {@link TcpOptions#parse}) refused its input: {@link #OK} or a negative code.
 *
 * <p>The codes are dense ({@code 0 .. -(COUNT-1)}), so a stack can count drops in an array indexed by
 * {@code -code}. The same codes name the drop reasons in the stack's counters; checksum and fragment codes are
 * never returned by {@code check()} itself but let callers report those drops under the same scheme.
 */
public final class WireError {
    /** The input is well formed. */
    public static final int OK = 0;
    /** The buffer is shorter than the fixed header, or than a header or length field says. */
    public static final int TRUNCATED = -1;
    /** The IP version field is not 4. */
    public static final int BAD_VERSION = -2;
    /** A header-length field (IPv4 IHL, TCP data offset) is below its minimum of 5 words. */
    public static final int BAD_HEADER_LENGTH = -3;
    /** The IPv4 total length is smaller than the header length. */
    public static final int BAD_TOTAL_LENGTH = -4;
    /** A length is out of its range (UDP Length &lt; 8; a TCP or ICMP message longer than 65535 bytes). */
    public static final int BAD_LENGTH = -5;
    /** The checksum does not verify (reported by callers of {@code verifyChecksum}). */
    public static final int BAD_CHECKSUM = -6;
    /** A TCP option has an illegal length or runs past the header. */
    public static final int BAD_OPTION = -7;
    /** The IPv4 datagram is a fragment (reported by callers that do not reassemble). */
    public static final int FRAGMENT = -8;
    /** Well formed but not something this stack speaks (an ARP for another medium, an unknown ICMP type). */
    public static final int UNSUPPORTED = -9;

    /** The number of codes including {@link #OK}: every code {@code c} satisfies {@code -COUNT < c <= 0}. */
    public static final int COUNT = 10;

    private static final String[] NAMES = {
        "OK", "TRUNCATED", "BAD_VERSION", "BAD_HEADER_LENGTH", "BAD_TOTAL_LENGTH", "BAD_LENGTH", "BAD_CHECKSUM",
        "BAD_OPTION", "FRAGMENT", "UNSUPPORTED",
    };

    private WireError() {}

    /** The constant's name, e.g. {@code "TRUNCATED"}, or {@code "UNKNOWN"}; never allocates. */
    public static String name(int code) {
        return code <= 0 && code > -COUNT ? NAMES[-code] : "UNKNOWN";
    }
}
