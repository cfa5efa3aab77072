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
        long total = p.bulkBytes();
        long warm = total / 4;
        AtomicLong measuredStart = new AtomicLong();
        Thread writer = Thread.ofPlatform().name("jdk-nio-writer").start(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(Workload.BULK_CHUNK);
            try {
                long sent = 0;
                while (sent < total + warm) {
                    buf.clear().limit((int) Math.min(buf.capacity(), total + warm - sent));
                    sent += pair[0].write(buf);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        ByteBuffer buf = ByteBuffer.allocateDirect(Workload.BULK_CHUNK);
        long got = 0;
        long start = 0;
        while (got < total + warm) {
            buf.clear();
            int n = pair[1].read(buf);
            if (n < 0) {
                throw new IOException("unexpected end of stream after " + got + " bytes");
            }
            got += n;
            progress.add(n);
            if (start == 0 && got >= warm) {
                start = System.nanoTime();
                measuredStart.set(got);
            }
        }
        long elapsed = System.nanoTime() - start;
        writer.join();
        return Result.bulk(name(), (got - measuredStart.get()) * 8.0 / elapsed);
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
