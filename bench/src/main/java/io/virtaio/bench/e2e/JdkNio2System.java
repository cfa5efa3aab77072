package io.virtaio.bench.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The peer "jdk-nio2": {@link AsynchronousSocketChannel}s over the kernel's loopback, driven by completion
 * handlers on a group of as many threads as there are processors — the JDK's own asynchronous socket API.
 */
public final class JdkNio2System implements SystemUnderTest {
    @Override
    public String name() {
        return "jdk-nio2";
    }

    @Override
    public Result run(Workload w, Params p, Progress progress) throws Exception {
        AsynchronousChannelGroup group = AsynchronousChannelGroup.withFixedThreadPool(
                Runtime.getRuntime().availableProcessors(), Thread.ofPlatform().name("jdk-nio2-", 0).factory());
        List<AsynchronousSocketChannel> open = new ArrayList<>();
        try (AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open(group)) {
            server.bind(new InetSocketAddress("127.0.0.1", 0), Workload.RPC_CONNECTIONS);
            List<AsynchronousSocketChannel[]> pairs = new ArrayList<>();
            for (int i = 0; i < w.connections(); i++) {
                AsynchronousSocketChannel client = AsynchronousSocketChannel.open(group);
                var accepting = server.accept();
                client.connect(server.getLocalAddress()).get(10, TimeUnit.SECONDS);
                AsynchronousSocketChannel accepted = accepting.get(10, TimeUnit.SECONDS);
                for (AsynchronousSocketChannel ch : new AsynchronousSocketChannel[] {client, accepted}) {
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, w != Workload.BULK);
                    open.add(ch);
                }
                pairs.add(new AsynchronousSocketChannel[] {client, accepted});
            }
            return w == Workload.BULK ? bulk(pairs.get(0), p, progress) : rpc(w, pairs, p, progress);
        } finally {
            for (AsynchronousSocketChannel ch : open) {
                ch.close();
            }
            group.shutdownNow();
            group.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private Result bulk(AsynchronousSocketChannel[] pair, Params p, Progress progress) throws Exception {
        BulkMeter meter = new BulkMeter(p);
        CompletableFuture<Void> written = new CompletableFuture<>();
        ByteBuffer out = ByteBuffer.allocateDirect(Workload.BULK_CHUNK);
        pair[0].write(out, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer n, Void a) {
                if (meter.done()) {
                    written.complete(null);
                    return;
                }
                if (!out.hasRemaining()) {
                    out.clear();
                }
                pair[0].write(out, null, this);
            }

            @Override
            public void failed(Throwable e, Void a) {
                written.completeExceptionally(e);
            }
        });
        CompletableFuture<Void> read = new CompletableFuture<>();
        ByteBuffer in = ByteBuffer.allocateDirect(Workload.BULK_CHUNK);
        pair[1].read(in, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer n, Void a) {
                if (n < 0) {
                    read.completeExceptionally(new IOException("unexpected end of stream"));
                    return;
                }
                progress.add(n);
                if (meter.received(n)) {
                    read.complete(null);
                }
                // Keep reading after the measurement, until the channel closes: the writer must never be left
                // waiting on a full window.
                in.clear();
                pair[1].read(in, null, this);
            }

            @Override
            public void failed(Throwable e, Void a) {
                read.completeExceptionally(e);
            }
        });
        read.get(10, TimeUnit.MINUTES);
        written.get(1, TimeUnit.MINUTES);
        return Result.bulk(name(), meter.gbps());
    }

    private Result rpc(Workload w, List<AsynchronousSocketChannel[]> pairs, Params p, Progress progress)
            throws Exception {
        int n = pairs.size();
        Latencies lat = new Latencies(n);
        long measureFrom = System.nanoTime() + p.warmupNs();
        long endNs = measureFrom + p.measureNs();
        AtomicLong roundTrips = new AtomicLong();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AsynchronousSocketChannel[] pair = pairs.get(i);
            new Echo(pair[1]).start();
            Client c = new Client(i, pair[0], lat, measureFrom, endNs, roundTrips, progress);
            done.add(c.done);
            c.next();
        }
        for (CompletableFuture<Void> f : done) {
            f.get(p.warmupNs() + p.measureNs() + 60_000_000_000L, TimeUnit.NANOSECONDS);
        }
        return lat.result(name(), w, roundTrips.get(), p.measureNs());
    }

    /** Request, wait for the whole response, record, repeat — until the end of the run. */
    private static final class Client implements CompletionHandler<Integer, Void> {
        final int index;
        final AsynchronousSocketChannel ch;
        final Latencies lat;
        final long measureFrom;
        final long endNs;
        final AtomicLong roundTrips;
        final Progress progress;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final ByteBuffer out = ByteBuffer.allocateDirect(Workload.MESSAGE_BYTES);
        final ByteBuffer in = ByteBuffer.allocateDirect(Workload.MESSAGE_BYTES);
        boolean writing;
        long t0;

        Client(int index, AsynchronousSocketChannel ch, Latencies lat, long measureFrom, long endNs,
               AtomicLong roundTrips, Progress progress) {
            this.index = index;
            this.ch = ch;
            this.lat = lat;
            this.measureFrom = measureFrom;
            this.endNs = endNs;
            this.roundTrips = roundTrips;
            this.progress = progress;
        }

        void next() {
            t0 = System.nanoTime();
            if (t0 >= endNs) {
                done.complete(null);
                return;
            }
            out.clear();
            writing = true;
            ch.write(out, null, this);
        }

        @Override
        public void completed(Integer n, Void a) {
            if (writing) {
                if (out.hasRemaining()) {
                    ch.write(out, null, this);
                    return;
                }
                writing = false;
                in.clear();
                ch.read(in, null, this);
                return;
            }
            if (n < 0) {
                done.completeExceptionally(new IOException("peer closed"));
                return;
            }
            if (in.hasRemaining()) {
                ch.read(in, null, this);
                return;
            }
            long t1 = System.nanoTime();
            progress.add(1);
            if (t0 >= measureFrom) {
                // Handlers of one channel never run concurrently: one writer per histogram.
                lat.record(index, t1 - t0);
                roundTrips.incrementAndGet();
            }
            next();
        }

        @Override
        public void failed(Throwable e, Void a) {
            done.completeExceptionally(e);
        }
    }

    /** Reads a whole request, writes it back, repeats until the client closes. */
    private static final class Echo implements CompletionHandler<Integer, Void> {
        final AsynchronousSocketChannel ch;
        final ByteBuffer buf = ByteBuffer.allocateDirect(Workload.MESSAGE_BYTES);
        boolean writing;

        Echo(AsynchronousSocketChannel ch) {
            this.ch = ch;
        }

        void start() {
            buf.clear();
            ch.read(buf, null, this);
        }

        @Override
        public void completed(Integer n, Void a) {
            if (!writing) {
                if (n < 0) {
                    return;
                }
                if (buf.hasRemaining()) {
                    ch.read(buf, null, this);
                    return;
                }
                buf.flip();
                writing = true;
                ch.write(buf, null, this);
                return;
            }
            if (buf.hasRemaining()) {
                ch.write(buf, null, this);
                return;
            }
            writing = false;
            start();
        }

        @Override
        public void failed(Throwable e, Void a) {
            // The run ended and the channel closed.
        }
    }
}
