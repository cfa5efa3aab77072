package io.virtaio.netstack.sim;

import io.virtaio.netstack.Socket;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.host.VirtioHost;
import io.virtaio.netstack.tcp.TcpConfig;
import io.virtaio.netstack.tcp.TcpSocket;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.LinkModel;
import io.virtaio.virtio.backend.Wire;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * TCP transfers between two hosts on virtio-net devices joined by a modelled wire, run in virtual time by a
 * {@link Simulation}: host A (198.18.0.1) connects {@code connections} times to host B (198.18.0.2) and sends
 * {@code bytes} in total (split evenly), optionally B sends as much back at the same time; every byte is checked with
 * SHA-256 at the receiver against the digest of what the sender generated. The payload is pseudo-random from the
 * seed, so a run is reproducible frame for frame.
 *
 * <p>This is the engine behind {@code ./virtaio sim} and the end-to-end transfer tests.
 */
public final class TransferScenario {
    public static final int ADDRESS_A = Ipv4Address.parse("198.18.0.1");
    public static final int ADDRESS_B = Ipv4Address.parse("198.18.0.2");
    public static final int PORT = 5001;
    /** A transfer that makes no progress for this long (virtual time) has stalled. */
    public static final long DEFAULT_STALL_NS = 10L * 60 * 1_000_000_000L;
    private static final int CHUNK = 64 * 1024;

    /**
     * What to run.
     *
     * @param bytes       payload bytes from A to B in total (and from B to A when {@code bothWays})
     * @param connections parallel connections sharing the bytes
     * @param bothWays    B sends as much to A at the same time
     * @param mtu         device MTU on both hosts
     * @param link        rate, delay and queue of the wire, per direction
     * @param seed        seeds the payload, the stacks and the impairment
     * @param tcp         TCP configuration of both stacks
     * @param impairment  wraps each host's backend (e.g. a loss or fault stage; identity for none); called with the
     *                    host index 0 (A) or 1 (B)
     * @param stallNs     virtual time without progress after which the run counts as stalled
     */
    public record Options(long bytes, int connections, boolean bothWays, int mtu, LinkModel link, long seed,
                          TcpConfig tcp, Impairment impairment, long stallNs) {
        public Options {
            if (bytes < 0 || connections < 1 || mtu < 68 || mtu > 65535 || stallNs <= 0) {
                throw new IllegalArgumentException("bad transfer options: bytes " + bytes + ", connections "
                        + connections + ", mtu " + mtu);
            }
        }

        /** One connection, A to B, 1500-byte MTU, the default link (1 Gbit/s, 100 µs), no impairment. */
        public static Options of(long bytes) {
            return new Options(bytes, 1, false, 1500, LinkModel.DEFAULT, 1, TcpConfig.defaults(), Impairment.NONE,
                    DEFAULT_STALL_NS);
        }

        public Options withConnections(int n) {
            return new Options(bytes, n, bothWays, mtu, link, seed, tcp, impairment, stallNs);
        }

        public Options withBothWays(boolean on) {
            return new Options(bytes, connections, on, mtu, link, seed, tcp, impairment, stallNs);
        }

        public Options withMtu(int m) {
            return new Options(bytes, connections, bothWays, m, link, seed, tcp, impairment, stallNs);
        }

        public Options withLink(LinkModel l) {
            return new Options(bytes, connections, bothWays, mtu, l, seed, tcp, impairment, stallNs);
        }

        public Options withSeed(long s) {
            return new Options(bytes, connections, bothWays, mtu, link, s, tcp, impairment, stallNs);
        }

        public Options withTcp(TcpConfig t) {
            return new Options(bytes, connections, bothWays, mtu, link, seed, t, impairment, stallNs);
        }

        public Options withImpairment(Impairment i) {
            return new Options(bytes, connections, bothWays, mtu, link, seed, tcp, i, stallNs);
        }

        public Options withStall(long ns) {
            return new Options(bytes, connections, bothWays, mtu, link, seed, tcp, impairment, ns);
        }
    }

    /** Wraps a host's backend; the host index is 0 for A, 1 for B. */
    @FunctionalInterface
    public interface Impairment {
        Impairment NONE = (host, seed, backend) -> backend;

        Backend wrap(int host, long seed, Backend backend);
    }

    /**
     * What happened.
     *
     * @param bytesDelivered payload bytes received in order, both directions together
     * @param intact         every stream arrived complete with the sender's SHA-256
     * @param stalled        no progress for the stall time
     * @param failures       connections that ended with an error (errno names), or digest mismatches
     * @param virtualNs      virtual time from start to the last byte
     * @param wallNs         wall-clock time of the run
     * @param digest         SHA-256 over the per-connection digests (identifies the payload)
     * @param countersA      host A's counters at the end
     * @param countersB      host B's counters at the end
     */
    public record Result(long bytesDelivered, boolean intact, boolean stalled, List<String> failures, long virtualNs,
                         long wallNs, String digest, Map<String, Long> countersA, Map<String, Long> countersB) {
        /** Goodput in bits per second of virtual time (both directions together). */
        public double goodputBitsPerSecond() {
            return virtualNs == 0 ? 0 : bytesDelivered * 8e9 / virtualNs;
        }

        /** A counter summed over both hosts. */
        public long total(String counter) {
            return countersA.getOrDefault(counter, 0L) + countersB.getOrDefault(counter, 0L);
        }
    }

    private TransferScenario() {
    }

    /** Runs the transfer to completion, failure or stall. */
    public static Result run(Options o) {
        return run(o, sim -> { });
    }

    /** Runs the transfer; {@code onStart} sees the simulation and hosts before the first poll (for captures). */
    public static Result run(Options o, java.util.function.Consumer<Run> onStart) {
        try (Run r = new Run(o)) {
            onStart.accept(r);
            return r.execute();
        }
    }

    /** A run in progress: its hosts and simulation. */
    public static final class Run implements AutoCloseable {
        private final Options o;
        private final Simulation sim = new Simulation(0);
        private final VirtioHost a;
        private final VirtioHost b;
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment chunk;
        private final ByteBuffer chunkView;
        private final List<Flow> flows = new ArrayList<>();
        private TcpSocket listener;
        private long delivered;
        private long lastProgressNs;
        private int finished;

        Run(Options o) {
            this.o = o;
            Wire wire = Wire.create(o.link());
            StackConfig base = StackConfig.of(ADDRESS_A, 24).withTcp(o.tcp())
                    .withMaxSockets(Math.max(4096, 2 * o.connections() + 16));
            VirtioNetDevice.Config dev = VirtioNetDevice.Config.defaults().withMtu(o.mtu());
            VirtioNetDriver.Config drv = VirtioNetDriver.Config.defaults();
            UnaryOperator<Backend> wrapA = be -> o.impairment().wrap(0, o.seed(), be);
            UnaryOperator<Backend> wrapB = be -> o.impairment().wrap(1, o.seed(), be);
            this.a = sim.add(new VirtioHost(dev.withMac(0x02_00_00_00_00_01L), drv, base.withSeed(o.seed() * 31 + 1),
                    wrapA.apply(wire.a()), 0));
            this.b = sim.add(new VirtioHost(dev.withMac(0x02_00_00_00_00_02L), drv,
                    StackConfig.of(ADDRESS_B, 24).withTcp(o.tcp()).withMaxSockets(base.maxSockets())
                            .withSeed(o.seed() * 31 + 2), wrapB.apply(wire.b()), 0));
            this.chunk = arena.allocate(CHUNK, 64);
            this.chunkView = chunk.asByteBuffer();
        }

        public Simulation simulation() {
            return sim;
        }

        public VirtioHost hostA() {
            return a;
        }

        public VirtioHost hostB() {
            return b;
        }

        Result execute() {
            long wallStart = System.nanoTime();
            listener = b.stack().tcpSocket();
            check(listener.bind(0, PORT), "bind");
            check(listener.listen(Math.min(4096, o.connections() + 16)), "listen");
            long perFlow = o.bytes() / o.connections();
            for (int i = 0; i < o.connections(); i++) {
                long share = perFlow + (i < o.bytes() % o.connections() ? 1 : 0);
                Flow f = new Flow(i, share, o.bothWays() ? share : 0, o.seed());
                f.client = a.stack().tcpSocket();
                f.client.attach(f);
                int rc = f.client.connect(ADDRESS_B, PORT);
                if (rc != -io.virtaio.netstack.Errno.EINPROGRESS) {
                    throw new IllegalStateException("connect: " + io.virtaio.netstack.Errno.name(rc));
                }
                flows.add(f);
            }
            boolean[] stalled = {false};
            Simulation.Outcome outcome = sim.run(now -> {
                a.stack().drainEvents((s, readiness) -> onEvent(s));
                b.stack().drainEvents((s, readiness) -> onEvent(s));
                if (finished == flows.size()) {
                    return true;
                }
                if (now - lastProgressNs > o.stallNs()) {
                    stalled[0] = true;
                    return true;
                }
                return false;
            }, Long.MAX_VALUE);
            long virtual = sim.nowNs();
            List<String> failures = new ArrayList<>();
            boolean intact = finished == flows.size() && !stalled[0] && outcome == Simulation.Outcome.DONE;
            MessageDigest all = sha256();
            for (Flow f : flows) {
                f.verify(failures);
                all.update(f.sentDigestA);
            }
            intact &= failures.isEmpty();
            if (outcome == Simulation.Outcome.DEADLOCK) {
                failures.add("deadlock: nothing scheduled before the transfer finished");
            }
            return new Result(delivered, intact, stalled[0], failures, lastProgressNs, System.nanoTime() - wallStart,
                    HexFormat.of().formatHex(all.digest()), new LinkedHashMap<>(a.counters()),
                    new LinkedHashMap<>(b.counters()));
        }

        private void onEvent(Socket s) {
            if (s == listener) {
                TcpSocket accepted;
                while ((accepted = listener.accept()) != null) {
                    int clientPort = accepted.remotePort();
                    for (Flow f : flows) {
                        if (f.server == null && f.client.localPort() == clientPort) {
                            f.server = accepted;
                            accepted.attach(f);
                            pump(f);
                            break;
                        }
                    }
                }
                return;
            }
            if (s.attachment() instanceof Flow f) {
                pump(f);
            }
        }

        /** Moves whatever can move on both ends of a flow. */
        private void pump(Flow f) {
            if (f.done) {
                return;
            }
            f.sendFrom(f.client, true);
            f.receiveInto(f.server, true);
            f.sendFrom(f.server, false);
            f.receiveInto(f.client, false);
            if (f.complete()) {
                f.done = true;
                finished++;
                f.client.close();
                if (f.server != null) {
                    f.server.close();
                }
            }
        }

        @Override
        public void close() {
            try {
                a.close();
            } finally {
                try {
                    b.close();
                } finally {
                    arena.close();
                }
            }
        }

        /** One connection's two byte streams: A→B (client sends) and B→A (server sends). */
        private final class Flow {
            final int index;
            final long toB;
            final long toA;
            final SplittableRandom genA;
            final SplittableRandom genB;
            final MessageDigest sentA = sha256();
            final MessageDigest sentB = sha256();
            final MessageDigest recvB = sha256();
            final MessageDigest recvA = sha256();
            byte[] sentDigestA;
            TcpSocket client;
            TcpSocket server;
            long sentToB;
            long sentToA;
            long gotAtB;
            long gotAtA;
            boolean eofAtB;
            boolean eofAtA;
            boolean shutA;
            boolean shutB;
            boolean done;
            String error;
            // The chunk being sent on each side: generated once, sent in as many pieces as the buffer takes.
            final MemorySegment pendingA;
            final MemorySegment pendingB;
            int pendingOffA = CHUNK;
            int pendingLenA = CHUNK;
            int pendingOffB = CHUNK;
            int pendingLenB = CHUNK;

            Flow(int index, long toB, long toA, long seed) {
                this.index = index;
                this.toB = toB;
                this.toA = toA;
                this.genA = new SplittableRandom(seed * 1_000_003L + index * 2L);
                this.genB = new SplittableRandom(seed * 1_000_003L + index * 2L + 1);
                this.pendingA = arena.allocate(CHUNK, 8);
                this.pendingB = toA > 0 ? arena.allocate(CHUNK, 8) : pendingA;
            }

            void sendFrom(TcpSocket s, boolean fromClient) {
                if (s == null || error != null) {
                    return;
                }
                long total = fromClient ? toB : toA;
                MemorySegment buf = fromClient ? pendingA : pendingB;
                while (true) {
                    long sent = fromClient ? sentToB : sentToA;
                    if (sent == total) {
                        if (fromClient && !shutA || !fromClient && !shutB) {
                            int rc = s.shutdown(TcpSocket.SHUT_WR);
                            if (rc == -io.virtaio.netstack.Errno.ENOTCONN) {
                                return;
                            }
                            if (fromClient) {
                                shutA = true;
                            } else {
                                shutB = true;
                            }
                        }
                        return;
                    }
                    int off = fromClient ? pendingOffA : pendingOffB;
                    int len = fromClient ? pendingLenA : pendingLenB;
                    if (off == len) {
                        len = (int) Math.min(CHUNK, total - sent);
                        fill(buf, len, fromClient ? genA : genB, fromClient ? sentA : sentB);
                        off = 0;
                    }
                    int n = s.send(buf, off, len - off);
                    if (n <= 0) {
                        if (n < 0 && n != -io.virtaio.netstack.Errno.EAGAIN
                                && n != -io.virtaio.netstack.Errno.ENOTCONN) {
                            error = (fromClient ? "A" : "B") + " send: " + io.virtaio.netstack.Errno.name(n);
                        }
                        store(fromClient, off, len);
                        return;
                    }
                    off += n;
                    if (fromClient) {
                        sentToB += n;
                    } else {
                        sentToA += n;
                    }
                    store(fromClient, off, len);
                }
            }

            private void store(boolean fromClient, int off, int len) {
                if (fromClient) {
                    pendingOffA = off;
                    pendingLenA = len;
                } else {
                    pendingOffB = off;
                    pendingLenB = len;
                }
            }

            void receiveInto(TcpSocket s, boolean atServer) {
                if (s == null || error != null || (atServer ? eofAtB : eofAtA)) {
                    return;
                }
                MessageDigest d = atServer ? recvB : recvA;
                while (true) {
                    int n = s.recv(chunk, 0, CHUNK);
                    if (n > 0) {
                        chunkView.clear().limit(n);
                        d.update(chunkView);
                        delivered += n;
                        lastProgressNs = sim.nowNs();
                        if (atServer) {
                            gotAtB += n;
                        } else {
                            gotAtA += n;
                        }
                        continue;
                    }
                    if (n == 0) {
                        if (atServer) {
                            eofAtB = true;
                        } else {
                            eofAtA = true;
                        }
                    } else if (n != -io.virtaio.netstack.Errno.EAGAIN && n != -io.virtaio.netstack.Errno.ENOTCONN) {
                        error = (atServer ? "B" : "A") + " recv: " + io.virtaio.netstack.Errno.name(n);
                    }
                    return;
                }
            }

            boolean complete() {
                return error != null || eofAtB && (toA == 0 ? true : eofAtA);
            }

            void verify(List<String> failures) {
                sentDigestA = sentA.digest();
                if (error != null) {
                    failures.add("connection " + index + ": " + error);
                    return;
                }
                if (!eofAtB || gotAtB != toB || !Arrays.equals(sentDigestA, recvB.digest())) {
                    failures.add("connection " + index + ": A->B got " + gotAtB + " of " + toB + " bytes"
                            + (eofAtB ? ", digest " + (gotAtB == toB ? "MISMATCH" : "n/a") : ", no EOF"));
                }
                if (toA > 0 && (!eofAtA || gotAtA != toA || !Arrays.equals(sentB.digest(), recvA.digest()))) {
                    failures.add("connection " + index + ": B->A got " + gotAtA + " of " + toA + " bytes");
                }
            }
        }

        private void fill(MemorySegment buf, int len, SplittableRandom gen, MessageDigest digest) {
            int i = 0;
            for (; i + 8 <= len; i += 8) {
                buf.set(ValueLayout.JAVA_LONG_UNALIGNED, i, gen.nextLong());
            }
            for (; i < len; i++) {
                buf.set(ValueLayout.JAVA_BYTE, i, (byte) gen.nextInt());
            }
            digest.update(buf.asSlice(0, len).asByteBuffer());
        }
    }

    private static void check(int rc, String what) {
        if (rc < 0) {
            throw new IllegalStateException(what + ": " + io.virtaio.netstack.Errno.name(rc));
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
