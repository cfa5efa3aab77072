package io.virtaio.bench;

import static io.virtaio.aio.posix.Aio.*;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.Simulator;
import io.virtaio.aio.node.LoopTask;
import io.virtaio.aio.node.Node;
import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import io.virtaio.netstack.SocketEventHandler;
import io.virtaio.netstack.Stack;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.tcp.TcpSocket;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The POSIX AIO path against the stack's socket API called directly on the loop, in one run.
 *
 * <p>Set-up: one node (a stack on a virtio-net device) and a connected TCP pair on it, joined through the stack's
 * own loopback path, TCP_NODELAY on both ends; the node's loop thread and the benchmark thread are the only busy
 * threads (two cores). One operation is a round trip of {@code size} bytes: written on one socket, read on the other.
 * <ul>
 *   <li>{@code posix}: aio_write + aio_read with SIGEV_NONE, then polling aio_error, then aio_return both;</li>
 *   <li>{@code posix-suspend}: the same, waiting in aio_suspend instead of polling;</li>
 *   <li>{@code direct}: a {@link LoopTask} (reused, allocation-free) calls {@code TcpSocket.send} on the loop, and
 *       the receiving socket's event handler calls {@code recv} until all bytes are in; the benchmark thread polls a
 *       volatile flag. The same hand-off to the loop and back as the POSIX path, without the AIO machinery.</li>
 * </ul>
 * {@link #batch32} moves 16 messages in one batch of 32 entries: {@code posix} is one lio_listio(LIO_WAIT) of 16
 * writes and 16 reads, {@code posix-suspend} the same list with LIO_NOWAIT and aio_suspend, {@code direct} one loop
 * task sending 16 messages and the handler receiving them; its score counts entries.
 *
 * <p>{@code driver}: {@code loop-thread} runs the node on its own loop thread, as deployed; polling waits the same
 * way in every path ({@link #pause}: a short spin, then {@link Thread#yield()}). On two cores shared with other work
 * the two threads often share one core, and the scheduler then dominates the figures. {@code same-thread} builds
 * the runtime in simulated mode: the benchmark thread steps the node itself (a blocking call or
 * {@code Simulator.runUntil} runs the loop's rounds inline), so the score is the software cost of each path alone.
 *
 * <p>Run: {@code ./virtaio jmh AioBench -f 1 -wi 3 -i 5 -prof gc}; read {@code gc.alloc.rate.norm} for B/op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC"})
public class AioBench {
    static final int LIST = 32;

    @Param({"posix", "posix-suspend", "direct"})
    public String path;

    @Param({"64"})
    public int size;

    @Param({"loop-thread", "same-thread"})
    public String driver;

    AioRuntime rt;
    Aio aio;
    int writer;
    int reader;
    aiocb write;
    aiocb read;
    aiocb[] readList;
    aiocb[] writeList;
    aiocb[] list;
    aiocb[][] singles;
    Direct direct;
    Simulator sim;
    BooleanSupplier readDone;
    BooleanSupplier writeDone;

    @Setup(Level.Trial)
    public void setUp() {
        AioRuntime.Builder b = AioRuntime.builder()
                .config(AioConfig.builder().name("bench").build())
                .node("a", Nodes.loopback(StackConfig.of(Nodes.ADDRESS_A, 24)));
        if (driver.equals("same-thread")) {
            b.simulated(0);
        }
        rt = b.build();
        aio = rt.aio(0);
        sim = rt.isSimulated() ? rt.simulator() : null;
        int[] sv = new int[2];
        check(aio.socketpair(AF_INET, SOCK_STREAM, 0, sv), "socketpair");
        writer = sv[0];
        reader = sv[1];
        check(aio.setsockopt(writer, IPPROTO_TCP, TCP_NODELAY, 1), "setsockopt");
        check(aio.setsockopt(reader, IPPROTO_TCP, TCP_NODELAY, 1), "setsockopt");
        write = new aiocb(writer, rt.allocate(size), size, 0);
        read = new aiocb(reader, rt.allocate(size), size, 0);
        readList = new aiocb[] {read};
        writeList = new aiocb[] {write};
        list = new aiocb[LIST];
        singles = new aiocb[LIST][];
        for (int i = 0; i < LIST; i += 2) {
            list[i] = new aiocb(writer, rt.allocate(size), size, 0);
            list[i].aio_lio_opcode = LIO_WRITE;
            list[i + 1] = new aiocb(reader, rt.allocate(size), size, 0);
            list[i + 1].aio_lio_opcode = LIO_READ;
        }
        for (int i = 0; i < LIST; i++) {
            singles[i] = new aiocb[] {list[i]};
        }
        readDone = () -> aio.aio_error(read) != Errno.EINPROGRESS;
        writeDone = () -> aio.aio_error(write) != Errno.EINPROGRESS;
        if (path.equals("direct")) {
            direct = new Direct(rt.node(0), rt.allocate(size), rt.allocate(size), sim);
            direct.connect();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rt.close();
    }

    @Benchmark
    public long roundTrip() {
        return switch (path) {
            case "posix" -> posixPolling();
            case "posix-suspend" -> posixSuspend();
            default -> direct.roundTrip();
        };
    }

    private long posixPolling() {
        check(aio.aio_write(write), "aio_write");
        check(aio.aio_read(read), "aio_read");
        if (sim != null) {
            sim.runUntil(readDone, Long.MAX_VALUE);
            sim.runUntil(writeDone, Long.MAX_VALUE);
        }
        for (int i = 0; aio.aio_error(read) == Errno.EINPROGRESS; i++) {
            pause(i);
        }
        for (int i = 0; aio.aio_error(write) == Errno.EINPROGRESS; i++) {
            pause(i);
        }
        return aio.aio_return(read) + aio.aio_return(write);
    }

    private long posixSuspend() {
        check(aio.aio_write(write), "aio_write");
        check(aio.aio_read(read), "aio_read");
        check(aio.aio_suspend(readList, 1, null), "aio_suspend");
        if (aio.aio_error(write) == Errno.EINPROGRESS) {
            check(aio.aio_suspend(writeList, 1, null), "aio_suspend");
        }
        return aio.aio_return(read) + aio.aio_return(write);
    }

    /** 16 messages as a batch of 32 entries; the score counts entries. */
    @Benchmark
    @OperationsPerInvocation(LIST)
    public long batch32() {
        switch (path) {
            case "posix" -> check(aio.lio_listio(LIO_WAIT, list, LIST, null), "lio_listio");
            case "posix-suspend" -> {
                check(aio.lio_listio(LIO_NOWAIT, list, LIST, null), "lio_listio");
                for (int i = 0; i < LIST; i++) {
                    // Wait for each entry in turn (aio_suspend on the whole list would return while any is done).
                    while (aio.aio_error(list[i]) == Errno.EINPROGRESS) {
                        check(aio.aio_suspend(singles[i], 1, null), "aio_suspend");
                    }
                }
            }
            default -> {
                return direct.roundTrip(LIST / 2);
            }
        }
        long n = 0;
        for (aiocb cb : list) {
            n += aio.aio_return(cb);
        }
        return n;
    }

    /** The wait between two polls of the {@code i}-th round: spin a little, then let other threads run. */
    static void pause(int i) {
        if (i < 200) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    private static void check(int rc, String what) {
        if (rc < 0) {
            throw new IllegalStateException(what + " failed");
        }
    }

    /**
     * The direct path: raw stack sockets on the loop, a reused loop task that sends, the receiver's event handler
     * that reads. Everything on the loop thread but the volatile flag the benchmark thread polls.
     */
    static final class Direct implements LoopTask, SocketEventHandler {
        private final Node node;
        private final Simulator sim;
        private final BooleanSupplier isDone;
        private final MemorySegment out;
        private final MemorySegment in;
        private final int size;
        private TcpSocket listener;
        private TcpSocket client;
        private volatile TcpSocket server;
        private int got;
        private int messages;
        private volatile boolean done;
        private volatile int ran;

        Direct(Node node, MemorySegment out, MemorySegment in, Simulator sim) {
            this.node = node;
            this.sim = sim;
            this.isDone = () -> done;
            this.out = out;
            this.in = in;
            this.size = (int) out.byteSize();
        }

        /** Set-up on the loop: listen and connect, then accept until the handshake is through. */
        void connect() {
            runOnLoop((stack, now) -> {
                listener = stack.tcpSocket();
                listener.bind(stack.address(), 0);
                listener.listen(1);
                client = stack.tcpSocket();
                client.setOption(TcpSocket.TCP_NODELAY, 1);
                client.attach(this);
                client.connect(stack.address(), listener.localPort());
            });
            while (server == null) {
                runOnLoop((stack, now) -> {
                    TcpSocket s = listener.accept();
                    if (s != null) {
                        s.setOption(TcpSocket.TCP_NODELAY, 1);
                        s.attach(this);
                        server = s;
                    }
                });
            }
        }

        /** Runs {@code t} on the loop and waits until it has run (set-up only: it allocates). */
        private void runOnLoop(LoopTask t) {
            int before = ran;
            LoopTask counted = (stack, now) -> {
                t.run(stack, now);
                ran = before + 1;
            };
            while (!node.execute(counted)) {
                Thread.onSpinWait();
            }
            if (sim != null) {
                sim.runUntil(() -> ran != before, Long.MAX_VALUE);
            }
            while (ran == before) {
                Thread.onSpinWait();
            }
        }

        long roundTrip() {
            return roundTrip(1);
        }

        /** Sends {@code count} messages in one loop task and waits until all their bytes are received. */
        long roundTrip(int count) {
            messages = count;
            done = false;
            for (int i = 0; !node.execute(this); i++) {
                pause(i);
            }
            if (sim != null) {
                sim.runUntil(isDone, Long.MAX_VALUE);
            }
            for (int i = 0; !done; i++) {
                pause(i);
            }
            return got;
        }

        /** The loop task: send the messages. */
        @Override
        public void run(Stack stack, long nowNs) {
            got = 0;
            for (int i = 0; i < messages; i++) {
                int n = client.send(out, 0, size);
                if (n != size) {
                    throw new IllegalStateException("send " + n);
                }
            }
        }

        /** Readiness on the loop: the receiver reads what arrived, a message's worth at a time. */
        @Override
        public void onEvent(Socket socket, int readiness) {
            int want = messages * size;
            if (socket != server || (readiness & Socket.POLLIN) == 0 || got == want) {
                return;
            }
            int n;
            while (got < want && (n = server.recv(in, 0, Math.min(size, want - got))) > 0) {
                got += n;
            }
            if (got == want) {
                done = true;
            }
        }
    }
}
