package io.virtaio.aio.node;

import io.virtaio.virtio.queue.Doorbell;

/**
 * Builds one network node's host once its event loop exists, so that the host's notifications (a virtio driver's
 * interrupt, a device's kick, a TAP reader) can ring the loop awake. Called once, on the thread building the runtime.
 * {@link Nodes} has the usual ones.
 */
@FunctionalInterface
public interface NodeFactory {
    /**
     * @param wakeLoop rings the node's event loop; callable from any thread, never blocks
     * @param startNs  the loop's clock now (real or virtual): the stack's and the device's start time
     */
    NodeHost create(Doorbell wakeLoop, long startNs);
}
