package io.virtaio.netstack.wire;

/**
 * Sequence-number arithmetic modulo 2<sup>32</sup> (RFC 9293 §3.4 "Sequence Numbers": "all arithmetic dealing with
 * sequence numbers must be performed modulo 2**32"), on raw {@code int}s.
 *
 * <p>Comparisons follow RFC 1982 §3.2 for 32-bit serial numbers: {@code a} is less than {@code b} if {@code b} is
 * ahead of it by less than 2<sup>31</sup>, i.e. if the signed difference {@code a - b} is negative. Two numbers
 * exactly 2<sup>31</sup> apart are undefined in RFC 1982; here each is "less" than the other, which a correct TCP
 * never asks about because windows stay below 2<sup>30</sup> (RFC 7323 §2.3). Also used for RFC 7323 timestamps.
 */
public final class Seq {
    private Seq() {}

    /** {@code a + n} modulo 2<sup>32</sup>. */
    public static int add(int a, int n) {
        return a + n;
    }

    /** The signed distance {@code a - b}: positive if {@code a} is ahead of {@code b}. */
    public static int diff(int a, int b) {
        return a - b;
    }

    /** {@code a < b}. */
    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    /** {@code a <= b}. */
    public static boolean le(int a, int b) {
        return a - b <= 0;
    }

    /** {@code a > b}. */
    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    /** {@code a >= b}. */
    public static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    /** The later of {@code a} and {@code b}. */
    public static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    /** The earlier of {@code a} and {@code b}. */
    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /**
     * {@code a <= b <= c}, walking forward from {@code a}: true iff {@code b} is no further from {@code a} than
     * {@code c} is. One unsigned comparison, correct for any span below 2<sup>32</sup>, as in RFC 9293 §3.10.7.4
     * "SND.UNA =&lt; SEG.ACK =&lt; SND.NXT".
     */
    public static boolean between(int a, int b, int c) {
        return Integer.compareUnsigned(b - a, c - a) <= 0;
    }

    /**
     * {@code start <= seq < start + length} with an unsigned {@code length}: the receive-window test of RFC 9293
     * §3.4, "RCV.NXT =&lt; SEG.SEQ &lt; RCV.NXT+RCV.WND". False for every {@code seq} when {@code length} is 0.
     */
    public static boolean inWindow(int seq, int start, int length) {
        return Integer.compareUnsigned(seq - start, length) < 0;
    }
}
