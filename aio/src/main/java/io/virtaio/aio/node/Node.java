package io.virtaio.aio.node;

import java.util.Map;

/**
 * A network node of a runtime ({@code AioRuntime.node(i)}): a stack on its own event loop. The POSIX façade of the
 * same index ({@code AioRuntime.aio(i)}) creates its sockets here.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public interface Node {
    /** The node's name, as given to the runtime builder. */
    String name();

    /** The node's index in its runtime (the order in which nodes were added). */
    int index();

    /** The stack's IPv4 address, first octet most significant. */
    int address();

    /**
     * Runs {@code task} on the node's loop thread, after what was submitted before it; on the loop thread itself
     * it is queued too (it runs in a later round). Allocates nothing: a task object may be reused once it has run.
     *
     * @return false if the loop's submission ring is full or the loop has stopped (the task will not run)
     */
    boolean execute(LoopTask task);

    /** Counters of the stack, its device and the loop, by name; runs on the loop and waits for it (allocates). */
    Map<String, Long> counters();
}
