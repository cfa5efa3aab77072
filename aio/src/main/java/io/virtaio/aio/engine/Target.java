package io.virtaio.aio.engine;

/**
 * What a request operates on (a descriptor). A request holds one reference to its target from submission until it
 * completes, so the target (and its descriptor number) stays reserved while any operation still refers to it.
 */
public interface Target {
    /** Drops the reference the completed request held. */
    void release();
}
