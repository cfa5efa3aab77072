package io.virtaio.bench;

import static io.virtaio.aio.posix.Aio.*;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.Simulator;
import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.netstack.Errno;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.host.VirtioHost;
import io.virtaio.netstack.tcp.TcpConfig;
import io.virtaio.netstack.tcp.TcpSocket;
import io.virtaio.netstack.tcp.TcpState;
import io.virtaio.netstack.wire.EthernetFrame;
import io.virtaio.virtio.backend.LinkModel;
import io.virtaio.virtio.backend.Wire;
import io.virtaio.virtio.mem.GuestMemory;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
 * How close each data path comes to {@link MemorySegment#copy} of the same bytes. One operation moves {@code size}
 * bytes from one native buffer ({@code out}) into another ({@code in}); the benchmark then reads a long of
 * {@code in}, so no path's copy is dead code.
 *
 * <ul>
 *   <li>{@code memcopy}: one {@code MemorySegment.copy} from {@code out} to {@code in} — the baseline.</li>
 *   <li>{@code wire}: the virtio layer alone. A virtio-net driver writes the payload into transmit buffers (an
 *       Ethernet header and at most an MTU of payload each), the device hands each frame to an in-process
 *       {@link Wire} with {@link LinkModel#UNLIMITED}, the peer device writes it into a receive buffer of its
 *       driver, whose receive handler copies the payload out into {@code in}. No IP, no TCP.</li>
 *   <li>{@code stack}: {@code out} sent on a {@link TcpSocket} of one {@link VirtioHost}, received from the peer
 *       socket of another on the same wire, TCP_NODELAY on both; the benchmark thread polls both hosts (no loop
 *       threads).</li>
 *   <li>{@code aio}: the same two hosts under a simulated {@link AioRuntime}: aio_read on the receiving socket,
 *       aio_write on the sending one (reused aiocbs), the runtime stepped on the benchmark thread until both
 *       complete, as {@link AioBench}'s {@code same-thread} driver does.</li>
 * </ul>
 *
 * <p>Every host's device has an MTU of {@value #MTU}, so a 64 KiB operation is two frames on every path (the
 * largest frame carries 65,535 bytes: the MTU field is 16 bits), and rings sized as {@link StackBulkBench} sizes
 * them at that MTU. Checksums are offloaded (CSUM, GUEST_CSUM: the in-process wire carries the partial sums through,
 * and no side sums the payload in software), so on the TCP paths the payload is only copied. With the benchmark
 * thread stepping everything, the score is software cost free of scheduling; {@code score / memcopy's score} can be
 * compared to {@code 1 / copies}, the copies of the payload each path makes. The end of each trial prints them with
 * the last iteration's payload rate in bytes per second.
 *
 * <p>Set-up checks each path first: {@value #VERIFY_ROUNDS} operations with a new random payload each, {@code in}
 * zeroed before each, must deliver {@code out} byte for byte; and each measured operation must deliver
 * {@code size} bytes. A broken path fails the trial instead of posting a score.
 *
 * <p>Run: {@code ./virtaio jmh CopyBench -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}; {@code gc.alloc.rate.norm} is the
 * bytes allocated per operation (≈ 0 for every path: JMH's own; {@code CopyBenchTest} holds each path to 0).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class CopyBench {
    /** The devices' MTU: the largest a virtio-net device can announce (a 16-bit field, virtio 1.2 §5.1.4). */
    static final int MTU = 65535;
    /** Receive ring of each driver: a whole window's frames at this MTU, as StackBulkBench sizes it. */
    private static final int RX_RING = 64;
    /** Transmit ring and transmit buffers of each driver (StackBulkBench's 2 MiB budget at this MTU). */
    private static final int TX_RING = 256;
    private static final int TX_BUFFERS = 32;
    /** Operations checked byte for byte in set-up: more frames than either ring has buffers. */
    static final int VERIFY_ROUNDS = 200;
    /** Polling rounds one operation may take before the path is declared stalled. */
    private static final int MAX_ROUNDS = 1_000_000;
    private static final int PORT = WiredTcp.PORT;
    private static final int IP_A = WiredTcp.IP_A;
    private static final int IP_B = WiredTcp.IP_B;
    private static final long MAC_A = Nodes.macFor(IP_A);
    private static final long MAC_B = Nodes.macFor(IP_B);
    /** IEEE 802 Local Experimental EtherType: the wire path's frames carry raw payload. */
    private static final int ETHERTYPE_EXPERIMENTAL = 0x88B5;
    private static final int PAGE = 4096;

    @Param({"memcopy", "wire", "stack", "aio"})
    public String path;

    /** Payload bytes per operation. */
    @Param({"4096", "65536"})
    public int size;

    private Arena arena;
    private MemorySegment out;
    private MemorySegment in;
    private DataPath data;
    private long ops;
    private long iterationStartNs;
    private double lastBytesPerSecond;

    @Setup(Level.Trial)
    public void setUp() {
        if (size < Long.BYTES) {
            throw new IllegalArgumentException("size must be at least 8: " + size);
        }
        arena = Arena.ofShared();
        // Page-aligned, both, so that every run places them alike: two blocks from malloc often lie 64 bytes apart
        // modulo 4 KiB, and a destination just past its source modulo 4 KiB slowed the 64 KiB copy by 25% here
        // (loads falsely wait on earlier stores to the same page offset: 4K aliasing).
        out = arena.allocate(size, PAGE);
        in = arena.allocate(size, PAGE);
        data = switch (path) {
            case "memcopy" -> new MemCopy(out, in);
            case "wire" -> new WirePath(out, in);
            case "stack" -> new StackPath(out, in);
            case "aio" -> new AioPath(out, in);
            default -> throw new IllegalArgumentException("path must be memcopy, wire, stack or aio: " + path);
        };
        verify();
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        ops = 0;
        iterationStartNs = System.nanoTime();
    }

    /** The payload rate of the iteration that just ended; the last one is a measurement iteration. */
    @TearDown(Level.Iteration)
    public void endIteration() {
        lastBytesPerSecond = ops * (double) size / ((System.nanoTime() - iterationStartNs) / 1e9);
    }

    /** {@value #VERIFY_ROUNDS} operations, each with a payload of its own, must each arrive intact. */
    void verify() {
        SplittableRandom random = new SplittableRandom(size);
        byte[] payload = new byte[size];
        for (int round = 0; round < VERIFY_ROUNDS; round++) {
            random.nextBytes(payload);
            MemorySegment.copy(payload, 0, out, ValueLayout.JAVA_BYTE, 0, size);
            in.fill((byte) 0);
            int n = data.transfer();
            long at = in.mismatch(out);
            if (n != size || at != -1) {
                throw new IllegalStateException(path + ": operation " + round + " delivered " + n + " of " + size
                        + " bytes, first wrong byte at " + at);
            }
        }
    }

    /** Prints the last iteration's rate, the copies the path makes of the payload, and its trouble counters. */
    @TearDown(Level.Trial)
    public void tearDown() {
        int copies = data.copies();
        System.out.printf("%n%s size %d, last iteration: %.2f GB/s of payload; %d cop%s of it (score / memcopy's "
                        + "can be read against 1/%d = %.2f), so %.2f GB/s copied: %s. %s%n", path, size,
                lastBytesPerSecond / 1e9, copies, copies == 1 ? "y" : "ies", copies, 1.0 / copies,
                copies * lastBytesPerSecond / 1e9, data.copyList(), data.diagnostics());
        data.close();
        arena.close();
    }

    /** Moves {@code size} bytes from {@code out} to {@code in}; returns a long read from {@code in}. */
    @Benchmark
    public long copy() {
        int n = data.transfer();
        if (n != size) {
            throw new IllegalStateException(path + ": " + n + " of " + size + " bytes arrived");
        }
        ops++;
        return in.get(ValueLayout.JAVA_LONG_UNALIGNED, size - Long.BYTES);
    }

    private static VirtioNetDevice.Config deviceConfig(long mac) {
        return VirtioNetDevice.Config.defaults().withMac(mac).withMtu(MTU).withMaxQueueSize(TX_RING);
    }

    private static VirtioNetDriver.Config driverConfig() {
        return VirtioNetDriver.Config.defaults().withQueueSizes(RX_RING, TX_RING).withTxBuffers(TX_BUFFERS);
    }

    private static IllegalStateException stalled(String what, int got, int size) {
        return new IllegalStateException(what + " stalled: " + got + " of " + size + " bytes after " + MAX_ROUNDS
                + " rounds");
    }

    /** Drop and retransmission counters that are not zero, from a host's or a runtime's counters. */
    private static void copyTrouble(Map<String, Long> from, String prefix, Map<String, Long> to) {
        from.forEach((k, v) -> {
            if (v != 0 && (k.contains("drop") || k.contains("retrans") || k.contains("rtoExpirations"))) {
                to.put(prefix + k, v);
            }
        });
    }

    // -------------------------------------------------------------------------------------------------------------

    /** One way of moving the payload from {@code out} to {@code in}. */
    interface DataPath {
        /** Moves the payload once; returns the bytes that arrived in {@code in}. Allocation-free. */
        int transfer();

        /** The copies of the payload one transfer makes. */
        int copies();

        /** Those copies, in order, for the report. */
        String copyList();

        /** Counters worth printing after the trial (drops, retransmissions, ...). */
        String diagnostics();

        void close();
    }

    /** The baseline: one {@code MemorySegment.copy}. */
    static final class MemCopy implements DataPath {
        private final MemorySegment out;
        private final MemorySegment in;

        MemCopy(MemorySegment out, MemorySegment in) {
            this.out = out;
            this.in = in;
        }

        @Override
        public int transfer() {
            MemorySegment.copy(out, 0, in, 0, out.byteSize());
            return (int) out.byteSize();
        }

        @Override
        public int copies() {
            return 1;
        }

        @Override
        public String copyList() {
            return "out -> in";
        }

        @Override
        public String diagnostics() {
            return "";
        }

        @Override
        public void close() {
        }
    }

    /**
     * Two virtio-net devices on one unlimited wire, each with its driver, and nothing above: the sending driver
     * fills transmit buffers and publishes them, the benchmark thread runs the device's transmit side (which hands
     * each frame to the wire, and the wire to the peer device, which writes it into a receive buffer), then the
     * receiving driver's receive, whose handler copies the payload out.
     */
    static final class WirePath implements DataPath, VirtioNetDriver.RxHandler {
        private final MemorySegment out;
        private final MemorySegment in;
        private final int size;
        private final GuestMemory memoryA;
        private final GuestMemory memoryB;
        private final VirtioNetDevice deviceA;
        private final VirtioNetDriver driverA;
        private final VirtioNetDriver driverB;
        private final int maxPayload;
        private final EthernetFrame txFrame = new EthernetFrame();
        private final EthernetFrame rxFrame = new EthernetFrame();
        private int got;
        private long foreignFrames;

        WirePath(MemorySegment out, MemorySegment in) {
            this.out = out;
            this.in = in;
            this.size = (int) out.byteSize();
            Wire wire = Wire.create(LinkModel.UNLIMITED);
            VirtioNetDriver.Config drv = driverConfig();
            long bytes = VirtioNetDriver.guestMemoryBytes(MTU, drv);
            memoryA = GuestMemory.allocate(bytes);
            memoryB = GuestMemory.allocate(bytes);
            deviceA = new VirtioNetDevice(memoryA, deviceConfig(MAC_A), wire.a());
            VirtioNetDevice deviceB = new VirtioNetDevice(memoryB, deviceConfig(MAC_B), wire.b());
            driverA = VirtioNetDriver.attach(deviceA, memoryA, drv);
            driverB = VirtioNetDriver.attach(deviceB, memoryB, drv);
            // The benchmark thread polls every side: no interrupts, no kicks (as a busy loop asks).
            driverA.disableInterrupts();
            driverB.disableInterrupts();
            deviceA.disableTxNotifications();
            deviceB.disableTxNotifications();
            maxPayload = driverA.txFrameCapacity() - EthernetFrame.HEADER_LENGTH;
        }

        @Override
        public int transfer() {
            MemorySegment region = driverA.region();
            for (int off = 0; off < size; ) {
                int n = Math.min(size - off, maxPayload);
                int id = driverA.txAcquire();
                if (id < 0) {
                    throw new IllegalStateException("wire: no transmit buffer");
                }
                int frameLength = EthernetFrame.HEADER_LENGTH + n;
                EthernetFrame f = txFrame.wrap(region, driverA.txFrameOffset(id), frameLength);
                f.setDst(MAC_B);
                f.setSrc(MAC_A);
                f.setEtherType(ETHERTYPE_EXPERIMENTAL);
                MemorySegment.copy(out, off, region, f.payloadOffset(), n);                // copy 1
                if (driverA.txSubmit(id, frameLength, -1, 0) != 0) {
                    throw new IllegalStateException("wire: transmit queue broken");
                }
                off += n;
            }
            driverA.flush();
            got = 0;
            // The unlimited wire has no clock: it delivers inside accept, whatever the time.
            deviceA.pollTx(0, VirtioHost.TX_BUDGET);           // copy 2: the peer device, into a receive buffer
            driverB.receive(this, RX_RING);                     // copy 3: onFrame, into in
            driverA.reclaimTx();
            return got;
        }

        /** The receiving driver's handler: the payload of each frame for us, out into {@code in}. */
        @Override
        public void onFrame(MemorySegment region, long frameOffset, int frameLength, int hdrFlags) {
            EthernetFrame f = rxFrame.wrap(region, frameOffset, frameLength);
            if (f.dst() != MAC_B || f.etherType() != ETHERTYPE_EXPERIMENTAL) {
                foreignFrames++;
                return;
            }
            int n = f.payloadLength();
            MemorySegment.copy(region, f.payloadOffset(), in, got, n);
            got += n;
        }

        @Override
        public int copies() {
            return 3;
        }

        @Override
        public String copyList() {
            return "out -> transmit buffer (driver A), transmit buffer -> receive buffer (device B), "
                    + "receive buffer -> in (driver B's handler)";
        }

        @Override
        public String diagnostics() {
            Map<String, Long> trouble = new TreeMap<>();
            copyTrouble(deviceA.counters().toMap(), "deviceA.", trouble);
            copyTrouble(driverB.device().counters().toMap(), "deviceB.", trouble);
            copyTrouble(driverA.counters().toMap(), "driverA.", trouble);
            copyTrouble(driverB.counters().toMap(), "driverB.", trouble);
            return "frames sent " + driverA.counters().txFrames() + ", received " + driverB.counters().rxFrames()
                    + ", foreign " + foreignFrames + ", trouble " + trouble;
        }

        @Override
        public void close() {
            memoryA.close();
            memoryB.close();
        }
    }

    /** Two stacks on virtio hosts on one unlimited wire, a TCP connection between them, polled on this thread. */
    static final class StackPath implements DataPath {
        private final MemorySegment out;
        private final MemorySegment in;
        private final int size;
        private final VirtioHost a;
        private final VirtioHost b;
        private final TcpSocket client;
        private final TcpSocket server;

        StackPath(MemorySegment out, MemorySegment in) {
            this.out = out;
            this.in = in;
            this.size = (int) out.byteSize();
            WiredTcp pair = new WiredTcp(deviceConfig(MAC_A), driverConfig(), TcpConfig.defaults(), true);
            a = pair.a;
            b = pair.b;
            // Polled without a break, as a busy loop: neither side needs notifications.
            a.busy();
            b.busy();
            TcpSocket listener = pair.listener;
            client = pair.client;
            TcpSocket accepted = null;
            for (int i = 0; accepted == null || client.state() != TcpState.ESTABLISHED; i++) {
                if (i == MAX_ROUNDS) {
                    throw new IllegalStateException("stack: no connection after " + MAX_ROUNDS + " rounds");
                }
                long t = System.nanoTime();
                a.poll(t);
                b.poll(t);
                if (accepted == null) {
                    accepted = listener.accept();
                }
            }
            server = accepted;
            WiredTcp.check(server.setOption(TcpSocket.TCP_NODELAY, 1), "setsockopt");
        }

        @Override
        public int transfer() {
            int sent = 0;
            int got = 0;
            for (int round = 0; got < size; round++) {
                if (round == MAX_ROUNDS) {
                    throw stalled("stack", got, size);
                }
                if (sent < size) {
                    int n = client.send(out, sent, size - sent);                           // copy 1
                    if (n > 0) {
                        sent += n;
                    } else if (n != -Errno.EAGAIN) {
                        throw new IllegalStateException("stack: send failed: " + Errno.name(-n));
                    }
                }
                long now = System.nanoTime();
                a.poll(now);                // copies 2 and 3: send ring -> frame; frame -> the peer's receive buffer
                b.poll(now);                // copy 4: receive buffer -> the socket's receive ring
                int n;
                while (got < size && (n = server.recv(in, got, size - got)) > 0) {          // copy 5
                    got += n;
                }
            }
            return got;
        }

        @Override
        public int copies() {
            return 5;
        }

        @Override
        public String copyList() {
            return "out -> send ring (send), send ring -> transmit buffer (TCP output), transmit buffer -> "
                    + "receive buffer (device B), receive buffer -> receive ring (TCP input), receive ring -> in "
                    + "(recv)";
        }

        @Override
        public String diagnostics() {
            Map<String, Long> ca = a.counters();
            Map<String, Long> cb = b.counters();
            Map<String, Long> trouble = new TreeMap<>();
            copyTrouble(ca, "a.", trouble);
            copyTrouble(cb, "b.", trouble);
            return "segments out a " + ca.get("tcp.segsOut") + ", b " + cb.get("tcp.segsOut") + ", trouble "
                    + trouble;
        }

        @Override
        public void close() {
            a.close();
            b.close();
        }
    }

    /**
     * The POSIX façade over the same two hosts: a simulated runtime whose nodes the benchmark thread steps. The read
     * is submitted before the write, so it waits on its socket when the segments arrive and takes their payload
     * straight from the receive buffer (the stack's direct reader): one copy fewer than {@code recv}.
     */
    static final class AioPath implements DataPath {
        private final MemorySegment in;
        private final int size;
        private final AioRuntime rt;
        private final Simulator sim;
        private final Aio sender;
        private final Aio receiver;
        private final aiocb write;
        private final aiocb read;
        private final BooleanSupplier readDone;
        private final BooleanSupplier writeDone;
        private long shortReads;
        private long received;

        AioPath(MemorySegment out, MemorySegment in) {
            this.in = in;
            this.size = (int) out.byteSize();
            Wire wire = Wire.create(LinkModel.UNLIMITED);
            rt = AioRuntime.builder()
                    .config(AioConfig.builder().name("copybench").build())
                    .node("a", Nodes.virtio(deviceConfig(MAC_A), driverConfig(), StackConfig.of(IP_A, 24), wire.a()))
                    .node("b", Nodes.virtio(deviceConfig(MAC_B), driverConfig(), StackConfig.of(IP_B, 24), wire.b()))
                    .simulated(0)
                    .build();
            sim = rt.simulator();
            sender = rt.aio(0);
            receiver = rt.aio(1);
            // Blocking calls on the simulation thread step the simulation until they return.
            int listener = check(receiver, receiver.socket(AF_INET, SOCK_STREAM, 0), "socket");
            check(receiver, receiver.bind(listener, new sockaddr_in(IP_B, PORT)), "bind");
            check(receiver, receiver.listen(listener, 1), "listen");
            int fd = check(sender, sender.socket(AF_INET, SOCK_STREAM, 0), "socket");
            check(sender, sender.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1), "setsockopt");
            check(sender, sender.connect(fd, new sockaddr_in(IP_B, PORT)), "connect");
            int accepted = check(receiver, receiver.accept(listener, null), "accept");
            check(receiver, receiver.setsockopt(accepted, IPPROTO_TCP, TCP_NODELAY, 1), "setsockopt");
            write = new aiocb(fd, out, size, 0);
            read = new aiocb(accepted, in, size, 0);
            readDone = () -> receiver.aio_error(read) != Errno.EINPROGRESS;
            writeDone = () -> sender.aio_error(write) != Errno.EINPROGRESS;
        }

        private static int check(Aio aio, int rc, String what) {
            if (rc < 0) {
                throw new IllegalStateException("aio: " + what + " failed: " + Aio.strerror(aio.errno()));
            }
            return rc;
        }

        @Override
        public int transfer() {
            read.aio_buf = in;
            read.aio_nbytes = size;
            check(receiver, receiver.aio_read(read), "aio_read");
            check(sender, sender.aio_write(write), "aio_write");                       // copy 1: out -> send ring
            // Copies 2-4 as the nodes run: send ring -> frame, frame -> receive buffer, receive buffer -> in.
            long got = complete(receiver, read, readDone);
            while (got < size) {
                // A stream read may be short: read the rest (allocates a slice; counted, and rare if ever).
                shortReads++;
                read.aio_buf = in.asSlice(got);
                read.aio_nbytes = size - got;
                check(receiver, receiver.aio_read(read), "aio_read");
                got += complete(receiver, read, readDone);
            }
            long wrote = complete(sender, write, writeDone);
            if (wrote != size) {
                throw new IllegalStateException("aio: aio_write returned " + wrote + " of " + size);
            }
            received += got;
            return (int) got;
        }

        /** Steps the simulation until {@code cb} is done; its aio_return, which must be positive. */
        private long complete(Aio aio, aiocb cb, BooleanSupplier done) {
            if (!sim.runUntil(done, Long.MAX_VALUE)) {
                throw new IllegalStateException("aio: the simulation can make no progress");
            }
            long n = aio.aio_return(cb);
            if (n <= 0) {
                throw new IllegalStateException("aio: returned " + n + ", " + Aio.strerror(aio.aio_error(cb)));
            }
            return n;
        }

        @Override
        public int copies() {
            return 4;
        }

        @Override
        public String copyList() {
            return "out -> send ring (aio_write), send ring -> transmit buffer (TCP output), transmit buffer -> "
                    + "receive buffer (device B), receive buffer -> in (the waiting aio_read, direct)";
        }

        @Override
        public String diagnostics() {
            Map<String, Long> c = rt.counters();
            Map<String, Long> trouble = new TreeMap<>();
            copyTrouble(rt.node(0).counters(), "a.", trouble);
            copyTrouble(rt.node(1).counters(), "b.", trouble);
            return "bytes received " + received + ", of which taken direct by the waiting read "
                    + c.get("node.b.directBytes") + "; short reads " + shortReads + ", trouble " + trouble;
        }

        @Override
        public void close() {
            rt.close();
        }
    }
}
