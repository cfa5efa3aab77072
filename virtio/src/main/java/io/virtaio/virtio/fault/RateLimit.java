package io.virtaio.virtio.fault;

/**
 * A token bucket (RFC 2697 §1's single-rate bucket; Linux tc-tbf) shaping one direction: tokens accrue at
 * {@code bitsPerSecond} up to {@code burstBytes}; a frame leaves when the bucket holds its length (a frame larger
 * than the burst leaves with a full bucket and leaves it in debt); frames wait in a FIFO queue of at most
 * {@code queueBytes}, and a frame that would overflow it is dropped ({@link FaultKind#RATE_DROP}) — tail drop, as a
 * bottleneck router does. Lengths are Ethernet frame bytes without FCS or preamble.
 *
 * <p>Unlike a {@link io.virtaio.virtio.backend.Wire}'s line rate, which serializes every frame and pushes back on
 * the sender, this is a shaper somewhere along the path: a burst passes at once, then the rate holds, and what
 * does not fit the queue is lost — the sender is never told.
 *
 * <p>SPEC: {@code rate=RATE[:BURST[:QUEUE]]}, e.g. {@code rate=200mbit}, {@code rate=10mbit:16kib:64kib}.
 *
 * @param bitsPerSecond token rate
 * @param burstBytes    bucket depth, at least one 1514-byte frame ({@link #DEFAULT_BURST_BYTES} by default)
 * @param queueBytes    bytes that may wait for tokens ({@link #DEFAULT_QUEUE_BYTES} by default); 0 = drop what
 *                      cannot leave at once (a policer)
 */
public record RateLimit(long bitsPerSecond, long burstBytes, long queueBytes) {
    public static final long DEFAULT_BURST_BYTES = 2 * 1514;
    public static final long DEFAULT_QUEUE_BYTES = 64 * 1024;
    /** Largest burst: the bucket is counted in bits × 10^9 in a long. */
    public static final long MAX_BURST_BYTES = 256L << 20;
    /** Highest rate, 1 Tbit/s. */
    public static final long MAX_BITS_PER_SECOND = 1_000_000_000_000L;

    public RateLimit {
        if (bitsPerSecond <= 0 || bitsPerSecond > MAX_BITS_PER_SECOND) {
            throw new IllegalArgumentException("rate must be in 1.." + MAX_BITS_PER_SECOND + " bit/s: "
                    + bitsPerSecond);
        }
        if (burstBytes < 1514 || burstBytes > MAX_BURST_BYTES) {
            throw new IllegalArgumentException("burst must be 1514.." + MAX_BURST_BYTES + " bytes: " + burstBytes);
        }
        if (queueBytes < 0 || queueBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("queue must be 0..2^31-1 bytes: " + queueBytes);
        }
    }

    /** {@code bitsPerSecond} with the default burst and queue. */
    public static RateLimit of(long bitsPerSecond) {
        return new RateLimit(bitsPerSecond, DEFAULT_BURST_BYTES, DEFAULT_QUEUE_BYTES);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(SpecValues.rate(bitsPerSecond));
        if (burstBytes != DEFAULT_BURST_BYTES || queueBytes != DEFAULT_QUEUE_BYTES) {
            b.append(':').append(SpecValues.size(burstBytes));
        }
        if (queueBytes != DEFAULT_QUEUE_BYTES) {
            b.append(':').append(SpecValues.size(queueBytes));
        }
        return b.toString();
    }
}
