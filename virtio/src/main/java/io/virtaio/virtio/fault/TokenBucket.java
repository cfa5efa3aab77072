package io.virtaio.virtio.fault;

/**
 * The token bucket of a {@link RateLimit}, with the departure time of each frame computed when it arrives: frames
 * leave in FIFO order, each when the bucket holds its length (RFC 2697 §1, tc-tbf). Tokens are counted exactly, in
 * bits × 10^9, so that any rate in bits per second accrues a whole number of units per nanosecond: no rounding
 * drift over long runs.
 *
 * <p>Confined to one thread; allocation-free after construction. Frames waiting for tokens are remembered (their
 * departure and length) in a ring of fixed capacity for the queue limit.
 */
final class TokenBucket {
    /** Token units per byte: 8 bits × 10^9. */
    private static final long BYTE = 8_000_000_000L;

    private RateLimit config;
    private long rate;
    private long capacity;
    private long tokens;
    private long stampNs;

    private final long[] waitDepart;
    private final int[] waitLength;
    private int waitHead;
    private int waitCount;
    private long queuedBytes;

    private long quotedNow;
    private long quotedDepart;
    private long quotedTokens;

    TokenBucket(int maxWaiting) {
        this.waitDepart = new long[maxWaiting];
        this.waitLength = new int[maxWaiting];
    }

    RateLimit config() {
        return config;
    }

    /** Applies {@code limit} from {@code nowNs} with a full bucket; frames already waiting keep their times. */
    void configure(RateLimit limit, long nowNs) {
        config = limit;
        rate = limit.bitsPerSecond();
        capacity = limit.burstBytes() * BYTE;
        tokens = capacity;
        stampNs = Math.max(stampNs, nowNs);
    }

    private long refill(long have, long elapsedNs) {
        if (elapsedNs <= 0 || have >= capacity) {
            return have;
        }
        long missing = capacity - have;
        // elapsed * rate may overflow only when it is far more than enough to fill the bucket.
        if (elapsedNs >= (missing + rate - 1) / rate) {
            return capacity;
        }
        return have + elapsedNs * rate;
    }

    /**
     * When a frame of {@code length} bytes arriving at {@code nowNs} would leave, or -1 if it would have to wait and
     * the queue cannot take it (tail drop). Changes nothing until {@link #commit}.
     */
    long quote(long nowNs, int length) {
        while (waitCount > 0 && waitDepart[waitHead] <= nowNs) {
            queuedBytes -= waitLength[waitHead];
            waitHead = (waitHead + 1) % waitDepart.length;
            waitCount--;
        }
        long start = Math.max(nowNs, stampNs);
        long have = refill(tokens, start - stampNs);
        long need = Math.min(length, config.burstBytes()) * BYTE;
        long depart = start;
        if (have < need) {
            depart = start + (need - have + rate - 1) / rate;
            have = refill(have, depart - start);
        }
        if (depart > nowNs && (queuedBytes + length > config.queueBytes() || waitCount == waitDepart.length)) {
            return -1;
        }
        quotedNow = nowNs;
        quotedDepart = depart;
        quotedTokens = have - length * BYTE;
        return depart;
    }

    /** Takes the frame last quoted: its tokens are spent and, if it waits, it joins the queue. */
    void commit(int length) {
        tokens = quotedTokens;
        stampNs = quotedDepart;
        if (quotedDepart > quotedNow) {
            int tail = (waitHead + waitCount) % waitDepart.length;
            waitDepart[tail] = quotedDepart;
            waitLength[tail] = length;
            waitCount++;
            queuedBytes += length;
        }
    }

    /** Bytes waiting for tokens (as of the last quote). */
    long queuedBytes() {
        return queuedBytes;
    }
}
