package io.virtaio.aio;

import io.virtaio.aio.engine.Engine;
import io.virtaio.aio.engine.WaitRegistry;
import io.virtaio.aio.fd.Descriptor;
import io.virtaio.aio.fd.DescriptorTable;
import io.virtaio.aio.fs.FileWorkers;
import io.virtaio.aio.kernel.Kernel;
import io.virtaio.aio.kernel.OwnedMemory;
import io.virtaio.aio.net.NetNode;
import io.virtaio.aio.net.NodeFactory;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.Signals;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A POSIX AIO runtime: a descriptor table, file workers, zero or more network nodes (each a stack on its own event
 * loop), emulated signals, and the POSIX façade over them ({@link #aio()}).
 *
 * <pre>{@code
 * try (AioRuntime rt = AioRuntime.create()) {
 *     Aio aio = rt.aio();
 *     int fd = aio.open("/tmp/x", O_CREAT | O_RDWR, 0600);
 *     aiocb cb = new aiocb(fd, rt.allocate(4096), 4096, 0);
 *     aio.aio_write(cb);
 *     aio.aio_suspend(new aiocb[] {cb}, 1, null);
 *     long n = aio.aio_return(cb);
 * }
 * }</pre>
 *
 * <p>Threads it owns: {@code fileWorkers} platform threads for host file I/O, one platform thread per network node
 * (its event loop), one platform thread delivering signals, and, unless an executor is supplied, a virtual thread per
 * SIGEV_THREAD notification. All of them park when idle: an idle runtime uses no CPU.
 *
 * <p>{@link #close()} cancels what is queued, lets what is in progress finish (aborting it after the configured
 * grace period), delivers every notification exactly once, stops its threads and frees the native memory it owns.
 */
public final class AioRuntime implements AutoCloseable {
    private final AioConfig config;
    private final Kernel kernel;
    private final Signals signals;
    private final Executor notificationExecutor;
    private final ExecutorService ownedExecutor;
    private final List<Aio> facades;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;

    private AioRuntime(AioConfig config, List<NodeSpec> nodeSpecs, Executor executor) {
        this.config = config;
        Engine engine = new Engine(config.limits());
        DescriptorTable table = new DescriptorTable(config.openMax());
        WaitRegistry waits = new WaitRegistry();
        OwnedMemory memory = new OwnedMemory();
        FileWorkers files = new FileWorkers(config.name() + "-file", config.fileWorkers(), config.openMax());
        List<NetNode> nodes = new ArrayList<>();
        Signals sig = null;
        try {
            for (NodeSpec spec : nodeSpecs) {
                nodes.add(new NetNode(config.name() + "-" + spec.name(), spec.factory(), config.loopRingCapacity(),
                        config.backoff(), config.clock()));
            }
            sig = new Signals(config.name(), config.aioMax(), config.sigqueueMax(), waits);
        } catch (RuntimeException | Error e) {
            for (NetNode n : nodes) {
                n.close();
            }
            if (sig != null) {
                sig.close();
            }
            shutdownQuietly(files);
            throw e;
        }
        this.kernel = new Kernel(engine, table, files, nodes, waits, memory);
        this.signals = sig;
        if (executor != null) {
            this.notificationExecutor = executor;
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name(config.name() + "-notify-", 0).factory());
            this.notificationExecutor = ownedExecutor;
        }
        List<Aio> f = new ArrayList<>();
        for (int i = 0; i < Math.max(1, nodes.size()); i++) {
            f.add(new Aio(kernel, signals, notificationExecutor, i));
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
        return kernel.nodes().size();
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

    /** Native bytes the runtime owns: buffers from {@link #allocate} and its own scratch memory. */
    public long ownedMemoryBytes() {
        return kernel.memory().bytes() + kernel.files().ownedBytes();
    }

    /** Descriptor numbers in use: open descriptors and closed ones whose requests are still outstanding. */
    public int descriptorsInUse() {
        return kernel.table().inUse();
    }

    /** Threads of the runtime still running (file workers, event loops, signal delivery). */
    public int threadsAlive() {
        int n = kernel.files().aliveThreads() + (signals.isAlive() ? 1 : 0);
        for (NetNode node : kernel.nodes()) {
            n += node.loop().isAlive() ? 1 : 0;
        }
        return n;
    }

    /** Every counter of the runtime by name: requests, loops, signals, memory, descriptors. */
    public Map<String, Long> counters() {
        Map<String, Long> c = new TreeMap<>();
        kernel.engine().counters(c);
        signals.counters(c);
        for (NetNode n : kernel.nodes()) {
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
     * been delivered exactly once, the threads stop and the native memory is freed. Idempotent. Do not call it
     * from a notification or signal handler of this runtime: it waits for them.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        kernel.markClosed();
        kernel.table().closeAll();
        if (!awaitQuiet(config.closeGraceNs())) {
            for (Descriptor d : kernel.table().descriptors()) {
                d.abortInProgress();
            }
            for (NetNode n : kernel.nodes()) {
                n.abortAll();
            }
            awaitQuiet(config.closeGraceNs());
        }
        shutdownQuietly(kernel.files());
        for (NetNode n : kernel.nodes()) {
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

    /** Waits until nothing is in flight; false if {@code timeoutNs} passed first. */
    private boolean awaitQuiet(long timeoutNs) {
        long deadline = System.nanoTime() + timeoutNs;
        while (kernel.engine().inFlight() > 0) {
            if (System.nanoTime() - deadline >= 0) {
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

    /** Builds a runtime: its configuration, its network nodes, its notification executor. */
    public static final class Builder {
        private AioConfig config = AioConfig.defaults();
        private final List<NodeSpec> nodes = new ArrayList<>();
        private Executor executor;

        private Builder() {
        }

        public Builder config(AioConfig c) {
            config = Objects.requireNonNull(c);
            return this;
        }

        /**
         * Adds a network node, built by {@code factory} once its event loop exists; nodes are numbered in the order
         * they are added.
         */
        public Builder node(String name, NodeFactory factory) {
            nodes.add(new NodeSpec(Objects.requireNonNull(name), Objects.requireNonNull(factory)));
            return this;
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

        public AioRuntime build() {
            return new AioRuntime(config, nodes, executor);
        }
    }
}
