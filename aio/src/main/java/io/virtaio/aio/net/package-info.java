/**
 * Sockets as descriptors: network nodes (a stack and its devices on one event loop), socket descriptors with
 * per-direction request queues completed from readiness events, and the control calls that run on the loop.
 * Internal to the runtime, not API.
 *
 * <p>Threads: a node's stack, its sockets and their request queues belong to the node's loop thread; other threads
 * reach them only through the loop's lock-free submission ring (requests) and {@link io.virtaio.aio.net.LoopCall}s
 * (control calls, which park the caller until the loop has run them). No locks on this path. Allocation: none per
 * data request; one object per control call. Checked here: buffers (EFAULT), operations the socket kind does not
 * have (EOPNOTSUPP), options (ENOPROTOOPT); the stack checks the rest and its -errno is reported as is.
 *
 * <p>Data path: a read waiting at the head of its queue receives in-order TCP payload straight from the received
 * segment ({@link io.virtaio.netstack.tcp.TcpSocket.DirectReader}), skipping the socket's receive ring.
 */
package io.virtaio.aio.net;
