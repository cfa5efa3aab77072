package io.virtaio.aio.node;

import io.virtaio.netstack.Stack;

/**
 * Code run on a node's loop thread with its stack in hand: diagnostics, benchmarks of the raw socket API, protocols
 * the POSIX façade does not cover. The stack and its sockets are confined to that thread; a task must not block
 * (it stalls every socket of the node). A raw socket whose {@link io.virtaio.netstack.Socket#attach attachment} is a
 * {@link io.virtaio.netstack.SocketEventHandler} receives its readiness events on the loop.
 */
@FunctionalInterface
public interface LoopTask {
    /** Runs on the loop thread at {@code nowNs} (the loop's clock). */
    void run(Stack stack, long nowNs);
}
