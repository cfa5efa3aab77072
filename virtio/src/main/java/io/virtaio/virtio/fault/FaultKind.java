package io.virtaio.virtio.fault;

import java.util.Locale;

/** What a {@link FaultStage} did to a frame: the key of its counters and of its event log. */
public enum FaultKind {
    /** Dropped by the link being down or partitioned in this direction. */
    DOWN(true),
    /** Dropped: longer than the plan's MTU plus the 14-byte Ethernet header. */
    OVERSIZE(true),
    /** Dropped by the random (Bernoulli) loss model. */
    LOSS(true),
    /** Dropped by the Gilbert–Elliott burst loss model. */
    BURST_LOSS(true),
    /** Bits flipped (the event log has one event per flip: byte and bit). */
    CORRUPT(false),
    /** A corrupted frame dropped as a receiving NIC drops a frame with a bad FCS. */
    FCS_DROP(true),
    /** A copy emitted besides the frame. */
    DUPLICATE(false),
    /** Held back so that later frames overtake it. */
    REORDER(false),
    /** Delayed by the plan's delay and jitter. */
    DELAY(false),
    /** Waited in the rate limiter's queue for tokens. */
    RATE_QUEUED(false),
    /** Dropped: the rate limiter's queue was full. */
    RATE_DROP(true),
    /** Dropped: the stage's bounded hold store was full, or the frame larger than its slots. */
    STORE_FULL(true);

    private final boolean drop;
    /** Kept, not computed per call: the capture's comments name the kind on the per-frame path. */
    private final String key;

    FaultKind(boolean drop) {
        this.drop = drop;
        this.key = name().toLowerCase(Locale.ROOT);
    }

    /** True for the kinds that drop the frame. */
    public boolean drops() {
        return drop;
    }

    /** Lower-case name for maps and logs, e.g. "burst_loss". */
    public String key() {
        return key;
    }
}
