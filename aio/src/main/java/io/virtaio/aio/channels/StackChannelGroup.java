package io.virtaio.aio.channels;

import io.virtaio.aio.kernel.Kernel;
import io.virtaio.aio.net.NetNode;
import java.io.IOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The channels of one network node of a runtime, and where their completion handlers run. Obtain one with
 * {@code AioRuntime.channelGroup(node)} (handlers on a virtual thread each), {@code channelGroup(node, executor)},
 * or {@code channelGroup(node, StackChannelGroup.LOOP_THREAD)} (handlers inline on the node's loop thread).
 *
 * <p>Delivery on the loop thread is the lowest-latency option: no hand-off, no allocation per completion. Its
 * handlers run on the thread that drives the node's stack, between two steps of it, so they must never block
 * (no blocking I/O, no lock waits, no {@code Future.get()}): every socket of the node stalls meanwhile. Starting
 * the next operation from a handler is fine: it is queued for the next loop round.
 *
 * <p>As the JDK's groups: {@link #shutdown()} refuses new channels and terminates once every channel is closed and
 * the handlers have run; {@link #shutdownNow()} closes every channel. A runtime shuts its groups down when it closes.
 */
public final class StackChannelGroup extends AsynchronousChannelGroup {
    /**
     * The executor that means "run handlers inline on the loop thread that completed the operation". Passing it is
     * the explicit opt-in; handlers must then never block.
     */
    public static final Executor LOOP_THREAD = new Executor() {
        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public String toString() {
            return "LOOP_THREAD";
        }
    };

    private final Kernel kernel;
    private final NetNode node;
    private final Executor executor;
    private final ExecutorService owned;
    private final Set<AutoCloseable> channels = ConcurrentHashMap.newKeySet();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean shutdown;

    /**
     * A group on {@code node} of the runtime behind {@code kernel}; created by {@code AioRuntime.channelGroup}.
     *
     * @param executor where handlers run; null: a new virtual thread per completion (owned by the group)
     */
    public StackChannelGroup(Kernel kernel, NetNode node, Executor executor) {
        super(StackChannelProvider.INSTANCE);
        this.kernel = Objects.requireNonNull(kernel);
        this.node = Objects.requireNonNull(node);
        if (executor == null) {
            this.owned = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("channel-" + node.name() + "-", 0).factory());
            this.executor = owned;
        } else {
            this.owned = null;
            this.executor = executor;
        }
    }

    Kernel kernel() {
        return kernel;
    }

    NetNode node() {
        return node;
    }

    /** True when handlers run inline on the loop thread. */
    boolean inline() {
        return executor == LOOP_THREAD;
    }

    Executor executor() {
        return executor;
    }

    /** Registers a new channel; false if the group is shut down (the caller closes the channel). */
    boolean add(AutoCloseable channel) {
        if (shutdown) {
            return false;
        }
        channels.add(channel);
        if (shutdown) {
            channels.remove(channel);
            return false;
        }
        return true;
    }

    void removed(AutoCloseable channel) {
        channels.remove(channel);
        if (shutdown && channels.isEmpty()) {
            terminate();
        }
    }

    /** The node's name (a group is one node's channels). */
    public String nodeName() {
        return node.name();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    @Override
    public void shutdown() {
        shutdown = true;
        if (channels.isEmpty()) {
            terminate();
        }
    }

    @Override
    public void shutdownNow() throws IOException {
        shutdown = true;
        IOException first = null;
        for (AutoCloseable c : channels.toArray(new AutoCloseable[0])) {
            try {
                c.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        if (channels.isEmpty()) {
            terminate();
        }
        if (first != null) {
            throw first;
        }
    }

    private void terminate() {
        if (terminated.getCount() == 0) {
            return;
        }
        if (owned != null) {
            owned.shutdown();
        }
        terminated.countDown();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        if (!terminated.await(timeout, unit)) {
            return false;
        }
        return owned == null || owned.awaitTermination(timeout, unit);
    }

    @Override
    public String toString() {
        return "StackChannelGroup[" + node.name() + ", " + (inline() ? "inline" : executor) + "]";
    }
}
