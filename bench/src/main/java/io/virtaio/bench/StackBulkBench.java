package io.virtaio.bench;

import io.virtaio.netstack.host.VirtioHost;
import io.virtaio.netstack.tcp.TcpConfig;
import io.virtaio.netstack.tcp.TcpSocket;
import io.virtaio.netstack.tcp.TcpState;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One TCP connection moving data one way as fast as it can, with real threads, against the JDK over the kernel's
 * loopback in the same run.
 *
 * <ul>
 *   <li>{@code virtaio}: two {@link VirtioHost}s (virtio-net device, driver, stack) joined by
 *       {@code Wire.create(LinkModel.UNLIMITED)} — the in-process veth analogue: frames pass from one device's
 *       transmit queue into the other's receive buffers, checksums offloaded (CSUM/GUEST_CSUM). Each host runs on
 *       its own {@link HostLoop} thread; the sender's loop writes 64 KiB chunks into its {@link TcpSocket}, the
 *       receiver's drains into a 64 KiB buffer. {@code mtu} is the devices' MTU.</li>
 *   <li>{@code jdk-nio}: blocking {@link SocketChannel}s over 127.0.0.1, a sender thread writing and a receiver
 *       thread reading 64 KiB direct buffers. {@code mtu} does not apply (the loopback's); both rows measure the
 *       same thing.</li>
 * </ul>
 *
 * <p>One operation is {@link #VOLUME} bytes arriving at the receiving application: the benchmark thread parks until
 * the receiver has counted them. Goodput in Gbit/s = ops/s × {@code VOLUME} × 8 / 10⁹ (printed at the end of each
 * trial with the loops' counters); {@code -prof gc} gives the bytes allocated per {@code VOLUME} moved.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class StackBulkBench {
    /** Bytes received per operation. */
    public static final long VOLUME = 32L << 20;
    private static final int CHUNK = 64 * 1024;
    /** Guest memory for transmit buffers per host: 32 frames at a 64 KiB MTU, the whole queue at 1500 bytes. */
    private static final int TX_BUFFER_BYTES = 2 << 20;
    /** The least receive ring (a 64 KiB MTU needs only the window's 64 frames). */
    private static final int RX_RING_MIN = 64;

    @Param({"virtaio", "jdk-nio"})
    public String system;

    @Param({"65535", "1500"})
    public int mtu;

    private final Counter received = new Counter();
    private Transfer transfer;
    private long trialStartNs;
    private long trialStartBytes;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        transfer = switch (system) {
            case "virtaio" -> new VirtaioTransfer(mtu, received);
            case "jdk-nio" -> new NioTransfer(received);
            default -> throw new IllegalArgumentException("system: " + system);
        };
        transfer.start();
        trialStartNs = System.nanoTime();
        trialStartBytes = received.get();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        double seconds = (System.nanoTime() - trialStartNs) / 1e9;
        double gbps = (received.get() - trialStartBytes) * 8 / seconds / 1e9;
        long bytes = received.get();
        Map<String, Long> stats = transfer.stop();
        double perChunk = 65536.0 / bytes / 1e3;
        System.out.printf("%n%s mtu %d: %.2f Gbit/s over the whole trial; CPU per 64 KiB received: sender %.1f us, "
                        + "receiver %.1f us; %s%n", system, mtu, gbps, stats.get("sender.cpuNs") * perChunk,
                stats.get("receiver.cpuNs") * perChunk, stats);
    }

    /** Waits until {@link #VOLUME} more bytes have reached the receiving application. */
    @Benchmark
    public long receive() {
        return received.await(received.get() + VOLUME);
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Bytes the receiving application took, and a benchmark thread parked until they reach a target. */
    static final class Counter {
        private static final VarHandle BYTES;

        static {
            try {
                BYTES = MethodHandles.lookup().findVarHandle(Counter.class, "bytes", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused")             // through BYTES
        private long bytes;
        private volatile long target = Long.MAX_VALUE;
        private volatile Thread waiter;

        long get() {
            return (long) BYTES.getAcquire(this);
        }

        /** On the receiving thread only. */
        void add(long n) {
            long now = (long) BYTES.get(this) + n;
            // Release: a waiter that reads the new count also sees everything the receiver did before.
            BYTES.setRelease(this, now);
            // Full fence: the count must be visible before we read 'target' (Dekker with await()).
            VarHandle.fullFence();
            if (now >= target) {
                Thread w = waiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
        }

        long await(long goal) {
            waiter = Thread.currentThread();
            target = goal;
            // Full fence: announce the target before re-reading the count (Dekker with add()).
            VarHandle.fullFence();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long n;
            while ((n = get()) < goal) {
                LockSupport.parkNanos(this, 10_000_000L);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("stalled: " + n + " of " + goal + " bytes after 30 s");
                }
            }
            target = Long.MAX_VALUE;
            return n;
        }
    }

    /** A running one-way transfer. */
    interface Transfer {
        void start() throws Exception;

        /** Stops every thread; returns statistics worth printing. */
        Map<String, Long> stop() throws Exception;
    }

    /** Two virtio hosts on an unlimited in-process wire, one loop thread each. */
    static final class VirtaioTransfer implements Transfer {
        private final Counter counter;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment out = arena.allocate(CHUNK, 64);
        private final MemorySegment in = arena.allocate(CHUNK, 64);
        private final VirtioHost a;
        private final VirtioHost b;
        private final HostLoop loopA;
        private final HostLoop loopB;
        private final TcpSocket client;
        private final TcpSocket listener;
        private TcpSocket server;
        private volatile boolean connected;

        VirtaioTransfer(int mtu, Counter counter) {
            this.counter = counter;
            // Rings sized to the traffic rather than to the largest queue: receive buffers for a full window of
            // frames (the sender's loop pushes frames into the receiver's ring on its own thread, and a receiver
            // descheduled for a moment must not turn into drops), and transmit buffers within a memory budget.
            // Every buffer holds a whole frame, so 256 of them at a 64 KiB MTU are 16 MiB of guest memory cycled
            // through the caches per side: measured, that doubled the CPU per byte on both loops.
            TcpConfig tcp = TcpConfig.defaults();
            int ring = Math.clamp(Integer.highestOneBit(tcp.receiveBufferMaxBytes() / (mtu - 40) * 2 - 1),
                    RX_RING_MIN, 4096);
            VirtioNetDevice.Config dev = VirtioNetDevice.Config.defaults().withMtu(mtu)
                    .withMaxQueueSize(Math.max(ring, 256));
            int txBuffers = Math.clamp(TX_BUFFER_BYTES / (mtu + 26), 32, 256);
            VirtioNetDriver.Config drv = VirtioNetDriver.Config.defaults().withQueueSizes(ring, 256)
                    .withTxBuffers(txBuffers);
            WiredTcp pair = new WiredTcp(dev, drv, tcp, false);
            a = pair.a;
            b = pair.b;
            listener = pair.listener;
            client = pair.client;
            loopA = new HostLoop("virtaio-sender", a, this::sendStep);
            loopB = new HostLoop("virtaio-receiver", b, this::receiveStep);
        }

        /** On the sender's loop: fill the socket's send buffer with 64 KiB writes. */
        private int sendStep(long nowNs) {
            if (client.state() != TcpState.ESTABLISHED) {
                return 0;
            }
            int sent = 0;
            int n;
            while ((n = client.send(out, 0, CHUNK)) > 0) {
                sent += n;
            }
            return sent;
        }

        /** On the receiver's loop: accept once, then drain what arrived. */
        private int receiveStep(long nowNs) {
            if (server == null) {
                server = listener.accept();
                if (server == null) {
                    return 0;
                }
                connected = true;
            }
            long total = 0;
            int n;
            while ((n = server.recv(in, 0, CHUNK)) > 0) {
                total += n;
            }
            if (total > 0) {
                counter.add(total);
            }
            return (int) Math.min(total, Integer.MAX_VALUE);
        }

        /** Notification counters, and every drop counter that is not zero. */
        private static void copyInteresting(Map<String, Long> from, String prefix, Map<String, Long> to) {
            from.forEach((k, v) -> {
                if (k.contains("notif") || k.contains("kick") || k.contains("interrupt")
                        || (k.contains("drop") && v != 0)) {
                    to.put(prefix + k, v);
                }
            });
        }

        @Override
        public void start() {
            loopA.start();
            loopB.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!connected || counter.get() == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no connection after 10 s");
                }
                LockSupport.parkNanos(1_000_000L);
            }
        }

        @Override
        public Map<String, Long> stop() {
            loopA.close();
            loopB.close();
            Map<String, Long> stats = new TreeMap<>();
            stats.put("sender.cpuNs", loopA.cpuNs);
            stats.put("receiver.cpuNs", loopB.cpuNs);
            stats.put("sender.rounds", loopA.rounds);
            stats.put("sender.parks", loopA.parks);
            stats.put("receiver.rounds", loopB.rounds);
            stats.put("receiver.parks", loopB.parks);
            Map<String, Long> ca = a.counters();
            Map<String, Long> cb = b.counters();
            for (String k : new String[] {"tcp.segsOut", "tcp.retransSegs", "tcp.retransFast", "tcp.retransTlp",
                "tcp.tlpProbes", "tcp.rtoExpirations", "tcp.dsacksReceived"}) {
                stats.put("sender." + k, ca.getOrDefault(k, -1L));
            }
            stats.put("receiver.tcp.segsOut", cb.getOrDefault("tcp.segsOut", -1L));
            copyInteresting(ca, "sender.", stats);
            copyInteresting(cb, "receiver.", stats);
            a.close();
            b.close();
            arena.close();
            return stats;
        }
    }

    /** Blocking SocketChannels over the kernel's loopback, a sender and a receiver thread. */
    static final class NioTransfer implements Transfer {
        private final Counter counter;
        private ServerSocketChannel acceptor;
        private SocketChannel clientChannel;
        private SocketChannel serverChannel;
        private Thread sender;
        private Thread receiver;
        private volatile boolean running = true;
        private volatile long senderCpuNs;
        private volatile long receiverCpuNs;

        NioTransfer(Counter counter) {
            this.counter = counter;
        }

        @Override
        public void start() throws IOException {
            acceptor = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            clientChannel = SocketChannel.open(acceptor.getLocalAddress());
            serverChannel = acceptor.accept();
            sender = Thread.ofPlatform().name("nio-sender").daemon().start(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
                try {
                    while (running) {
                        buf.clear();
                        while (buf.hasRemaining()) {
                            clientChannel.write(buf);
                        }
                    }
                } catch (IOException e) {
                    if (running) {
                        throw new UncheckedIOException(e);
                    }
                } finally {
                    senderCpuNs = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                }
            });
            receiver = Thread.ofPlatform().name("nio-receiver").daemon().start(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
                try {
                    while (running) {
                        buf.clear();
                        int n = serverChannel.read(buf);
                        if (n < 0) {
                            return;
                        }
                        counter.add(n);
                    }
                } catch (IOException e) {
                    if (running) {
                        throw new UncheckedIOException(e);
                    }
                } finally {
                    receiverCpuNs = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                }
            });
        }

        @Override
        public Map<String, Long> stop() throws Exception {
            running = false;
            clientChannel.close();
            serverChannel.close();
            acceptor.close();
            sender.join();
            receiver.join();
            return Map.of("sender.cpuNs", senderCpuNs, "receiver.cpuNs", receiverCpuNs);
        }
    }
}
