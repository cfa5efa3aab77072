package io.virtaio.bench.serve;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;

/**
 * HTTP/1.x on one connection (RFC 9112): bytes are read into a buffer, each complete request head is answered in
 * turn — pipelined requests included, a Content-Length body read and ignored — and the connection persists unless
 * the request (HTTP/1.0 without keep-alive, {@code Connection: close}) or a malformed request ends it.
 */
final class HttpConnection {
    /** Unparsed request bytes: twice the longest head, so a head that fits the limit always fits here. */
    static final int BUFFER_BYTES = 2 * HttpRequest.MAX_HEAD_BYTES;

    private final AsynchronousSocketChannel ch;
    private final StackServer server;
    /** Write mode: bytes {@code [0, position)} arrived and are not consumed yet. */
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final ByteBuffer out = ByteBuffer.allocateDirect(HttpResponse.MAX_BYTES);
    /** Body bytes of the last request still to be thrown away. */
    private long skip;
    private boolean closeAfterResponse;

    HttpConnection(AsynchronousSocketChannel ch, StackServer server) {
        this.ch = ch;
        this.server = server;
    }

    void start() {
        ch.read(in, null, readDone);
    }

    /** Answers what is complete in {@code in}, or reads more. */
    private void process() {
        if (skip > 0) {
            int k = (int) Math.min(skip, in.position());
            consume(k);
            skip -= k;
            if (skip > 0) {
                ch.read(in, null, readDone);
                return;
            }
        }
        HttpRequest request = HttpRequest.parse(in, in.position());
        if (request == null) {
            ch.read(in, null, readDone);
            return;
        }
        consume(request.headLength());
        skip = request.bodyLength();
        int status = HttpResponse.write(request, out);
        server.counters().onRequest(status < 400);
        closeAfterResponse = !request.keepAlive() || request.error() != 0;
        ch.write(out, null, writeDone);
    }

    /** Drops the first {@code n} bytes of {@code in}, keeping the rest at its start. */
    private void consume(int n) {
        in.flip().position(n);
        in.compact();
    }

    private final CompletionHandler<Integer, Void> readDone = new CompletionHandler<>() {
        @Override
        public void completed(Integer n, Void attachment) {
            if (n < 0) {
                server.finish(ch, null);        // a request cut short by the client's close is not answered
                return;
            }
            server.counters().onReceive(n);
            process();
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
            if (out.hasRemaining()) {
                ch.write(out, null, this);
            } else if (closeAfterResponse) {
                server.finish(ch, null);        // closing sends the FIN after the response (a graceful close)
            } else {
                process();
            }
        }

        @Override
        public void failed(Throwable t, Void attachment) {
            server.finish(ch, t);
        }
    };
}
