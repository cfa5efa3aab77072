package io.virtaio.aio.loop;

/**
 * Something an {@link EventLoop} drives: a network stack, the device side of an in-process backend, a timer.
 * It advances only when polled and never blocks, sleeps or reads a clock of its own (DESIGN.md principle 2).
 */
@FunctionalInterface
public interface Pollable {
    /**
     * Does the work due at {@code nowNs}.
     *
     * @return when it next needs to run (absolute, on the loop's clock): {@code nowNs} or earlier if work remains
     *     now, {@link Long#MAX_VALUE} if only an external event (a frame, a submission) can create work
     */
    long poll(long nowNs);
}
