package io.virtaio.aio.loop;

/**
 * Something an {@link EventLoop} drives: a network node (a stack and the device side of its in-process backends), a
 * timer. It advances only when polled and never blocks, sleeps or reads a clock of its own (DESIGN.md principle 2).
 *
 * <p>Waiting follows the virtqueue protocol (virtio 1.2 §2.7.10, Linux {@code virtqueue_enable_cb}): before its loop
 * parks, {@link #prepareToWait} re-enables the notifications that would wake it and then re-checks for work that
 * arrived meanwhile; after waking, {@link #busy()} turns them off again while the loop polls.
 */
public interface Pollable {
    /**
     * Does the work due at {@code nowNs}.
     *
     * @return when it next needs to run (absolute, on the loop's clock): {@code nowNs} or earlier if work remains
     *     now, {@link Long#MAX_VALUE} if only an external event (a frame, a submission) can create work
     */
    long poll(long nowNs);

    /**
     * Called before the loop parks, after it announced that it is about to sleep: re-enable the notifications that
     * ring the loop's doorbell, then re-check. A notification that fires after this call wakes the loop; work that
     * arrived before it must be reported here.
     *
     * @return true if there is work now (the loop polls again instead of parking)
     */
    default boolean prepareToWait(long nowNs) {
        return false;
    }

    /** The loop is polling again: notifications may be suppressed until the next {@link #prepareToWait}. */
    default void busy() {
    }
}
