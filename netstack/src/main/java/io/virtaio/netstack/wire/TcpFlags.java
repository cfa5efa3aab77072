package io.virtaio.netstack.wire;

/** The TCP control bits as they sit in header byte 13 (RFC 9293 §3.1 "Control bits"; RFC 3168 §6.1 ECE, CWR). */
public final class TcpFlags {
    /** No more data from sender. */
    public static final int FIN = 0x01;
    /** Synchronize sequence numbers. */
    public static final int SYN = 0x02;
    /** Reset the connection. */
    public static final int RST = 0x04;
    /** Push function. */
    public static final int PSH = 0x08;
    /** Acknowledgment field is significant. */
    public static final int ACK = 0x10;
    /** Urgent pointer field is significant. */
    public static final int URG = 0x20;
    /** ECN-Echo (RFC 3168). */
    public static final int ECE = 0x40;
    /** Congestion Window Reduced (RFC 3168). */
    public static final int CWR = 0x80;

    private static final String[] NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

    private TcpFlags() {}

    /** The set bits as names joined by {@code |} in bit order, e.g. {@code "SYN|ACK"}; {@code "-"} for none. */
    public static String toString(int flags) {
        if ((flags & 0xFF) == 0) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < 8; bit++) {
            if ((flags & 1 << bit) != 0) {
                if (!sb.isEmpty()) {
                    sb.append('|');
                }
                sb.append(NAMES[bit]);
            }
        }
        return sb.toString();
    }
}
