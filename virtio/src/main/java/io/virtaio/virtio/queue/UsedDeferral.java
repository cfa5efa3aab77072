package io.virtaio.virtio.queue;

/**
 * When a device returns the chains it finished: a seam through which a test holds used elements back and returns
 * them later, in another order. virtio 1.2 §2.7.8 lets a device return used buffers in any order (unless
 * VIRTIO_F_IN_ORDER was negotiated, which this device does not offer), and a driver must cope; this is how that is
 * exercised.
 *
 * <p>Called only on the device path that owns the queue (one thread), and allocation-free there. The device calls
 * {@link #defer} instead of {@link SplitQueueDevice#pushUsed} for each chain it completes, {@link #release} at the
 * start of each pass over the queue and asks {@link #nextReleaseNs} for its deadline; at a reset it calls
 * {@link #clear}, since the chains held belong to a queue that no longer exists.
 */
public interface UsedDeferral {
    /**
     * Takes chain {@code head}, completed with {@code len} bytes written, to push later.
     *
     * @return false if it does not take it (full, or not deferring now): the device pushes it at once
     */
    boolean defer(int head, int len, long nowNs);

    /**
     * Pushes to {@code queue} the chains due at {@code nowNs}, in the order it chooses; the caller publishes.
     *
     * @return the number pushed
     */
    int release(SplitQueueDevice queue, long nowNs);

    /** When the next held chain is due, or {@link Long#MAX_VALUE} if none is held. */
    long nextReleaseNs();

    /** Forgets every held chain: the device was reset, and the chains with it (§2.4). */
    void clear();
}
