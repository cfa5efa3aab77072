/**
 * Building a runtime's network nodes: {@link io.virtaio.aio.node.Nodes} (stacks on virtio-net devices over any
 * backend, two stacks joined by the in-process virtio wire), the {@link io.virtaio.aio.node.NodeFactory} and
 * {@link io.virtaio.aio.node.NodeHost} contracts for anything else, and {@link io.virtaio.aio.node.Node}, a running
 * node's handle. API.
 *
 * <p>Threads: a factory runs once on the thread building the runtime; a host is then confined to its node's loop
 * thread (or, in simulated mode, to the simulation thread), and only its notifications cross threads, by ringing the
 * loop's doorbell. {@link io.virtaio.aio.node.Node} is thread-safe; {@link io.virtaio.aio.node.LoopTask}s run on the
 * loop. Allocation: building a node allocates its guest memory, rings and buffers once; stepping it allocates
 * nothing. Checked here: configurations (IllegalArgumentException when the runtime is built).
 */
package io.virtaio.aio.node;
