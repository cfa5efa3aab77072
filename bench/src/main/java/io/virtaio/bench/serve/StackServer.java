package io.virtaio.bench.serve;

import io.virtaio.aio.channels.StackChannelGroup;
import io.virtaio.aio.channels.StackServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;

/**
 * A TCP server on one node's stack, written against the public channel API only: a
 * {@link StackServerSocketChannel} that accepts connections and runs a {@link Service} on each. Every step is a
 * completion handler that starts the next operation, so a connection costs no thread; with a group whose handlers run
 * on the node's loop ({@link StackChannelGroup#LOOP_THREAD}) the whole server runs on that one thread.
 *
 * <pre>{@code
 * try (AioRuntime rt = AioRuntime.builder().node("tap", Nodes.virtio(stackConfig, tap.backend())).build()) {
 *     StackServer server = StackServer.start(rt.channelGroup(0, StackChannelGroup.LOOP_THREAD),
 *             new InetSocketAddress("198.18.0.2", 80), Service.HTTP);
 *     ...
 * }
 * }</pre>
 */
public final class StackServer implements AutoCloseable {
    /** Connections the stack may hold completed but not yet accepted. */
    public static final int BACKLOG = 1024;

    private final StackServerSocketChannel listener;
    private final Service service;
    private final ServerCounters counters = new ServerCounters();
    private final InetSocketAddress local;

    private StackServer(StackServerSocketChannel listener, Service service, InetSocketAddress local) {
        this.listener = listener;
        this.service = service;
        this.local = local;
    }

    /** Binds {@code local} on {@code group}'s node and starts accepting. */
    public static StackServer start(StackChannelGroup group, InetSocketAddress local, Service service)
            throws IOException {
        StackServerSocketChannel listener = StackServerSocketChannel.open(group);
        try {
            listener.bind(local, BACKLOG);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        StackServer server = new StackServer(listener, service, local);
        server.acceptNext();
        return server;
    }

    private final CompletionHandler<AsynchronousSocketChannel, Void> accepted = new CompletionHandler<>() {
        @Override
        public void completed(AsynchronousSocketChannel ch, Void attachment) {
            counters.onAccept();
            acceptNext();
            try {
                // Echo and HTTP answer requests: a reply must not wait for the ACK of the previous one (Nagle).
                ch.setOption(StandardSocketOptions.TCP_NODELAY, service != Service.DISCARD);
            } catch (IOException e) {
                finish(ch, e);
                return;
            }
            service.start(ch, StackServer.this);
        }

        @Override
        public void failed(Throwable t, Void attachment) {
            if (t instanceof AsynchronousCloseException || t instanceof ClosedChannelException || !listener.isOpen()) {
                return;
            }
            counters.onAcceptFailure();
            acceptNext();
        }
    };

    private void acceptNext() {
        if (listener.isOpen()) {
            listener.accept(null, accepted);
        }
    }

    /** Ends a connection: closes it and counts it; {@code failure} is null after the client's end of stream. */
    void finish(AsynchronousSocketChannel ch, Throwable failure) {
        if (failure != null) {
            counters.onFailure();
        }
        try {
            ch.close();
        } catch (IOException e) {
            // Closing a stack channel does not fail; the connection is over either way.
        }
        counters.onClose();
    }

    public ServerCounters counters() {
        return counters;
    }

    public Service service() {
        return service;
    }

    /** The address it listens on. */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** Stops accepting; connections in progress go on until they end or their runtime closes. */
    @Override
    public void close() throws IOException {
        listener.close();
    }
}
