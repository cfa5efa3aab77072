package io.virtaio.bench.serve;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;

/** Discard (RFC 863) on one connection: read and count until the client's end of stream, then close. */
final class DiscardConnection implements CompletionHandler<Integer, Void> {
    /** Bytes per read: large, so that a bulk sender is drained in few operations. */
    static final int BUFFER_BYTES = 256 * 1024;

    private final AsynchronousSocketChannel ch;
    private final StackServer server;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);

    DiscardConnection(AsynchronousSocketChannel ch, StackServer server) {
        this.ch = ch;
        this.server = server;
    }

    void start() {
        ch.read(buf, null, this);
    }

    @Override
    public void completed(Integer n, Void attachment) {
        if (n < 0) {
            server.finish(ch, null);
            return;
        }
        server.counters().onReceive(n);
        buf.clear();
        ch.read(buf, null, this);
    }

    @Override
    public void failed(Throwable t, Void attachment) {
        server.finish(ch, t);
    }
}
