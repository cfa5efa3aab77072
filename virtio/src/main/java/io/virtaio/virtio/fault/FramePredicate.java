package io.virtaio.virtio.fault;

/**
 * Selects the frames a {@link FaultRule} applies to. Called on the stage's thread for every frame the rule is
 * checked against: it must be fast, allocate nothing, keep no reference to the view and be deterministic (a
 * function of the frame, not of a clock or an unseeded random source), or runs stop being reproducible.
 */
@FunctionalInterface
public interface FramePredicate {
    boolean test(FrameView frame);
}
