package io.virtaio.virtio.fault;

import io.virtaio.virtio.queue.SplitQueueDevice;
import io.virtaio.virtio.queue.UsedDeferral;
import java.util.SplittableRandom;

/**
 * Holds a device's completed chains for a random time each and returns them in the order their times come due —
 * late, and out of the order they were made available in, as virtio 1.2 §2.7.8 allows ("the device may return
 * buffers in any order") and as real devices do when requests finish at different speeds. Installed on a device
 * with {@link io.virtaio.virtio.net.VirtioNetDevice#setTxUsedDeferral}; {@link #setActive} opens and closes the
 * window in which it takes chains (it keeps releasing those it holds either way).
 *
 * <p>Each chain is held for a time drawn uniformly from {@code [0, maxHoldNs]}; chains due at the same instant go in
 * the order they were taken. At most {@code capacity} chains are held; beyond that a chain is returned at once
 * (counted). Confined to the device's transmit path; allocation-free after construction.
 */
public final class CompletionShuffler implements UsedDeferral {
    private final int capacity;
    private final long maxHoldNs;
    private final SplittableRandom rng;
    private final int[] head;
    private final int[] len;
    private final long[] due;
    private final long[] order;
    private int count;
    private long nextOrder;
    private volatile boolean active = true;

    private long deferred;
    private long released;
    private long outOfOrder;
    private long declinedFull;
    private long dropped;

    /**
     * @param capacity  chains held at once at most (the queue size is the natural bound)
     * @param maxHoldNs longest hold
     * @param seed      the hold times' seed
     */
    public CompletionShuffler(int capacity, long maxHoldNs, long seed) {
        if (capacity < 1 || maxHoldNs < 0) {
            throw new IllegalArgumentException("capacity >= 1 and maxHoldNs >= 0: " + capacity + ", " + maxHoldNs);
        }
        this.capacity = capacity;
        this.maxHoldNs = maxHoldNs;
        this.rng = Streams.named(seed, Streams.DEVICE_BASE - 1);
        this.head = new int[capacity];
        this.len = new int[capacity];
        this.due = new long[capacity];
        this.order = new long[capacity];
    }

    /** Whether new chains are taken (held ones are released on time regardless). Any thread. */
    public void setActive(boolean on) {
        active = on;
    }

    public boolean active() {
        return active;
    }

    @Override
    public boolean defer(int chainHead, int usedLen, long nowNs) {
        if (!active) {
            return false;
        }
        if (count == capacity) {
            declinedFull++;
            return false;
        }
        head[count] = chainHead;
        len[count] = usedLen;
        due[count] = nowNs + (maxHoldNs == 0 ? 0 : rng.nextLong(maxHoldNs + 1));
        order[count] = nextOrder++;
        count++;
        deferred++;
        return true;
    }

    @Override
    public int release(SplitQueueDevice queue, long nowNs) {
        int n = 0;
        while (true) {
            int pick = -1;
            for (int i = 0; i < count; i++) {
                if (due[i] <= nowNs && (pick < 0 || due[i] < due[pick]
                        || (due[i] == due[pick] && order[i] < order[pick]))) {
                    pick = i;
                }
            }
            if (pick < 0) {
                return n;
            }
            long o = order[pick];
            boolean earlierHeld = false;
            for (int i = 0; i < count; i++) {
                earlierHeld |= order[i] < o;
            }
            if (earlierHeld) {
                outOfOrder++;
            }
            queue.pushUsed(head[pick], len[pick]);
            count--;
            head[pick] = head[count];
            len[pick] = len[count];
            due[pick] = due[count];
            order[pick] = order[count];
            released++;
            n++;
        }
    }

    @Override
    public long nextReleaseNs() {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            next = Math.min(next, due[i]);
        }
        return next;
    }

    @Override
    public void clear() {
        dropped += count;
        count = 0;
    }

    /** Chains held now. */
    public int held() {
        return count;
    }

    /** Chains taken to be returned late. */
    public long deferred() {
        return deferred;
    }

    /** Chains returned. */
    public long released() {
        return released;
    }

    /** Chains returned while one taken before them was still held. */
    public long outOfOrder() {
        return outOfOrder;
    }

    /** Chains returned at once because the shuffler was full. */
    public long declinedFull() {
        return declinedFull;
    }

    /** Chains forgotten by a device reset. */
    public long dropped() {
        return dropped;
    }
}
