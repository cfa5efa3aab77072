package io.virtaio.netstack.wire;

/**
 * One block of a SACK option (RFC 2018 §3): the receiver holds {@code [left, right)}, sequence numbers modulo
 * 2<sup>32</sup>.
 *
 * @param left  the first sequence number of the block ("Left Edge")
 * @param right the sequence number after the last one of the block ("Right Edge")
 */
public record SackBlock(int left, int right) {
    @Override
    public String toString() {
        return "[" + Integer.toUnsignedString(left) + ", " + Integer.toUnsignedString(right) + ")";
    }
}
