package io.virtaio.aio.net;

import io.virtaio.aio.loop.Pollable;
import io.virtaio.netstack.Stack;
import java.util.List;
import java.util.Objects;

/**
 * What one network node brings to its event loop.
 *
 * @param stack     the IPv4 host the node's sockets live on
 * @param devices   the device side of the node's in-process backends (virtio-net device models, wires,
 *                  loopbacks), stepped by the same loop; empty when the devices have threads of their own
 * @param resources closed with the node, after the stack (guest memory, backends)
 */
public record NodeParts(Stack stack, List<Pollable> devices, List<AutoCloseable> resources) {
    public NodeParts {
        Objects.requireNonNull(stack, "stack");
        devices = List.copyOf(devices);
        resources = List.copyOf(resources);
    }

    public static NodeParts of(Stack stack, Pollable... devices) {
        return new NodeParts(stack, List.of(devices), List.of());
    }
}
