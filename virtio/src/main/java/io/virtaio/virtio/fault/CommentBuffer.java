package io.virtaio.virtio.fault;

/**
 * Builds a pcapng comment in a reused byte array — ASCII only, so a char is a byte — without allocating:
 * "tx#12 fault: delayed 1.200 ms; duplicate of tx#12".
 */
final class CommentBuffer {
    private final byte[] bytes = new byte[512];
    private int length;

    CommentBuffer clear() {
        length = 0;
        return this;
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    CommentBuffer append(String ascii) {
        for (int i = 0; i < ascii.length() && length < bytes.length; i++) {
            bytes[length++] = (byte) ascii.charAt(i);
        }
        return this;
    }

    CommentBuffer append(long v) {
        if (v < 0) {
            append("-");
            v = -v;
        }
        long div = 1;
        while (v / div >= 10) {
            div *= 10;
        }
        for (; div > 0 && length < bytes.length; div /= 10) {
            bytes[length++] = (byte) ('0' + (v / div) % 10);
        }
        return this;
    }

    /** {@code ns} as milliseconds with three decimals: 1234567 → "1.234 ms". */
    CommentBuffer appendMs(long ns) {
        long us = ns / 1_000;
        append(us / 1_000).append(".");
        long frac = us % 1_000;
        if (frac < 100) {
            append("0");
        }
        if (frac < 10) {
            append("0");
        }
        return append(frac).append(" ms");
    }

    /** "tx#12". */
    CommentBuffer frame(Direction d, long frameNo) {
        return append(d.prefix()).append("#").append(frameNo);
    }

    /** "; " between parts, except before the first. */
    CommentBuffer separator(boolean first) {
        return first ? this : append("; ");
    }
}
