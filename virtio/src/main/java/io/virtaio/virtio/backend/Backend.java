package io.virtaio.virtio.backend;

import io.virtaio.virtio.queue.Doorbell;

/**
 * The other end of a virtio-net device: what its transmitted frames reach and where its received frames come
 * from. Implementations are final classes that may wrap one another (a pcap writer around a fault stage around a
 * wire end), in the manner of smoltcp's device wrappers.
 *
 * <p>Frames the device transmits arrive through {@link #accept}; frames for the device go to the sink given to
 * {@link #connect}. A backend has no thread or clock of its own unless it says so (TAP has a reader): time comes
 * in through {@code nowNs}, and {@link #poll} does time-driven work (delayed frames, rate limits).
 */
public interface Backend extends FrameSink {
    /** Called once by the device when attached: frames for the device go to {@code toDevice}. */
    void connect(FrameSink toDevice);

    /**
     * The earliest time ≥ {@code nowNs} at which the backend takes the next transmitted frame: {@code nowNs} when
     * it takes one now. A rate-limited link answers the end of the current frame's serialization, and the device
     * leaves further chains in its transmit ring until then — backpressure, as a real NIC exerts.
     */
    default long txReadyAt(long nowNs) {
        return nowNs;
    }

    /**
     * Does the work due at {@code nowNs} (delivers delayed frames, refills buckets) and returns the next time it
     * needs to run, or {@link Long#MAX_VALUE} if none.
     */
    default long poll(long nowNs) {
        return Long.MAX_VALUE;
    }

    /**
     * The features the driver accepted, told by the device when it accepts FEATURES_OK (virtio 1.2 §3.1.1 step 5),
     * on the transport's thread, before DRIVER_OK lets any frame through. A backend whose peer can take offloads
     * configures them here, as QEMU's {@code virtio_net_set_features} does for a TAP ({@code qemu_set_offload}): only
     * what the driver's receive path accepts (GUEST_CSUM, GUEST_TSO…) may reach the device. It must not throw; a
     * backend that cannot apply them keeps its safe default (no offload) and counts the failure. Wrappers forward it.
     */
    default void featuresNegotiated(long features) {
    }

    /**
     * Called by whoever polls the device this backend serves (a loop, the simulator), with the doorbell that makes
     * it poll again soon. A backend rings it when it took on work that the deadline its last {@link #poll} returned
     * does not cover — for instance a frame for the device that arrived from the peer's side and is held for later
     * delivery. Backends that deliver at once need not ring it (the device's interrupt wakes the poller); wrappers
     * pass it on to the backend they wrap.
     */
    default void setWakeup(Doorbell wakeup) {
    }

    /** Releases what the backend holds (files, descriptors, buffers). Idempotent. */
    default void close() {
    }
}
