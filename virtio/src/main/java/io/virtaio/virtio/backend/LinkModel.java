package io.virtaio.virtio.backend;

/**
 * The physical properties of one direction of a {@link Wire}.
 *
 * @param rateBitsPerSecond line rate; 0 = unlimited. A frame occupies the line for the serialization time of
 *                          {@code frame + 24} bytes (preamble 8, FCS 4, inter-frame gap 12, IEEE 802.3).
 * @param delayNs           one-way propagation delay, added after serialization ends
 * @param queueLimitBytes   storage for frames in flight (serializing or propagating); a frame that does not fit is
 *                          a counted drop. Each frame takes its length + 24 bytes of bookkeeping, rounded up to 16.
 *                          Required (> 0) when the rate or the delay is set.
 */
public record LinkModel(long rateBitsPerSecond, long delayNs, long queueLimitBytes) {
    /** Ethernet bytes on the line that the frame does not count: preamble + SFD 8, FCS 4, inter-frame gap 12. */
    public static final int WIRE_OVERHEAD_BYTES = 24;

    /** No rate, no delay: frames go straight to the peer, on the sender's thread, without a copy. */
    public static final LinkModel UNLIMITED = new LinkModel(0, 0, 0);

    /** 1 Gbit/s, 100 µs one way, 1 MiB in flight (the bandwidth-delay product is 12.5 KB). */
    public static final LinkModel DEFAULT = new LinkModel(1_000_000_000L, 100_000L, 1 << 20);

    public LinkModel {
        if (rateBitsPerSecond < 0 || delayNs < 0 || queueLimitBytes < 0) {
            throw new IllegalArgumentException("link parameters must be >= 0: " + rateBitsPerSecond + " bit/s, "
                    + delayNs + " ns, " + queueLimitBytes + " bytes");
        }
        if ((rateBitsPerSecond > 0 || delayNs > 0) && queueLimitBytes == 0) {
            throw new IllegalArgumentException("a link with a rate or a delay needs a queue limit (bounded memory)");
        }
        if (queueLimitBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("queue limit above 2 GiB: " + queueLimitBytes);
        }
    }

    /** True when frames go straight through: no rate and no delay. */
    public boolean passThrough() {
        return rateBitsPerSecond == 0 && delayNs == 0;
    }

    public LinkModel withRate(long bitsPerSecond) {
        return new LinkModel(bitsPerSecond, delayNs, queueLimitBytes);
    }

    public LinkModel withDelay(long ns) {
        return new LinkModel(rateBitsPerSecond, ns, queueLimitBytes);
    }

    public LinkModel withQueueLimit(long bytes) {
        return new LinkModel(rateBitsPerSecond, delayNs, bytes);
    }
}
