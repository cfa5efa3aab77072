package io.virtaio.netstack.tcp;

/**
 * SYN cookies (RFC 4987 §3.6): when a listener's SYN queue is full, the SYN-ACK's sequence number encodes what
 * the connection needs, so nothing is stored until the final ACK returns it. The layout is Linux's
 * ({@code cookie_v4_init_sequence}):
 *
 * <pre>
 * ISS = H1(4-tuple) + client ISN + (t &lt;&lt; 24) + ((H2(4-tuple, t) + mssIndex) mod 2^24)
 * </pre>
 *
 * with t a 64-second counter (8 bits kept) and H1, H2 SipHash-2-4 under the stack's secret. A cookie is valid for
 * two counter periods. When the client sent timestamps, the SYN-ACK's TSval also carries the window scale (4 bits,
 * 15 = none) and SACK-permitted (1 bit) in its low 6 bits, returned in the final ACK's TSecr; without timestamps
 * a cookie connection has neither (as in Linux).
 */
final class SynCookies {
    /** MSS values a cookie can carry (3 bits); a peer's MSS maps to the largest entry not above it. */
    static final int[] MSS_TABLE = {536, 1220, 1300, 1440, 1460, 4312, 8960, 65495};
    /** Bits of TSval used for options: 4 window scale + 1 SACK + 1 spare. */
    static final int TS_OPTION_BITS = 6;
    static final int TS_OPTION_MASK = (1 << TS_OPTION_BITS) - 1;
    private static final int WS_NONE = 0xF;
    private static final int SACK_BIT = 0x10;
    private static final int COOKIE_BITS = 24;
    private static final int COOKIE_MASK = (1 << COOKIE_BITS) - 1;
    private static final long PERIOD_NS = 64_000_000_000L;
    private static final int MAX_AGE = 2;
    private static final int H1_DOMAIN = 3;
    private static final int H2_DOMAIN = 4;

    private final Isn keys;

    SynCookies(Isn keys) {
        this.keys = keys;
    }

    /** The index of the largest MSS table entry not above {@code peerMss}. */
    static int mssIndex(int peerMss) {
        for (int i = MSS_TABLE.length - 1; i > 0; i--) {
            if (MSS_TABLE[i] <= peerMss) {
                return i;
            }
        }
        return 0;
    }

    /** The ISS for a SYN from {@code remote} with sequence number {@code clientIsn}. */
    int encode(int localAddr, int localPort, int remoteAddr, int remotePort, int clientIsn, int mssIndex, long nowNs) {
        int t = (int) (nowNs / PERIOD_NS);
        int h1 = (int) keys.hash(localAddr, localPort, remoteAddr, remotePort, H1_DOMAIN);
        int h2 = (int) keys.hash(localAddr, localPort, remoteAddr, remotePort, H2_DOMAIN | (t & 0xFFFF) << 8);
        return h1 + clientIsn + (t << COOKIE_BITS) + ((h2 + mssIndex) & COOKIE_MASK);
    }

    /**
     * Checks the cookie returned in a final ACK ({@code cookie} = SEG.ACK - 1, {@code clientIsn} = SEG.SEQ - 1).
     *
     * @return the MSS table index it carries, or -1 if it is forged or expired
     */
    int check(int localAddr, int localPort, int remoteAddr, int remotePort, int clientIsn, int cookie, long nowNs) {
        int t = (int) (nowNs / PERIOD_NS);
        int h1 = (int) keys.hash(localAddr, localPort, remoteAddr, remotePort, H1_DOMAIN);
        int c = cookie - h1 - clientIsn;
        int age = (t - (c >>> COOKIE_BITS)) & 0xFF;
        if (age >= MAX_AGE) {
            return -1;
        }
        int issued = t - age;
        int h2 = (int) keys.hash(localAddr, localPort, remoteAddr, remotePort, H2_DOMAIN | (issued & 0xFFFF) << 8);
        int data = (c - h2) & COOKIE_MASK;
        return data < MSS_TABLE.length ? data : -1;
    }

    /** The low TSval bits carrying the SYN's window scale ({@code -1} = none) and SACK-permitted. */
    static int encodeOptions(int windowScale, boolean sackPermitted) {
        return (windowScale < 0 ? WS_NONE : windowScale) | (sackPermitted ? SACK_BIT : 0);
    }

    /** The peer's window scale from a returned TSecr, or -1 if it sent none. */
    static int decodeWindowScale(int tsEcr) {
        int ws = tsEcr & 0xF;
        return ws == WS_NONE ? -1 : Math.min(ws, 14);
    }

    static boolean decodeSack(int tsEcr) {
        return (tsEcr & SACK_BIT) != 0;
    }
}
