package io.virtaio.virtio.queue;

/**
 * A notification from one side of a virtqueue to the other: a driver's kick (available buffers) or a device's
 * interrupt (used buffers).
 *
 * <p>It carries no data: the receiver learns what happened from the ring. Implementations wake a parked loop,
 * count for a test, or (in a fault stage) lose or delay the notification. {@link #ring()} is called on the
 * notifying side's thread and must not block.
 */
@FunctionalInterface
public interface Doorbell {
    /** A doorbell that does nothing, for sides that poll. */
    Doorbell NONE = () -> { };

    void ring();
}
