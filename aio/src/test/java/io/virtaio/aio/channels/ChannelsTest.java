package io.virtaio.aio.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.ErrnoException;
import io.virtaio.aio.node.Nodes;
import io.virtaio.netstack.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.IllegalChannelGroupException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.WritePendingException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Java channels over two stacks on virtio-net devices joined by the in-process wire. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelsTest {
    static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.2", 7000);

    AioRuntime rt;
    StackChannelGroup client;
    StackChannelGroup server;
    StackServerSocketChannel listener;

    @BeforeEach
    void start() throws IOException {
        rt = AioRuntime.builder().config(AioConfig.builder().name("channels").build()).wiredPair().build();
        client = rt.channelGroup(0);
        server = rt.channelGroup(1);
        listener = StackServerSocketChannel.open(server).bind(SERVER, 16);
    }

    @AfterEach
    void stop() {
        rt.close();
        assertEquals(0, rt.inFlight(), "operations in flight after close");
        assertEquals(0, rt.threadsAlive());
        assertTrue(client.isShutdown() && server.isShutdown());
    }

    /** A connected pair: [client side, server side]. */
    StackSocketChannel[] pair() throws Exception {
        CompletableFuture<StackSocketChannel> accepted = listener.acceptAsync();
        StackSocketChannel c = StackSocketChannel.open(client);
        assertNull(c.connectAsync(SERVER).get(10, TimeUnit.SECONDS));
        return new StackSocketChannel[] {c, accepted.get(10, TimeUnit.SECONDS)};
    }

    static ByteBuffer bytes(int n, int seed) {
        ByteBuffer b = ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (i * 13 + seed));
        }
        return b.flip();
    }

    @Test
    void echoWithCompletionHandlers() throws Exception {
        StackSocketChannel[] p = pair();
        // The server echoes whatever it reads, handler to handler, until end of stream.
        ByteBuffer sbuf = ByteBuffer.allocateDirect(8192);
        CompletableFuture<Void> serverDone = new CompletableFuture<>();
        p[1].read(sbuf, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer n, Void v) {
                if (n < 0) {
                    p[1].close();
                    serverDone.complete(null);
                    return;
                }
                sbuf.flip();
                CompletionHandler<Integer, Void> reader = this;
                p[1].write(sbuf, null, new CompletionHandler<Integer, Void>() {
                    @Override
                    public void completed(Integer w, Void x) {
                        sbuf.clear();
                        p[1].read(sbuf, null, reader);
                    }

                    @Override
                    public void failed(Throwable t, Void x) {
                        serverDone.completeExceptionally(t);
                    }
                });
            }

            @Override
            public void failed(Throwable t, Void v) {
                serverDone.completeExceptionally(t);
            }
        });
        ByteBuffer out = bytes(300_000, 5);
        ByteBuffer in = ByteBuffer.allocate(300_000);
        Future<Integer> w = p[0].write(out.duplicate());
        while (in.hasRemaining()) {
            int n = p[0].read(in).get(10, TimeUnit.SECONDS);
            assertTrue(n > 0);
        }
        assertEquals(300_000, w.get(10, TimeUnit.SECONDS));
        assertEquals(out, in.flip());
        p[0].shutdownOutput();
        serverDone.get(10, TimeUnit.SECONDS);
        assertEquals(-1, p[0].read(ByteBuffer.allocate(10)).get(10, TimeUnit.SECONDS), "server closed: end of stream");
    }

    @Test
    void completableFuturesChain() throws Exception {
        StackSocketChannel[] p = pair();
        ByteBuffer reply = ByteBuffer.allocate(5);
        int n = p[0].writeAsync(ByteBuffer.wrap("hello".getBytes()))
                .thenCompose(w -> p[1].readAsync(reply))
                .get(10, TimeUnit.SECONDS);
        assertEquals(5, n);
        assertArrayEquals("hello".getBytes(), reply.array());
        assertEquals(Nodes.ADDRESS_B, address((InetSocketAddress) p[0].getRemoteAddress()));
        assertEquals(SERVER.getPort(), ((InetSocketAddress) p[0].getRemoteAddress()).getPort());
        assertEquals(p[0].getLocalAddress(), p[1].getRemoteAddress());
    }

    private static int address(InetSocketAddress a) {
        byte[] b = a.getAddress().getAddress();
        return (b[0] & 255) << 24 | (b[1] & 255) << 16 | (b[2] & 255) << 8 | (b[3] & 255);
    }

    @Test
    void onePendingReadAndOnePendingWriteAtATime() throws Exception {
        StackSocketChannel[] p = pair();
        CompletableFuture<Integer> first = p[0].readAsync(ByteBuffer.allocate(10));
        assertThrows(ReadPendingException.class, () -> p[0].read(ByteBuffer.allocate(10)));
        // Writes are independent of reads; a second write while one is pending is refused.
        p[0].setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        ByteBuffer big = ByteBuffer.allocate(4 << 20);
        CompletableFuture<Integer> w = p[0].writeAsync(big);
        assertThrows(WritePendingException.class, () -> p[0].write(ByteBuffer.allocate(1)));
        assertEquals(3, p[1].writeAsync(ByteBuffer.wrap(new byte[] {1, 2, 3})).get(10, TimeUnit.SECONDS));
        assertEquals(3, first.get(10, TimeUnit.SECONDS));
        // Drain the big write so it completes.
        ByteBuffer sink = ByteBuffer.allocateDirect(1 << 16);
        long got = 0;
        while (got < big.capacity()) {
            sink.clear();
            got += p[1].readAsync(sink).get(10, TimeUnit.SECONDS);
        }
        assertEquals(4 << 20, w.get(10, TimeUnit.SECONDS));
        assertFalse(big.hasRemaining(), "the buffer's position advanced by what was written");
    }

    @Test
    void emptyBufferReadsZeroAtOnceAndReadOnlyBuffersAreRefused() throws Exception {
        StackSocketChannel[] p = pair();
        assertEquals(0, p[0].read(ByteBuffer.allocate(0)).get(1, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> p[0].read(ByteBuffer.allocate(4).asReadOnlyBuffer()));
        assertEquals(0, p[0].write(ByteBuffer.allocate(0)).get(1, TimeUnit.SECONDS));
        StackSocketChannel fresh = StackSocketChannel.open(client);
        assertThrows(NotYetConnectedException.class, () -> fresh.read(ByteBuffer.allocate(1)));
        fresh.close();
        ExecutionException closed = assertThrows(ExecutionException.class,
                () -> fresh.read(ByteBuffer.allocate(1)).get(1, TimeUnit.SECONDS));
        assertInstanceOf(ClosedChannelException.class, closed.getCause());
    }

    @Test
    void aReadThatTimesOutBeforeAnyByteLeavesTheChannelUsable() throws Exception {
        StackSocketChannel[] p = pair();
        ByteBuffer b = ByteBuffer.allocate(16);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> p[0].readAsync(b, 50, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS));
        assertInstanceOf(InterruptedByTimeoutException.class, e.getCause());
        assertEquals(0, b.position(), "nothing moved into the buffer");
        CompletableFuture<Integer> again = p[0].readAsync(b, 10, TimeUnit.SECONDS);
        p[1].writeAsync(ByteBuffer.wrap(new byte[] {9})).get(10, TimeUnit.SECONDS);
        assertEquals(1, again.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aWriteThatTimesOutAfterMovingBytesRefusesFurtherWrites() throws Exception {
        StackSocketChannel[] p = pair();
        // The peer never reads: 8 MiB cannot fit in the two 256 KiB buffers.
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> p[0].writeAsync(ByteBuffer.allocate(8 << 20), 100, TimeUnit.MILLISECONDS)
                        .get(10, TimeUnit.SECONDS));
        assertInstanceOf(InterruptedByTimeoutException.class, e.getCause());
        assertThrows(IllegalStateException.class, () -> p[0].write(ByteBuffer.allocate(1)));
        // Reads are unaffected.
        p[1].writeAsync(ByteBuffer.wrap(new byte[] {1})).get(10, TimeUnit.SECONDS);
        assertEquals(1, p[0].readAsync(ByteBuffer.allocate(4)).get(10, TimeUnit.SECONDS));
    }

    @Test
    void closeFailsPendingOperationsWithAsynchronousCloseException() throws Exception {
        StackSocketChannel[] p = pair();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        p[0].read(ByteBuffer.allocate(8), "att", new CompletionHandler<Integer, String>() {
            @Override
            public void completed(Integer n, String a) {
                done.completeExceptionally(new AssertionError("completed with " + n));
            }

            @Override
            public void failed(Throwable t, String a) {
                assertEquals("att", a);
                failed.set(t);
                done.complete(null);
            }
        });
        CompletableFuture<StackSocketChannel> accept = listener.acceptAsync();
        assertThrows(AcceptPendingException.class, () -> listener.accept());
        p[0].close();
        listener.close();
        done.get(10, TimeUnit.SECONDS);
        assertInstanceOf(AsynchronousCloseException.class, failed.get());
        CompletionException ce = assertThrows(CompletionException.class, accept::join);
        assertInstanceOf(AsynchronousCloseException.class, ce.getCause());
        assertFalse(p[0].isOpen());
    }

    @Test
    void cancelWithoutInterruptWithdrawsAQueuedRead() throws Exception {
        StackSocketChannel[] p = pair();
        CompletableFuture<Integer> r = p[0].readAsync(ByteBuffer.allocate(8));
        assertTrue(r.cancel(false));
        assertTrue(r.isCancelled());
        assertThrows(CancellationException.class, r::join);
        // Nothing moved: the channel still reads.
        CompletableFuture<Integer> again = p[0].readAsync(ByteBuffer.allocate(8));
        p[1].writeAsync(ByteBuffer.wrap(new byte[] {7, 7})).get(10, TimeUnit.SECONDS);
        assertEquals(2, again.get(10, TimeUnit.SECONDS));
        // With interrupt: the channel is closed.
        CompletableFuture<Integer> third = p[0].readAsync(ByteBuffer.allocate(8));
        assertTrue(third.cancel(true));
        assertFalse(p[0].isOpen());
    }

    @Test
    void connectionErrorsCarryTheirErrno() throws Exception {
        StackSocketChannel c = StackSocketChannel.open(client);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> c.connectAsync(new InetSocketAddress("10.0.0.2", 9)).get(10, TimeUnit.SECONDS));
        assertInstanceOf(ConnectException.class, e.getCause());
        assertEquals(Errno.ECONNREFUSED, ErrnoException.errnoOf(e.getCause()));
        assertFalse(c.isOpen(), "a channel whose connect failed is closed (as the JDK's)");
        // A reset: the pending read fails with ECONNRESET.
        StackSocketChannel[] p = pair();
        CompletableFuture<Integer> r = p[0].readAsync(ByteBuffer.allocate(8));
        p[1].setOption(StandardSocketOptions.SO_LINGER, 0);
        p[1].close();
        ExecutionException reset = assertThrows(ExecutionException.class, () -> r.get(10, TimeUnit.SECONDS));
        ErrnoException ee = assertInstanceOf(ErrnoException.class, reset.getCause());
        assertEquals(Errno.ECONNRESET, ee.errno());
        assertEquals("ECONNRESET", ee.errnoName());
    }

    @Test
    void inlineDeliveryRunsHandlersOnTheLoopThread() throws Exception {
        StackChannelGroup inline = rt.channelGroup(0, StackChannelGroup.LOOP_THREAD);
        CompletableFuture<StackSocketChannel> accepted = listener.acceptAsync();
        StackSocketChannel c = StackSocketChannel.open(inline);
        c.connectAsync(SERVER).get(10, TimeUnit.SECONDS);
        StackSocketChannel s = accepted.get(10, TimeUnit.SECONDS);
        AtomicReference<String> thread = new AtomicReference<>();
        CompletableFuture<Integer> got = new CompletableFuture<>();
        c.read(ByteBuffer.allocate(4), null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer n, Void v) {
                thread.set(Thread.currentThread().getName());
                got.complete(n);
            }

            @Override
            public void failed(Throwable t, Void v) {
                got.completeExceptionally(t);
            }
        });
        s.writeAsync(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})).get(10, TimeUnit.SECONDS);
        assertEquals(4, got.get(10, TimeUnit.SECONDS));
        assertEquals("channels-a", thread.get(), "the handler ran on node a's loop thread");
    }

    @Test
    void streamsBlockVirtualThreadsAndAnInterruptClosesTheChannel() throws Exception {
        StackSocketChannel[] p = pair();
        byte[] message = new byte[100_000];
        new java.util.Random(1).nextBytes(message);
        Thread writer = Thread.ofVirtual().start(() -> {
            try (OutputStream out = p[0].outputStream()) {
                out.write(message);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        InputStream in = p[1].inputStream();
        byte[] got = in.readAllBytes();
        writer.join();
        assertArrayEquals(message, got, "readAllBytes ends at the writer's close");
        // A reader blocked in read() is interrupted: the channel closes, the read fails.
        StackSocketChannel[] q = pair();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                q[0].inputStream().read();
            } catch (IOException e) {
                thrown.set(e);
            }
        });
        while (reader.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        reader.interrupt();
        reader.join();
        assertInstanceOf(ClosedByInterruptException.class, thrown.get());
        assertFalse(q[0].isOpen());
    }

    @Test
    void theProviderOpensChannelsOnlyInStackGroups() throws Exception {
        AsynchronousSocketChannel c = client.provider().openAsynchronousSocketChannel(client);
        assertInstanceOf(StackSocketChannel.class, c);
        assertSame(StackChannelProvider.INSTANCE, c.provider());
        assertThrows(IllegalChannelGroupException.class, () -> client.provider().openAsynchronousSocketChannel(null));
        assertThrows(UnsupportedOperationException.class,
                () -> client.provider().openAsynchronousChannelGroup(1, Thread.ofVirtual().factory()));
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertTrue(c.getOption(StandardSocketOptions.TCP_NODELAY));
        assertThrows(UnsupportedOperationException.class, () -> c.setOption(StandardSocketOptions.SO_REUSEADDR, true));
        c.close();
        assertThrows(ClosedChannelException.class, () -> c.getOption(StandardSocketOptions.TCP_NODELAY));
    }
}
