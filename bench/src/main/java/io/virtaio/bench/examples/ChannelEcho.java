package io.virtaio.bench.examples;

import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.channels.StackChannelGroup;
import io.virtaio.aio.channels.StackServerSocketChannel;
import io.virtaio.aio.channels.StackSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;

/**
 * The same echo in Java style, over two stacks joined by the in-process virtio wire: the server is an
 * {@link java.nio.channels.AsynchronousServerSocketChannel} whose connections echo with CompletionHandlers (run
 * inline on the server node's loop thread: they never block); the client chains CompletableFutures, one round trip
 * after the other.
 *
 * <p>Run it with {@code ./virtaio example java-echo}.
 */
public final class ChannelEcho {
    static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.2", 7);

    private ChannelEcho() {
    }

    /** Runs {@code messages} round trips of {@code size} bytes and reports. */
    public static EchoReport run(int messages, int size) throws Exception {
        try (AioRuntime rt = AioRuntime.builder().wiredPair().build()) {
            StackChannelGroup serverGroup = rt.channelGroup(1, StackChannelGroup.LOOP_THREAD);
            StackChannelGroup clientGroup = rt.channelGroup(0);
            StackServerSocketChannel listener = StackServerSocketChannel.open(serverGroup).bind(SERVER, 16);
            CompletableFuture<Void> served = new CompletableFuture<>();
            listener.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
                @Override
                public void completed(AsynchronousSocketChannel ch, Void v) {
                    echo(ch, ByteBuffer.allocateDirect(Math.max(size, 4096)), served);
                }

                @Override
                public void failed(Throwable t, Void v) {
                    // the listener closed
                }
            });

            StackSocketChannel ch = StackSocketChannel.open(clientGroup);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connectAsync(SERVER).join();
            ByteBuffer out = ByteBuffer.allocateDirect(size);
            ByteBuffer in = ByteBuffer.allocateDirect(size);
            Histogram rtt = new Histogram(3);
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                out.clear();
                for (int j = 0; j < size; j++) {
                    out.put((byte) (i + j));
                }
                out.flip();
                in.clear();
                long t0 = System.nanoTime();
                ch.writeAsync(out).thenCompose(n -> readFully(ch, in)).join();
                rtt.recordValue(System.nanoTime() - t0);
                if (in.flip().compareTo(out.rewind()) != 0) {
                    throw new IllegalStateException("echo " + i + " differs");
                }
            }
            long elapsed = System.nanoTime() - start;
            ch.shutdownOutput();
            served.join();                              // the server saw end of stream and closed its side
            ch.close();
            listener.close();
            return new EchoReport("java-echo", messages, (long) messages * size, elapsed, rtt, rt.counters());
        }
    }

    /** Reads until {@code in} is full (a stream read may be short). */
    static CompletableFuture<Void> readFully(StackSocketChannel ch, ByteBuffer in) {
        return ch.readAsync(in).thenCompose(n -> {
            if (n < 0) {
                return CompletableFuture.failedFuture(new IOException("end of stream before the echo"));
            }
            return in.hasRemaining() ? readFully(ch, in) : CompletableFuture.completedFuture(null);
        });
    }

    /** The server side of one connection: read, write back, read again, until end of stream; then {@code done}. */
    static void echo(AsynchronousSocketChannel ch, ByteBuffer buf, CompletableFuture<Void> done) {
        ch.read(buf, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer n, Void v) {
                if (n < 0) {
                    close(ch);
                    done.complete(null);
                    return;
                }
                buf.flip();
                ch.write(buf, null, new CompletionHandler<Integer, Void>() {
                    @Override
                    public void completed(Integer w, Void x) {
                        if (buf.hasRemaining()) {
                            ch.write(buf, null, this);
                            return;
                        }
                        buf.clear();
                        echo(ch, buf, done);
                    }

                    @Override
                    public void failed(Throwable t, Void x) {
                        close(ch);
                        done.completeExceptionally(t);
                    }
                });
            }

            @Override
            public void failed(Throwable t, Void v) {
                close(ch);
                done.completeExceptionally(t);
            }
        });
    }

    private static void close(AsynchronousSocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing to do: the connection is gone either way
        }
    }
}
