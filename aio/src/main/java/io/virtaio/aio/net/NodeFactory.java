package io.virtaio.aio.net;

import io.virtaio.virtio.queue.Doorbell;

/**
 * Builds a network node once its event loop exists, so that devices with threads of their own (a TAP reader) can
 * ring the loop awake when frames arrive.
 */
@FunctionalInterface
public interface NodeFactory {
    /** @param wakeLoop rings the node's event loop; callable from any thread, never blocks */
    NodeParts create(Doorbell wakeLoop);
}
