package io.virtaio.aio;

import io.virtaio.aio.channels.StackChannelGroup;
import io.virtaio.aio.engine.Engine;
import io.virtaio.aio.engine.WaitRegistry;
import io.virtaio.aio.fd.Descriptor;
import io.virtaio.aio.fd.DescriptorTable;
import io.virtaio.aio.fs.FileWorkers;
import io.virtaio.aio.kernel.Kernel;
import io.virtaio.aio.kernel.OwnedMemory;
import io.virtaio.aio.loop.CpuAffinity;
import io.virtaio.aio.loop.EventLoop;
import io.virtaio.aio.net.NetNode;
import io.virtaio.aio.node.Node;
import io.virtaio.aio.node.NodeFactory;
import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.Signals;
import io.virtaio.netstack.StackConfig;
import io.virtaio.virtio.backend.LinkModel;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A POSIX AIO runtime: a descriptor table, file workers, zero or more network nodes (each a stack on its own event
 * loop), emulated signals, and the POSIX façade over them ({@link #aio()}).
 *
 * <pre>{@code
 * try (AioRuntime rt = AioRuntime.create()) {                 // files only
 *     Aio aio = rt.aio();
 *     int fd = aio.open("data.bin", O_CREAT | O_RDWR, 0600);
 *     aiocb cb = new aiocb(fd, rt.allocate(4096), 4096, 0);
 *     aio.aio_write(cb);
 *     aio.aio_suspend(new aiocb[] {cb}, 1, null);
 *     long n = aio.aio_return(cb);
 * }
 * try (AioRuntime rt = AioRuntime.builder().wiredPair().build()) {   // two stacks on one virtio wire
 *     int server = rt.aio(1).socket(AF_INET, SOCK_STREAM, 0);          // on 10.0.0.2
 *     int client = rt.aio(0).socket(AF_INET, SOCK_STREAM, 0);          // on 10.0.0.1
 *     ...
 * }
 * }</pre>
 *
 * <p>Network nodes come from {@link Builder#node} with a {@link NodeFactory} ({@link Nodes} has the usual ones:
 * a stack on a virtio-net device over any backend, two stacks on the in-process virtio wire). Node {@code i} is
 * reached through {@link #aio(int)} (its sockets) and {@link #node(int)} (its handle).
 *
 * <p>Threads it owns: {@code fileWorkers} platform threads for host file I/O, one platform thread per network node
 * (its event loop), one platform thread delivering signals, and, unless an executor is supplied, a virtual thread per
 * SIGEV_THREAD notification. All of them park when idle: an idle runtime uses no CPU.
 *
 * <p>Simulated mode ({@link Builder#simulated}): no loop, signal or notification thread; the nodes are stepped in
 * virtual time by the {@link #simulator()} on one thread, signals and SIGEV_THREAD notifications run on that
 * thread, and runs are reproducible.
 *
 * <p>{@link #close()} cancels what is queued, lets what is in progress finish (aborting it after the configured
 * grace period), delivers every notification exactly once, stops its threads and frees the native memory it owns.
 */
public final class AioRuntime implements AutoCloseable {
    private final AioConfig config;
    private final Kernel kernel;
    private final Signals signals;
    private final Simulator simulator;
    private final ExecutorService ownedExecutor;
    private final List<NetNode> netNodes;
    private final List<Aio> facades;
    private final List<StackChannelGroup> groups = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;

    private AioRuntime(AioConfig config, List<NodeSpec> nodeSpecs, Executor executor, Long simulatedStartNs) {
        this.config = config;
        this.simulator = simulatedStartNs != null ? new Simulator(simulatedStartNs) : null;
        LongSupplier clock = simulator != null ? simulator::nowNs : config.clock();
        Engine engine = new Engine(config.limits());
        DescriptorTable table = new DescriptorTable(config.openMax());
        WaitRegistry waits = new WaitRegistry();
        OwnedMemory memory = new OwnedMemory();
        FileWorkers files = new FileWorkers(config.name() + "-file", config.fileWorkers(), config.openMax());
        List<NetNode> nodes = new ArrayList<>();
        Signals sig = null;
        int[] cpus = simulator == null && config.pinLoops() ? CpuAffinity.allowed() : new int[0];
        try {
            for (NodeSpec spec : nodeSpecs) {
                String name = config.name() + "-" + spec.name();
                EventLoop loop = new EventLoop(name, config.loopRingCapacity(), config.backoff(), clock);
                if (cpus.length > 0) {
                    loop.pinTo(cpus[nodes.size() % cpus.length]);
                }
                NetNode node = new NetNode(spec.name(), nodes.size(), loop, spec.factory(), clock.getAsLong());
                nodes.add(node);
                if (simulator != null) {
                    loop.attach(node, Thread.currentThread(), node);
                } else {
                    loop.start(node, node);
                }
            }
            sig = new Signals(config.name(), config.aioMax(), config.sigqueueMax(), waits, simulator == null);
        } catch (RuntimeException | Error e) {
            for (NetNode n : nodes) {
                n.loop().close();
            }
            for (NetNode n : nodes) {
                n.close();
            }
            if (sig != null) {
                sig.close();
            }
            shutdownQuietly(files);
            files.close();
            throw e;
        }
        this.netNodes = List.copyOf(nodes);
        this.kernel = new Kernel(engine, table, files, nodes, waits, memory, clock, simulator, config.backoff());
        this.signals = sig;
        Executor notify;
        if (executor != null) {
            notify = executor;
            this.ownedExecutor = null;
        } else if (simulator != null) {
            notify = simulator.notificationExecutor();
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name(config.name() + "-notify-", 0).factory());
            notify = ownedExecutor;
        }
        if (simulator != null) {
            List<EventLoop> loops = new ArrayList<>();
            for (NetNode n : nodes) {
                loops.add(n.loop());
            }
            simulator.attach(loops, sig);
        }
        List<Aio> f = new ArrayList<>();
        for (int i = 0; i < Math.max(1, nodes.size()); i++) {
            f.add(new Aio(kernel, signals, notify, i));
        }
        this.facades = List.copyOf(f);
    }

    /** A runtime with the default configuration and no network nodes (files only). */
    public static AioRuntime create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The POSIX façade; its sockets are created on node 0. */
    public Aio aio() {
        return facades.get(0);
    }

    /** The POSIX façade whose sockets are created on network node {@code node}; descriptors are shared. */
    public Aio aio(int node) {
        return facades.get(node);
    }

    /** Number of network nodes. */
    public int nodes() {
        return netNodes.size();
    }

    /** Network node {@code index} (in the order they were added to the builder). */
    public Node node(int index) {
        return netNodes.get(index);
    }

    /**
     * A group for Java channels on network node {@code node} whose completion handlers (and futures' dependent
     * stages) run on a new virtual thread each — in a simulated runtime, inline on the simulation thread, so runs
     * stay reproducible. The runtime shuts it down when it closes.
     */
    public StackChannelGroup channelGroup(int node) {
        return channelGroup(node, isSimulated() ? StackChannelGroup.LOOP_THREAD : null);
    }

    /**
     * A group for Java channels on network node {@code node} whose handlers run on {@code handlers}; pass
     * {@link StackChannelGroup#LOOP_THREAD} to run them inline on the node's loop thread (lowest latency; a handler
     * must then never block). The runtime does not shut {@code handlers} down.
     */
    public StackChannelGroup channelGroup(int node, Executor handlers) {
        if (closing.get()) {
            throw new IllegalStateException("runtime closed");
        }
        StackChannelGroup g = new StackChannelGroup(kernel, netNodes.get(node), handlers);
        groups.add(g);
        return g;
    }

    /** The simulation driving a simulated runtime. */
    public Simulator simulator() {
        if (simulator == null) {
            throw new IllegalStateException("not a simulated runtime: build it with AioRuntime.builder().simulated(...)");
        }
        return simulator;
    }

    /** True for a runtime built with {@link Builder#simulated}. */
    public boolean isSimulated() {
        return simulator != null;
    }

    public AioConfig config() {
        return config;
    }

    /**
     * A zeroed native buffer owned by the runtime, usable as aio_buf from any thread; freed by {@link #free} or
     * when the runtime closes. Allocate at setup and reuse: each allocation costs a global handshake.
     */
    public MemorySegment allocate(long byteSize) {
        return kernel.memory().allocate(byteSize, 64);
    }

    public MemorySegment allocate(long byteSize, long byteAlignment) {
        return kernel.memory().allocate(byteSize, byteAlignment);
    }

    /** Frees a buffer from {@link #allocate}; false if it is not one, or is being accessed right now. */
    public boolean free(MemorySegment buffer) {
        return kernel.memory().free(buffer);
    }

    /** Asynchronous requests outstanding plus synchronous calls in progress. */
    public int inFlight() {
        return kernel.engine().inFlight();
    }

    /**
     * Native bytes the runtime owns: buffers from {@link #allocate}, its own scratch memory and its nodes' guest
     * memory (virtqueues and frame buffers). 0 once closed.
     */
    public long ownedMemoryBytes() {
        long n = kernel.memory().bytes() + kernel.files().ownedBytes();
        for (NetNode node : netNodes) {
            n += node.nativeBytes();
        }
        return n;
    }

    /** Descriptor numbers in use: open descriptors and closed ones whose requests are still outstanding. */
    public int descriptorsInUse() {
        return kernel.table().inUse();
    }

    /** Threads of the runtime still running (file workers, event loops, signal delivery). */
    public int threadsAlive() {
        int n = kernel.files().aliveThreads() + (signals.isAlive() ? 1 : 0);
        for (NetNode node : netNodes) {
            n += node.loop().hasLiveThread() ? 1 : 0;
        }
        return n;
    }

    /** Every counter of the runtime by name: requests, loops, signals, memory, descriptors. */
    public Map<String, Long> counters() {
        Map<String, Long> c = new TreeMap<>();
        kernel.engine().counters(c);
        signals.counters(c);
        for (NetNode n : netNodes) {
            n.counters(c);
        }
        c.put("descriptors.inUse", (long) kernel.table().inUse());
        c.put("memory.ownedBytes", ownedMemoryBytes());
        c.put("threads.alive", (long) threadsAlive());
        return c;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the runtime: new requests fail (EAGAIN; descriptor calls EBADF), every descriptor is closed, so queued
     * requests are canceled (ECANCELED, with their notifications); requests in progress may finish during the
     * grace period and are aborted after it (ECANCELED, or the bytes already moved). Then every notification has
     * been delivered exactly once, the threads stop, the nodes' stacks, devices and guest memory are released and
     * the native memory is freed. Idempotent. Do not call it from a notification or signal handler of this
     * runtime: it waits for them. A simulated runtime is closed on the simulation thread, which steps the
     * simulation (in virtual time) while in-progress requests finish.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        kernel.markClosed();
        for (StackChannelGroup g : groups) {
            try {
                // Channels fail their pending operations with AsynchronousCloseException (the JDK's close).
                g.shutdownNow();
            } catch (java.io.IOException e) {
                // closing a channel does not fail; nothing to report at shutdown
            }
        }
        kernel.table().closeAll();
        if (!awaitQuiet(config.closeGraceNs())) {
            for (Descriptor d : kernel.table().descriptors()) {
                d.abortInProgress();
            }
            for (NetNode n : netNodes) {
                n.abortAll();
            }
            awaitQuiet(config.closeGraceNs());
        }
        for (StackChannelGroup g : groups) {
            g.shutdown();
        }
        shutdownQuietly(kernel.files());
        // Every loop stops before any host closes: a wire delivers into its peer's guest memory from the sender's loop.
        for (NetNode n : netNodes) {
            n.loop().close();
        }
        for (NetNode n : netNodes) {
            n.close();
        }
        signals.close();
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
            try {
                ownedExecutor.awaitTermination(config.closeGraceNs(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        kernel.files().close();
        kernel.memory().close();
        closed = true;
    }

    /** Waits until nothing is in flight; false if {@code timeoutNs} passed first (virtual time when simulated). */
    private boolean awaitQuiet(long timeoutNs) {
        if (simulator != null) {
            return simulator.runUntil(() -> kernel.engine().inFlight() == 0, simulator.nowNs() + timeoutNs);
        }
        long deadline = kernel.nowNs() + timeoutNs;
        while (kernel.engine().inFlight() > 0) {
            if (kernel.nowNs() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(this, 1_000_000L);
        }
        return true;
    }

    private static void shutdownQuietly(FileWorkers files) {
        try {
            files.shutdown(5_000_000_000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record NodeSpec(String name, NodeFactory factory) {
    }

    /** Builds a runtime: its configuration, its network nodes, its notification executor, its mode. */
    public static final class Builder {
        private AioConfig config = AioConfig.defaults();
        private final List<NodeSpec> nodes = new ArrayList<>();
        private Executor executor;
        private Long simulatedStartNs;

        private Builder() {
        }

        public Builder config(AioConfig c) {
            config = Objects.requireNonNull(c);
            return this;
        }

        /**
         * Adds a network node, built by {@code factory} once its event loop exists; nodes are numbered in the order
         * they are added. See {@link Nodes} for the usual factories.
         */
        public Builder node(String name, NodeFactory factory) {
            nodes.add(new NodeSpec(Objects.requireNonNull(name), Objects.requireNonNull(factory)));
            return this;
        }

        /**
         * Adds two nodes, "a" at {@link Nodes#ADDRESS_A} 10.0.0.1/24 and "b" at {@link Nodes#ADDRESS_B}
         * 10.0.0.2/24, each a stack on a virtio-net device, joined by the in-process virtio wire (frames go straight
         * across): the embedded default. Each gets its own loop thread.
         */
        public Builder wiredPair() {
            Nodes.Pair p = Nodes.wired();
            return node("a", p.a()).node("b", p.b());
        }

        /** As {@link #wiredPair()}, with the given stacks and link model (rate, delay) in each direction. */
        public Builder wiredPair(StackConfig a, StackConfig b, LinkModel link) {
            Nodes.Pair p = Nodes.wired(a, b, link);
            return node("a", p.a()).node("b", p.b());
        }

        /**
         * Runs SIGEV_THREAD notifications without sigev_notify_attributes on {@code e} instead of a virtual thread
         * each; the runtime does not shut it down. An executor that runs tasks inline runs them on the completing
         * thread (a file worker or an event loop), which then must not block.
         */
        public Builder notificationExecutor(Executor e) {
            executor = Objects.requireNonNull(e);
            return this;
        }

        /**
         * Simulated mode: virtual time starting at {@code startNs}, no loop, signal or notification threads; the
         * nodes are stepped by {@link AioRuntime#simulator()} on one thread (at first the building thread).
         * The configuration's clock is not used.
         */
        public Builder simulated(long startNs) {
            if (startNs < 0) {
                throw new IllegalArgumentException("virtual time starts at >= 0: " + startNs);
            }
            simulatedStartNs = startNs;
            return this;
        }

        public AioRuntime build() {
            return new AioRuntime(config, nodes, executor, simulatedStartNs);
        }
    }
}
