package io.virtaio.aio.channels;

import java.io.IOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.IllegalChannelGroupException;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The provider of the stack's channels: it opens {@link StackSocketChannel}s and {@link StackServerSocketChannel}s
 * in a {@link StackChannelGroup} (which names the runtime and node).
 *
 * <p>It is deliberately not registered in {@code META-INF/services}: registration would make
 * {@code AsynchronousSocketChannel.open()} open stack channels for every library in the JVM, including the JDK
 * channels a benchmark compares against. Groups are created by {@code AioRuntime.channelGroup}, not by
 * {@link #openAsynchronousChannelGroup} (a group needs a runtime and a node).
 */
public final class StackChannelProvider extends AsynchronousChannelProvider {
    /** The one provider. */
    public static final StackChannelProvider INSTANCE = new StackChannelProvider();

    private StackChannelProvider() {
    }

    /** Unsupported: a group belongs to a runtime's node; use {@code AioRuntime.channelGroup}. */
    @Override
    public AsynchronousChannelGroup openAsynchronousChannelGroup(int nThreads, ThreadFactory threadFactory) {
        throw new UnsupportedOperationException("stack channel groups come from AioRuntime.channelGroup(node)");
    }

    /** Unsupported: a group belongs to a runtime's node; use {@code AioRuntime.channelGroup(node, executor)}. */
    @Override
    public AsynchronousChannelGroup openAsynchronousChannelGroup(ExecutorService executor, int initialSize) {
        throw new UnsupportedOperationException("stack channel groups come from AioRuntime.channelGroup(node, executor)");
    }

    /** A server channel in {@code group}, which must be a {@link StackChannelGroup}. */
    @Override
    public StackServerSocketChannel openAsynchronousServerSocketChannel(AsynchronousChannelGroup group)
            throws IOException {
        return StackServerSocketChannel.open(checked(group));
    }

    /** A socket channel in {@code group}, which must be a {@link StackChannelGroup}. */
    @Override
    public StackSocketChannel openAsynchronousSocketChannel(AsynchronousChannelGroup group) throws IOException {
        return StackSocketChannel.open(checked(group));
    }

    private static StackChannelGroup checked(AsynchronousChannelGroup group) {
        if (group instanceof StackChannelGroup g) {
            return g;
        }
        // A null group means the JDK's default group, which this provider does not have.
        throw new IllegalChannelGroupException();
    }
}
