package io.virtaio.bench.serve;

import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.channels.StackChannelGroup;
import io.virtaio.aio.posix.Aio;
import io.virtaio.netstack.StackConfig;
import io.virtaio.virtio.netns.CommandException;
import io.virtaio.virtio.netns.NetNamespace;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A runtime with one network node, our stack, on a {@link TapAttachment}: what {@code serve} runs, and what the
 * interop tests run against Linux. Its POSIX façade is {@link #aio()}, its channels {@link #channels()}.
 *
 * <pre>{@code
 * try (TapNode node = TapNode.start(NetNamespace.openOrCreate("demo"),
 *         TapAttachment.Options.of(Cidr.parse("198.18.0.1/24")), StackConfig.of(Ipv4Address.parse("198.18.0.2"), 24))) {
 *     StackServer.start(node.channels(), new InetSocketAddress("198.18.0.2", 7), Service.ECHO);
 *     ...                                          // ip netns exec demo ... 198.18.0.2 7
 * }
 * }</pre>
 */
public final class TapNode implements AutoCloseable {
    private final TapAttachment tap;
    private final AioRuntime runtime;
    private final StackChannelGroup channels;
    private boolean closed;

    private TapNode(TapAttachment tap, AioRuntime runtime) {
        this.tap = tap;
        this.runtime = runtime;
        // Inline on the node's loop: the lowest latency, for handlers that never block.
        this.channels = runtime.channelGroup(0, StackChannelGroup.LOOP_THREAD);
    }

    /**
     * Attaches a TAP (its kernel end in {@code ns}, or in this process's namespace when null) and starts a runtime
     * with {@code stack} on it. On failure everything is removed again, {@code ns} too if it is owned.
     */
    public static TapNode start(NetNamespace ns, TapAttachment.Options options, StackConfig stack)
            throws IOException {
        TapAttachment tap = TapAttachment.open(ns, options);
        try {
            return new TapNode(tap, AioRuntime.builder().node("tap", tap.node(stack)).build());
        } catch (RuntimeException | Error e) {
            try {
                tap.close();
            } catch (CommandException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public AioRuntime runtime() {
        return runtime;
    }

    /** The node's POSIX façade. */
    public Aio aio() {
        return runtime.aio(0);
    }

    /** A channel group of the node whose handlers run inline on its loop ({@link StackChannelGroup#LOOP_THREAD}). */
    public StackChannelGroup channels() {
        return channels;
    }

    public TapAttachment tap() {
        return tap;
    }

    /**
     * The stack's, device's and loop's counters (the {@code node.tap.} prefix dropped) and the TAP chain's
     * ({@link TapAttachment#counters()}). While running they are a snapshot taken on the loop.
     */
    public Map<String, Long> counters() {
        Map<String, Long> m = new TreeMap<>();
        if (!runtime.isClosed()) {
            runtime.node(0).counters().forEach((k, v) -> m.put(k.replaceFirst("^node\\.tap\\.", ""), v));
        }
        m.putAll(tap.counters());
        return m;
    }

    /** Closes the runtime (its channels, the stack, the device, the TAP), then the namespace if owned. Idempotent. */
    @Override
    public void close() throws CommandException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            runtime.close();
        } finally {
            tap.close();
        }
    }
}
