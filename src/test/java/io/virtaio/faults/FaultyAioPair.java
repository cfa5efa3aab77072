package io.virtaio.faults;

import static io.virtaio.aio.posix.Aio.AF_INET;
import static io.virtaio.aio.posix.Aio.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.Simulator;
import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.netstack.Errno;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.sim.FaultInjection;
import io.virtaio.netstack.tcp.TcpConfig;
import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.LinkModel;
import io.virtaio.virtio.backend.Wire;
import io.virtaio.virtio.fault.DeviceFaultPlan;
import io.virtaio.virtio.fault.DeviceFaults;
import io.virtaio.virtio.fault.FaultPlan;
import io.virtaio.virtio.fault.FaultSchedule;
import io.virtaio.virtio.fault.FaultSpec;
import io.virtaio.virtio.fault.FaultStage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A simulated AIO runtime (virtual time, one thread) with two network nodes on virtio-net devices joined by a
 * modelled wire (1 Gbit/s, 100 µs each way): node 0 "a" (10.0.0.1, the client) on a backend wrapped in the fault
 * machinery, node 1 "b" (10.0.0.2, the server) on the bare other end. After {@link #connect} and {@link #streams},
 * the two ends send each other seeded payload through aio_write and receive it through aio_read ({@link StreamEnd}):
 * the client with SIGEV_THREAD notifications, the server with SIGEV_NONE, both reaping by aio_error. The test thread
 * is the simulation thread: blocking calls (connect, accept, aio_suspend) step the simulation until they return.
 */
final class FaultyAioPair implements AutoCloseable {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;
    static final long SECOND = 1_000_000_000L;
    static final int PORT = 5001;

    final long seed;
    final AioRuntime rt;
    final Simulator sim;
    final Aio a;
    final Aio b;
    /** The network fault stage on node a's wire end (null when built from a spec: see {@link #injection}). */
    final FaultStage stage;
    /** The device-level faults of node a's device (null when built from a spec). */
    final DeviceFaults faults;
    /** The spec's injector, when built from a spec. */
    final FaultInjection injection;
    int listener = -1;
    int clientFd = -1;
    int serverFd = -1;
    StreamEnd client;
    StreamEnd server;

    private FaultyAioPair(long seed, TcpConfig tcpA, TcpConfig tcpB, FaultStage stage, DeviceFaults faults,
                          FaultInjection injection, UnaryOperator<Backend> wrapA, Wire wire) {
        this.seed = seed;
        this.stage = stage;
        this.faults = faults;
        this.injection = injection;
        StackConfig sa = StackConfig.of(Nodes.ADDRESS_A, Nodes.PREFIX_LENGTH).withTcp(tcpA).withSeed(seed * 31 + 1);
        StackConfig sb = StackConfig.of(Nodes.ADDRESS_B, Nodes.PREFIX_LENGTH).withTcp(tcpB).withSeed(seed * 31 + 2);
        this.rt = AioRuntime.builder()
                .config(AioConfig.builder().name("aio-faults").build())
                .node("a", Nodes.virtio(sa, wrapA.apply(wire.a())))
                .node("b", Nodes.virtio(sb, wire.b()))
                .simulated(0)
                .build();
        this.sim = rt.simulator();
        this.a = rt.aio(0);
        this.b = rt.aio(1);
    }

    /** Node a's device behind {@code DeviceFaults(FaultStage(wire end, network), device)}; stacks with {@code tcp}. */
    static FaultyAioPair of(long seed, FaultPlan network, DeviceFaultPlan device, TcpConfig tcp) {
        return of(seed, network, device, tcp, tcp);
    }

    /** As {@link #of(long, FaultPlan, DeviceFaultPlan, TcpConfig)}, with node a's TCP and node b's TCP apart. */
    static FaultyAioPair of(long seed, FaultPlan network, DeviceFaultPlan device, TcpConfig tcpA, TcpConfig tcpB) {
        Wire wire = Wire.create(LinkModel.DEFAULT);
        FaultStage stage = new FaultStage(wire.a(), network, seed);
        DeviceFaults faults = new DeviceFaults(stage, device, seed + 1);
        return new FaultyAioPair(seed, tcpA, tcpB, stage, faults, null, end -> faults, wire);
    }

    static FaultyAioPair of(long seed, DeviceFaultPlan device) {
        return of(seed, FaultPlan.NONE, device, TcpConfig.defaults());
    }

    /** Node a's device behind what {@code spec} asks for, as {@code ./virtaio sim --faults} builds it. */
    static FaultyAioPair of(long seed, FaultSpec spec, TcpConfig tcp) {
        Wire wire = Wire.create(LinkModel.DEFAULT);
        FaultInjection injection = new FaultInjection(spec, FaultSchedule.NONE, 1500, null);
        return new FaultyAioPair(seed, tcp, tcp, null, null, injection, end -> injection.wrap(0, seed, end), wire);
    }

    /** Server listens on b; the client on a connects (stepping the simulation); the server accepts. */
    FaultyAioPair connect() {
        listener = b.socket(AF_INET, SOCK_STREAM, 0);
        assertTrue(listener >= 0, () -> "socket: " + Errno.name(b.errno()));
        assertEquals(0, b.bind(listener, new sockaddr_in(Nodes.ADDRESS_B, PORT)), () -> Errno.name(b.errno()));
        assertEquals(0, b.listen(listener, 4), () -> Errno.name(b.errno()));
        clientFd = a.socket(AF_INET, SOCK_STREAM, 0);
        assertTrue(clientFd >= 0, () -> "socket: " + Errno.name(a.errno()));
        assertEquals(0, a.connect(clientFd, new sockaddr_in(Nodes.ADDRESS_B, PORT)),
                () -> "seed " + seed + ": connect: " + Errno.name(a.errno()));
        serverFd = b.accept(listener, null);
        assertTrue(serverFd >= 0, () -> "seed " + seed + ": accept: " + Errno.name(b.errno()));
        return this;
    }

    /** Sets up the two-way stream of {@code bytes} each way (nothing is submitted before the first round). */
    FaultyAioPair streams(long bytes) {
        return streams(bytes, bytes);
    }

    /** Sets up streams of {@code up} bytes from client to server and {@code down} bytes back. */
    FaultyAioPair streams(long up, long down) {
        client = new StreamEnd("client", a, clientFd, up, down, seed * 7 + 1, true, n -> rt.allocate(n));
        server = new StreamEnd("server", b, serverFd, down, up, seed * 7 + 2, false, n -> rt.allocate(n));
        return this;
    }

    /**
     * Pumps both streams until {@code done} holds; fails, naming the seed, if virtual time passes {@code limitNs}
     * or nothing can ever happen again (a hang).
     */
    void runUntil(BooleanSupplier done, long limitNs) {
        Simulator.Outcome o = sim.run(now -> {
            if (client != null) {
                client.pump(now);
                server.pump(now);
            }
            return done.getAsBoolean();
        }, limitNs);
        if (o != Simulator.Outcome.DONE) {
            Map<String, Long> faults = faultCounters();
            Map<String, Long> all = counters();
            faults.values().removeIf(v -> v == 0);
            all.values().removeIf(v -> v == 0);
            fail("seed " + seed + ": " + o + " at t=" + sim.nowNs() + " ns: " + client + " " + server
                    + "\ninjected: " + faults + "\ncounters: " + all);
        }
    }

    /** Pumps the streams, if any, until virtual time reaches {@code ns}. */
    void runTo(long ns) {
        runUntil(() -> sim.nowNs() >= ns, ns + 60 * SECOND);
    }

    /** Runs the two-way stream to its end: both ends complete, bounded by {@code limitNs} of virtual time. */
    void runToCompletion(long limitNs) {
        runUntil(() -> client.complete() && server.complete(), limitNs);
    }

    /** The virtual time of every completion, the client's then the server's, each in reaping order. */
    List<Long> completionTimes() {
        List<Long> times = new ArrayList<>();
        client.completions().forEach(c -> times.add(c.atNs()));
        server.completions().forEach(c -> times.add(c.atNs()));
        return times;
    }

    /** Everything both ends sent arrived, byte for byte, and every request reported success. */
    void assertIntact() {
        assertTrue(client.complete() && server.complete(), () -> client + " " + server);
        assertEquals(client.sentHash(), server.receivedHash(), "seed " + seed + ": client to server, SHA-256");
        assertEquals(server.sentHash(), client.receivedHash(), "seed " + seed + ": server to client, SHA-256");
        for (StreamEnd e : new StreamEnd[] {client, server}) {
            assertEquals(List.of(), e.problems(), "seed " + seed);
            for (StreamEnd.Completion c : e.completions()) {
                // Every write moved all its bytes, every read got at least one: error 0 and a byte count.
                boolean ok = c.error() == 0
                        && (c.write() ? c.ret() == c.nbytes() : c.ret() > 0 && c.ret() <= c.nbytes());
                assertTrue(ok, () -> "seed " + seed + ": " + e.name() + " " + c);
            }
            assertEquals(e.submissions(), e.completions().size(), "every request completed once");
        }
        assertEquals(client.submissions(), client.notifications(), "one SIGEV_THREAD notification per request");
    }

    /** A counter of node {@code node}'s stack, driver or device ({@code "stack.device_resets"}), 0 if absent. */
    long counter(int node, String name) {
        return rt.node(node).counters().getOrDefault("node." + rt.node(node).name() + "." + name, 0L);
    }

    /** Every counter of both nodes (stack, driver, device), without the loop's own (rounds depend on nothing else). */
    Map<String, Long> counters() {
        Map<String, Long> all = new TreeMap<>(rt.node(0).counters());
        all.putAll(rt.node(1).counters());
        all.keySet().removeIf(k -> k.startsWith("loop."));
        return all;
    }

    /** What the fault machinery injected. */
    Map<String, Long> faultCounters() {
        if (injection != null) {
            return injection.counters();
        }
        Map<String, Long> m = new TreeMap<>();
        stage.toMap().forEach((k, v) -> m.put("fault." + k, v));
        faults.counters().forEach((k, v) -> m.put("device_fault." + k, v));
        return m;
    }

    @Override
    public void close() {
        rt.close();
    }
}
