package io.virtaio.aio.kernel;

import java.util.function.BooleanSupplier;

/**
 * The simulation behind a simulated runtime, as the blocking calls see it: on the simulation thread a call cannot
 * park (nobody else would advance the simulation), so it runs the simulation itself until it may return.
 */
public interface Stepper {
    /** True on the thread that steps the simulation. */
    boolean onStepperThread();

    /** Virtual time now. */
    long nowNs();

    /**
     * Runs the simulation on the calling thread (the stepper's) until {@code done} holds, virtual time would pass
     * {@code deadlineNs}, or nothing can happen any more.
     *
     * @return {@code done.getAsBoolean()} at the end
     */
    boolean runUntil(BooleanSupplier done, long deadlineNs);
}
