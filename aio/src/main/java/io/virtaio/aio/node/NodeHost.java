package io.virtaio.aio.node;

import io.virtaio.netstack.Stack;
import io.virtaio.netstack.host.VirtioHost;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an event loop steps for one network node: a {@link Stack} and whatever carries its frames (a virtio-net device
 * and its backend, or a test device).
 *
 * <p>Everything here is called on the node's loop thread only (or on the simulation thread), except that the
 * host's notifications ring the doorbell given to its {@link NodeFactory} from any thread.
 *
 * <p>Waiting follows the virtqueue protocol: {@link #prepareToWait} re-enables notifications and then re-checks,
 * so a frame that arrived in between is never missed (virtio 1.2 §2.7.10); {@link #busy()} suppresses them while the
 * loop polls anyway.
 */
public interface NodeHost extends AutoCloseable {
    /** The node's stack. */
    Stack stack();

    /**
     * Does the work due at {@code nowNs}: the stack (receive, timers, output) and the device side of in-process
     * backends.
     *
     * @return when it next needs a poll: {@code nowNs} if more work is ready now, {@link Long#MAX_VALUE} if only a
     *     notification can bring work
     */
    long poll(long nowNs);

    /** Re-enables notifications before the loop sleeps, then re-checks; true if there is work now. */
    boolean prepareToWait(long nowNs);

    /** The loop is polling: notifications may be suppressed. */
    void busy();

    /** The node's counters (stack, driver, device), by name; a snapshot that allocates. */
    Map<String, Long> counters();

    /** Native memory the host holds now (guest memory: rings and buffers), 0 once closed. Any thread. */
    default long nativeBytes() {
        return 0;
    }

    /** Closes the stack, the device and whatever the host owns. Idempotent. */
    @Override
    void close();

    /** A host for a complete {@link VirtioHost} (guest memory, virtio-net device and driver, backend, stack). */
    static NodeHost of(VirtioHost host) {
        Objects.requireNonNull(host, "host");
        return new NodeHost() {
            @Override
            public Stack stack() {
                return host.stack();
            }

            @Override
            public long poll(long nowNs) {
                return host.poll(nowNs);
            }

            @Override
            public boolean prepareToWait(long nowNs) {
                return host.prepareToWait(nowNs);
            }

            @Override
            public void busy() {
                host.busy();
            }

            @Override
            public Map<String, Long> counters() {
                return host.counters();
            }

            @Override
            public long nativeBytes() {
                return host.memory().region().scope().isAlive() ? host.memory().size() : 0;
            }

            @Override
            public void close() {
                host.close();
            }

            @Override
            public String toString() {
                return "VirtioHost[" + io.virtaio.netstack.wire.Ipv4Address.toString(host.stack().address()) + "]";
            }
        };
    }

    /**
     * A host for a bare stack whose device needs no stepping of its own (a test double that delivers frames by
     * itself and rings the loop); {@code resources} are closed after the stack.
     */
    static NodeHost of(Stack stack, List<? extends AutoCloseable> resources) {
        Objects.requireNonNull(stack, "stack");
        List<AutoCloseable> owned = List.copyOf(resources);
        return new NodeHost() {
            private boolean closed;

            @Override
            public Stack stack() {
                return stack;
            }

            @Override
            public long poll(long nowNs) {
                return stack.poll(nowNs);
            }

            @Override
            public boolean prepareToWait(long nowNs) {
                return stack.device().enableInterrupts() || stack.hasPendingWork();
            }

            @Override
            public void busy() {
                stack.device().disableInterrupts();
            }

            @Override
            public Map<String, Long> counters() {
                return stack.counters();
            }

            @Override
            public void close() {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    stack.close();
                } finally {
                    for (AutoCloseable r : owned) {
                        try {
                            r.close();
                        } catch (Exception ignored) {
                            // one resource failing to close must not keep the others open
                        }
                    }
                }
            }
        };
    }
}
