package io.virtaio.bench;

import io.virtaio.netstack.host.VirtioHost;
import io.virtaio.netstack.tcp.TcpConfig;
import io.virtaio.netstack.tcp.TcpSocket;
import io.virtaio.netstack.tcp.TcpState;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
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
 * One TCP connection carrying requests and responses, one outstanding, with real threads, against the JDK over the
 * kernel's loopback in the same run: the round-trip counterpart of {@link StackBulkBench}. The stack alone — no aio
 * layer ({@link AioBench} measures what that adds). Both ends set TCP_NODELAY; a request is {@link #SIZE} bytes and
 * the server answers it with the same {@link #SIZE} bytes.
 *
 * <ul>
 *   <li>{@code virtaio}: two {@link VirtioHost}s joined by {@code Wire.create(LinkModel.UNLIMITED)}, each on its own
 *       {@link HostLoop} thread, as in {@link StackBulkBench}. The server's loop sends back whatever whole request
 *       has arrived. The benchmark thread stores the next request number in a volatile field and rings the client
 *       loop ({@link HostLoop#wakeup}: a fence, and an unpark only if the loop sleeps); the client loop's step sends
 *       the request, receives the response, publishes the request number as answered and unparks the benchmark
 *       thread if it parked (after a short spin on that field). A round trip thus crosses four hand-offs between
 *       threads (benchmark → client loop → server loop → client loop → benchmark), all in user space.</li>
 *   <li>{@code jdk-nio}: blocking {@link SocketChannel}s over 127.0.0.1; the benchmark thread writes the request and
 *       reads the response, an echo thread blocked in {@code read} writes back each whole request. Two hand-offs per
 *       round trip, each a kernel wake-up of a sleeping thread.</li>
 * </ul>
 *
 * <p>Two rows per system, one operation being one round trip:
 * <ul>
 *   <li>{@link #roundTrip} (Throughput): round trips per second. With one outstanding this is 1 / mean latency.</li>
 *   <li>{@link #roundTripTime} (SampleTime): the time of each sampled round trip in µs as the benchmark thread sees
 *       it, hand-offs included; JMH prints the distribution (p0.50, p0.99, …).</li>
 * </ul>
 * Three threads on the virtaio side — two loops that spin before parking, and the benchmark thread — share the cores
 * with everything else. That is why the benchmark thread parks after only a short spin: on two vCPUs, measured, a
 * caller that kept polling (spinning, then {@link Thread#yield()}ing) took a core from the loops and cut the rate
 * by half or more. The loops' rounds, parks and CPU per round trip are printed at the end of each trial: when the
 * scheduler puts both loops on one core, each spins its idle rounds while the peer it waits for cannot run, and
 * the CPU per round trip and the latency rise several-fold.
 *
 * <p>Set-up checks that the echoed bytes equal the request bytes, for several patterns. Nothing is allocated per
 * round trip on either side: run with {@code -prof gc} and read {@code gc.alloc.rate.norm} of the first measured
 * iterations — what JMH allocates per iteration (a few KB; far more for its SampleTime bookkeeping) divided by the
 * round trips, and in the last iteration the trial's tear-down.
 *
 * <p>Run: {@code ./virtaio jmh StackRpcBench -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}.
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class StackRpcBench {
    /** Bytes in a request and in its response. */
    public static final int SIZE = 64;
    /** Polls of the answer spent spinning before the benchmark thread parks (short: see the class comment). */
    private static final int SPINS = 50;
    /** The longest single park while waiting for an answer (the unpark normally comes first). */
    private static final long PARK_NS = 10_000_000L;
    private static final long STALL_NS = TimeUnit.SECONDS.toNanos(10);

    @Param({"virtaio", "jdk-nio"})
    public String system;

    private Rpc rpc;
    private long trialStartNs;
    private long trialStartCalls;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        rpc = switch (system) {
            case "virtaio" -> new VirtaioRpc();
            case "jdk-nio" -> new NioRpc();
            default -> throw new IllegalArgumentException("system: " + system);
        };
        rpc.start();
        verifyEcho(rpc);
        trialStartNs = System.nanoTime();
        trialStartCalls = rpc.calls();
    }

    /** Round trips with distinct request patterns, each response compared with its request byte for byte. */
    private static void verifyEcho(Rpc rpc) throws IOException {
        MemorySegment request = rpc.request();
        MemorySegment response = rpc.response();
        for (int seed = 1; seed <= 8; seed++) {
            for (int i = 0; i < SIZE; i++) {
                request.set(ValueLayout.JAVA_BYTE, i, (byte) (seed * 37 + i));
            }
            response.fill((byte) 0);
            rpc.roundTrip();
            long at = request.mismatch(response);
            if (at != -1) {
                throw new IllegalStateException("echo differs from the request at byte " + at + " (pattern " + seed
                        + ")");
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        double seconds = (System.nanoTime() - trialStartNs) / 1e9;
        long calls = rpc.calls() - trialStartCalls;
        long allCalls = rpc.calls();
        Map<String, Long> stats = rpc.stop();
        StringBuilder cpu = new StringBuilder();
        stats.forEach((k, v) -> {
            if (k.endsWith("cpuNs")) {
                cpu.append(String.format(" %s %.2f us,", k.substring(0, k.length() - ".cpuNs".length()),
                        v / 1e3 / allCalls));
            }
        });
        System.out.printf("%n%s: %.0f round trips/s over the whole trial; CPU per round trip:%s %s%n", system,
                calls / seconds, cpu, stats);
    }

    /** One round trip; the score is round trips per second. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long roundTrip() throws IOException {
        return rpc.roundTrip();
    }

    /** One round trip; the score is the distribution of the sampled round trips' times. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long roundTripTime() throws IOException {
        return rpc.roundTrip();
    }

    // ------------------------------------------------------------------------------------------------------------

    /** A connected request/response pair; every method on the benchmark thread. */
    interface Rpc {
        void start() throws Exception;

        /** Sends the request and waits for the whole response; returns the round trips made so far. */
        long roundTrip() throws IOException;

        /** Round trips made so far. */
        long calls();

        /** The request's bytes (write them between round trips only). */
        MemorySegment request();

        /** Where the last response landed (read it between round trips only). */
        MemorySegment response();

        /** Stops every thread; returns statistics worth printing (keys ending in {@code cpuNs}: CPU time used). */
        Map<String, Long> stop() throws Exception;
    }

    /** Two virtio hosts on an unlimited in-process wire, one loop thread each, the benchmark thread as the caller. */
    static final class VirtaioRpc implements Rpc {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment request = arena.allocate(SIZE, 64);
        private final MemorySegment response = arena.allocate(SIZE, 64);
        private final MemorySegment echo = arena.allocate(SIZE, 64);
        private final VirtioHost a;
        private final VirtioHost b;
        private final HostLoop clientLoop;
        private final HostLoop serverLoop;
        private final TcpSocket client;
        private final TcpSocket listener;
        // Benchmark thread -> client loop: the number of the request to send. Volatile: the loop that reads a new
        // number must also see the request bytes written before it.
        private volatile long requested;
        // Client loop -> benchmark thread: the number of the last request whose whole response is in 'response'.
        // Volatile: the benchmark thread that reads it must also see the response bytes.
        private volatile long answered;
        private volatile boolean connected;
        // The benchmark thread is (about to be) parked waiting for 'answered'; 'waiter' is written before it.
        private volatile boolean parked;
        private volatile Thread waiter;
        // Client loop only.
        private boolean established;
        private long sent;
        private int got;
        // Server loop only.
        private TcpSocket server;
        private int filled;

        VirtaioRpc() {
            WiredTcp pair = new WiredTcp(VirtioNetDevice.Config.defaults(), VirtioNetDriver.Config.defaults(),
                    TcpConfig.defaults(), true);
            a = pair.a;
            b = pair.b;
            listener = pair.listener;
            client = pair.client;
            clientLoop = new HostLoop("virtaio-client", a, this::clientStep);
            serverLoop = new HostLoop("virtaio-server", b, this::serverStep);
        }

        /** On the client's loop: send a request the benchmark thread asked for, then take in its response. */
        private int clientStep(long nowNs) {
            if (!established) {
                if (client.state() != TcpState.ESTABLISHED) {
                    return 0;
                }
                established = true;
            }
            int work = 0;
            long want = requested;
            if (want != sent) {
                int n = client.send(request, 0, SIZE);
                if (n != SIZE) {
                    throw new IllegalStateException("request send: " + n);
                }
                sent = want;
                work = 1;
            }
            if (sent != answered) {
                int n;
                while (got < SIZE && (n = client.recv(response, got, SIZE - got)) > 0) {
                    got += n;
                }
                if (got == SIZE) {
                    got = 0;
                    answered = sent;
                    // Full fence: 'answered' must be visible before we read 'parked' (Dekker with awaitAnswer()).
                    VarHandle.fullFence();
                    if (parked) {
                        LockSupport.unpark(waiter);
                    }
                    work = 1;                       // the receive may have queued a window update
                }
            }
            return work;
        }

        /** On the server's loop: accept once, then send back every whole request that arrived. */
        private int serverStep(long nowNs) {
            if (server == null) {
                server = listener.accept();
                if (server == null) {
                    return 0;
                }
                WiredTcp.check(server.setOption(TcpSocket.TCP_NODELAY, 1), "setsockopt");
                connected = true;
            }
            int work = 0;
            int n;
            while ((n = server.recv(echo, filled, SIZE - filled)) > 0) {
                filled += n;
                if (filled == SIZE) {
                    int m = server.send(echo, 0, SIZE);
                    if (m != SIZE) {
                        throw new IllegalStateException("response send: " + m);
                    }
                    filled = 0;
                    work++;
                }
            }
            return work;
        }

        @Override
        public void start() {
            clientLoop.start();
            serverLoop.start();
            long deadline = System.nanoTime() + STALL_NS;
            while (!connected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no connection after 10 s");
                }
                LockSupport.parkNanos(1_000_000L);
            }
        }

        @Override
        public long roundTrip() {
            long n = requested + 1;
            requested = n;
            clientLoop.wakeup();
            awaitAnswer(n);
            return n;
        }

        /** Spins briefly, then parks until the client loop has published request {@code n} as answered. */
        private void awaitAnswer(long n) {
            for (int i = 0; i < SPINS; i++) {
                if (answered == n) {
                    return;
                }
                Thread.onSpinWait();
            }
            waiter = Thread.currentThread();
            parked = true;
            // Full fence: announce 'parked' before re-reading 'answered' (Dekker with clientStep()).
            VarHandle.fullFence();
            long deadline = System.nanoTime() + STALL_NS;
            while (answered != n) {
                LockSupport.parkNanos(this, PARK_NS);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no response to request " + n + " after 10 s");
                }
            }
            parked = false;
        }

        @Override
        public long calls() {
            return answered;
        }

        @Override
        public MemorySegment request() {
            return request;
        }

        @Override
        public MemorySegment response() {
            return response;
        }

        @Override
        public Map<String, Long> stop() {
            clientLoop.close();
            serverLoop.close();
            Map<String, Long> stats = new TreeMap<>();
            stats.put("client.cpuNs", clientLoop.cpuNs);
            stats.put("server.cpuNs", serverLoop.cpuNs);
            stats.put("client.rounds", clientLoop.rounds);
            stats.put("client.parks", clientLoop.parks);
            stats.put("server.rounds", serverLoop.rounds);
            stats.put("server.parks", serverLoop.parks);
            Map<String, Long> ca = a.counters();
            Map<String, Long> cb = b.counters();
            for (String k : new String[] {"tcp.segsOut", "tcp.retransSegs", "tcp.rtoExpirations"}) {
                stats.put("client." + k, ca.getOrDefault(k, -1L));
                stats.put("server." + k, cb.getOrDefault(k, -1L));
            }
            a.close();
            b.close();
            arena.close();
            return stats;
        }
    }

    /** Blocking SocketChannels over the kernel's loopback; an echo thread, the benchmark thread as the caller. */
    static final class NioRpc implements Rpc {
        private final ByteBuffer request = ByteBuffer.allocateDirect(SIZE);
        private final ByteBuffer response = ByteBuffer.allocateDirect(SIZE);
        // Views made while the buffers' positions are 0: a segment of a buffer spans its position to its limit.
        private final MemorySegment requestBytes = MemorySegment.ofBuffer(request);
        private final MemorySegment responseBytes = MemorySegment.ofBuffer(response);
        private ServerSocketChannel acceptor;
        private SocketChannel clientChannel;
        private SocketChannel serverChannel;
        private Thread echoThread;
        private volatile boolean running = true;
        private volatile long echoCpuNs;
        private long calls;

        @Override
        public void start() throws IOException {
            acceptor = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            clientChannel = SocketChannel.open(acceptor.getLocalAddress());
            serverChannel = acceptor.accept();
            clientChannel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            serverChannel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            echoThread = Thread.ofPlatform().name("nio-echo").daemon().start(this::echo);
        }

        /** On the echo thread: read each whole request, write it back. */
        private void echo() {
            ByteBuffer buf = ByteBuffer.allocateDirect(SIZE);
            try {
                while (running) {
                    buf.clear();
                    while (buf.hasRemaining()) {
                        if (serverChannel.read(buf) < 0) {
                            return;
                        }
                    }
                    buf.flip();
                    while (buf.hasRemaining()) {
                        serverChannel.write(buf);
                    }
                }
            } catch (IOException e) {
                if (running) {
                    throw new UncheckedIOException(e);
                }
            } finally {
                echoCpuNs = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            }
        }

        @Override
        public long roundTrip() throws IOException {
            request.clear();
            while (request.hasRemaining()) {
                clientChannel.write(request);
            }
            response.clear();
            while (response.hasRemaining()) {
                if (clientChannel.read(response) < 0) {
                    throw new EOFException("echo closed the connection");
                }
            }
            return ++calls;
        }

        @Override
        public long calls() {
            return calls;
        }

        @Override
        public MemorySegment request() {
            return requestBytes;
        }

        @Override
        public MemorySegment response() {
            return responseBytes;
        }

        @Override
        public Map<String, Long> stop() throws Exception {
            running = false;
            clientChannel.close();
            serverChannel.close();
            acceptor.close();
            echoThread.join();
            return Map.of("echo.cpuNs", echoCpuNs);
        }
    }
}
