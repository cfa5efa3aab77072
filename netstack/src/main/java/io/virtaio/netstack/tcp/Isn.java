package io.virtaio.netstack.tcp;

/**
 * Initial sequence numbers and timestamp offsets from a keyed hash of the 4-tuple (RFC 6528 §3):
 * {@code ISN = M + F(localip, localport, remoteip, remoteport, secretkey)} with M a 4-microsecond clock and F
 * SipHash-2-4 under the stack's secret. Also {@code TS.Offset} of RFC 7323 §5.4 (a per-connection random offset
 * added to the timestamp clock), derived the same way so a SYN cookie's connection can recompute it.
 */
final class Isn {
    private static final int ISN_DOMAIN = 1;
    private static final int TS_DOMAIN = 2;

    private final long k0;
    private final long k1;

    Isn(long secret0, long secret1) {
        this.k0 = secret0;
        this.k1 = secret1;
    }

    /** RFC 6528 §3: M is a timer ticking every 4 microseconds, wrapping modulo 2^32 (RFC 9293 §3.4.1). */
    int isn(int localAddr, int localPort, int remoteAddr, int remotePort, long nowNs) {
        int m = (int) (nowNs / 4_000L);
        return m + (int) SipHash.tuple(k0, k1, localAddr, localPort, remoteAddr, remotePort, ISN_DOMAIN);
    }

    /** RFC 7323 §5.4: a per-connection offset so TSval reveals neither uptime nor the clock of other flows. */
    int timestampOffset(int localAddr, int localPort, int remoteAddr, int remotePort) {
        return (int) SipHash.tuple(k0, k1, localAddr, localPort, remoteAddr, remotePort, TS_DOMAIN);
    }

    /** A keyed hash for other uses (cookies, table seeds), separated from ISNs by {@code domain}. */
    long hash(int localAddr, int localPort, int remoteAddr, int remotePort, int domain) {
        return SipHash.tuple(k0, k1, localAddr, localPort, remoteAddr, remotePort, domain);
    }
}
