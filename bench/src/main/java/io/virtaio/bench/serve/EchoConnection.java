package io.virtaio.bench.serve;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;

/**
 * Echo (RFC 862) on one connection: read, write back all of it, read again — until the client's end of stream,
 * when everything read has been written back, so the connection is closed. One buffer, two reused handlers.
 */
final class EchoConnection {
    /** Bytes per read: as large as a window's worth of segments, so a bulk echo is not one segment at a time. */
    static final int BUFFER_BYTES = 64 * 1024;

    private final AsynchronousSocketChannel ch;
    private final StackServer server;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);

    EchoConnection(AsynchronousSocketChannel ch, StackServer server) {
        this.ch = ch;
        this.server = server;
    }

    void start() {
        ch.read(buf, null, readDone);
    }

    private final CompletionHandler<Integer, Void> readDone = new CompletionHandler<>() {
        @Override
        public void completed(Integer n, Void attachment) {
            if (n < 0) {
                server.finish(ch, null);
                return;
            }
            server.counters().onReceive(n);
            buf.flip();
            ch.write(buf, null, writeDone);
        }

        @Override
        public void failed(Throwable t, Void attachment) {
            server.finish(ch, t);
        }
    };

    private final CompletionHandler<Integer, Void> writeDone = new CompletionHandler<>() {
        @Override
        public void completed(Integer n, Void attachment) {
            server.counters().onSend(n);
            if (buf.hasRemaining()) {
                ch.write(buf, null, this);
                return;
            }
            buf.clear();
            ch.read(buf, null, readDone);
        }

        @Override
        public void failed(Throwable t, Void attachment) {
            server.finish(ch, t);
        }
    };
}
