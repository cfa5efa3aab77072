package io.virtaio.bench.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The peer "jdk-nio": blocking {@link SocketChannel}s over the kernel's loopback, one platform thread per
 * connection end, direct buffers — the straightforward fast way to do blocking I/O in the JDK.
 */
public final class JdkNioSystem implements SystemUnderTest {
    @Override
    public String name() {
        return "jdk-nio";
    }

    @Override
    public Result run(Workload w, Params p, Progress progress) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0), Workload.RPC_CONNECTIONS);
            List<SocketChannel[]> pairs = new ArrayList<>();
            try {
                for (int i = 0; i < w.connections(); i++) {
                    SocketChannel client = SocketChannel.open(server.getLocalAddress());
                    SocketChannel accepted = server.accept();
                    for (SocketChannel ch : new SocketChannel[] {client, accepted}) {
                        ch.setOption(StandardSocketOptions.TCP_NODELAY, w != Workload.BULK);
                    }
                    pairs.add(new SocketChannel[] {client, accepted});
                }
                return w == Workload.BULK ? bulk(pairs.get(0), p, progress) : rpc(w, pairs, p, progress);
            } finally {
                for (SocketChannel[] pair : pairs) {
                    pair[0].close();
                    pair[1].close();
                }
            }
        }
    }

    private Result bulk(SocketChannel[] pair, Params p, Progress progress) throws Exception {
        BulkMeter meter = new BulkMeter(p);
        Thread writer = Thread.ofPlatform().name("jdk-nio-writer").start(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(Workload.BULK_CHUNK);
            try {
                while (!meter.done()) {
                    buf.clear();
                    while (buf.hasRemaining() && !meter.done()) {
                        pair[0].write(buf);
                    }
                }
                pair[0].shutdownOutput();
            } catch (IOException e) {
                // The reader closed its end once it had counted enough.
            }
        });
        ByteBuffer buf = ByteBuffer.allocateDirect(Workload.BULK_CHUNK);
        while (true) {
            buf.clear();
            int n = pair[1].read(buf);
            if (n < 0) {
                throw new IOException("unexpected end of stream");
            }
            progress.add(n);
            if (meter.received(n)) {
                break;
            }
        }
        // Drain what the writer still has in flight so that it can finish its last write and see done().
        Thread drainer = Thread.ofPlatform().daemon().start(() -> drain(pair[1]));
        writer.join();
        drainer.join(10_000);
        return Result.bulk(name(), meter.gbps());
    }

    private static void drain(SocketChannel ch) {
        ByteBuffer buf = ByteBuffer.allocateDirect(Workload.BULK_CHUNK);
        try {
            while (true) {
                buf.clear();
                if (ch.read(buf) < 0) {
                    return;
                }
            }
        } catch (IOException e) {
            // Closed.
        }
    }

    private Result rpc(Workload w, List<SocketChannel[]> pairs, Params p, Progress progress) throws Exception {
        int n = pairs.size();
        Latencies lat = new Latencies(n);
        long startNs = System.nanoTime();
        long measureFrom = startNs + p.warmupNs();
        long endNs = measureFrom + p.measureNs();
        AtomicLong roundTrips = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SocketChannel[] pair = pairs.get(i);
            int c = i;
            threads.add(Thread.ofPlatform().name("jdk-nio-server-" + i).daemon().start(() -> echo(pair[1])));
            threads.add(Thread.ofPlatform().name("jdk-nio-client-" + i).start(() -> {
                ByteBuffer out = ByteBuffer.allocateDirect(Workload.MESSAGE_BYTES);
                ByteBuffer in = ByteBuffer.allocateDirect(Workload.MESSAGE_BYTES);
                long mine = 0;
                try {
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= endNs) {
                            break;
                        }
                        out.clear();
                        while (out.hasRemaining()) {
                            pair[0].write(out);
                        }
                        in.clear();
                        while (in.hasRemaining()) {
                            if (pair[0].read(in) < 0) {
                                throw new IOException("peer closed");
                            }
                        }
                        long t1 = System.nanoTime();
                        progress.add(1);
                        if (t0 >= measureFrom) {
                            lat.record(c, t1 - t0);
                            mine++;
                        }
                    }
                    pair[0].shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                roundTrips.addAndGet(mine);
            }));
        }
        for (Thread t : threads) {
            if (!t.isDaemon()) {
                t.join();
            }
        }
        return lat.result(name(), w, roundTrips.get(), p.measureNs());
    }

    private static void echo(SocketChannel ch) {
        ByteBuffer buf = ByteBuffer.allocateDirect(Workload.MESSAGE_BYTES);
        try {
            while (true) {
                buf.clear();
                while (buf.hasRemaining()) {
                    if (ch.read(buf) < 0) {
                        return;
                    }
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        } catch (IOException e) {
            // The client closed: the run is over.
        }
    }
}
