/**
 * The Java API over the stack: {@link io.virtaio.aio.channels.StackSocketChannel} and
 * {@link io.virtaio.aio.channels.StackServerSocketChannel}, asynchronous TCP channels that follow the JDK's
 * {@link java.nio.channels.AsynchronousSocketChannel} and {@link java.nio.channels.AsynchronousServerSocketChannel}
 * rules (they are such channels), with CompletionHandler, Future and CompletableFuture forms and blocking stream
 * adapters; {@link io.virtaio.aio.channels.StackChannelGroup} says on which node they live and where their handlers
 * run. API.
 *
 * <pre>{@code
 * try (AioRuntime rt = AioRuntime.builder().wiredPair().build()) {
 *     StackChannelGroup server = rt.channelGroup(1), client = rt.channelGroup(0);
 *     StackServerSocketChannel listener = StackServerSocketChannel.open(server)
 *             .bind(new InetSocketAddress("10.0.0.2", 7), 16);
 *     CompletableFuture<StackSocketChannel> accepted = listener.acceptAsync();
 *     StackSocketChannel ch = StackSocketChannel.open(client);
 *     ch.connectAsync(new InetSocketAddress("10.0.0.2", 7)).join();
 *     ...
 * }
 * }</pre>
 *
 * <p>Threads: operations may be started from any thread; handlers and futures complete on the group's executor (a
 * virtual thread per completion unless another executor is given) or, for a group made with
 * {@link io.virtaio.aio.channels.StackChannelGroup#LOOP_THREAD}, inline on the node's loop thread, where they must
 * never block. Streams block by parking (virtual threads unmount; an interrupt closes the channel). Allocation: per
 * operation, a segment view of the buffer, the executor's task (none inline) and the future of the Future forms.
 * Checked here: the JDK's preconditions (pending operations, connection state, read-only buffers, address types),
 * as the JDK's exceptions; failures of the transfer itself arrive as the operation's IOException with its errno.
 */
package io.virtaio.aio.channels;
