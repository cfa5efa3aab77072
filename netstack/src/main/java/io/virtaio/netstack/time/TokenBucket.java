package io.virtaio.netstack.time;

/**
 * A token bucket rate limiter in integer nanoseconds: {@code perSecond} tokens a second, at most {@code burst}
 * saved up, full at the start. Time is passed in; nothing is read from a clock. Allocation-free and
 * single-threaded.
 *
 * <p>Used where an RFC asks to rate-limit what the stack sends: ICMP errors (RFC 1812 §4.3.2.8, RFC 1122 §3.2.2)
 * and, by TCP, challenge ACKs (RFC 5961 §7).
 */
public final class TokenBucket {
    private static final long NS_PER_SECOND = 1_000_000_000L;

    private final long costNs;
    private final long capacityNs;
    private long budgetNs;
    private long lastNs;

    /**
     * @param perSecond tokens earned per second; 0 refuses every take
     * @param burst     tokens that can be saved up (and are there at the start); at least 1 unless perSecond is 0
     * @param startNs   the time the bucket starts at, full
     */
    public TokenBucket(int perSecond, int burst, long startNs) {
        if (perSecond < 0 || burst < 0 || (perSecond > 0 && burst < 1)) {
            throw new IllegalArgumentException("need perSecond >= 0 and burst >= 1: " + perSecond + ", " + burst);
        }
        this.costNs = perSecond == 0 ? 0 : Math.max(1, NS_PER_SECOND / perSecond);
        this.capacityNs = perSecond == 0 ? 0 : costNs * burst;
        this.budgetNs = capacityNs;
        this.lastNs = startNs;
    }

    /** Takes one token if one is available at {@code nowNs}; returns whether it did. */
    public boolean tryTake(long nowNs) {
        if (capacityNs == 0) {
            return false;
        }
        long elapsed = nowNs - lastNs;
        if (elapsed > 0) {
            budgetNs += Math.min(elapsed, capacityNs - budgetNs);
            lastNs = nowNs;
        }
        if (budgetNs < costNs) {
            return false;
        }
        budgetNs -= costNs;
        return true;
    }
}
