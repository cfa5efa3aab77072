/**
 * POSIX asynchronous I/O over the virtaio stack, and the Java API on top.
 *
 * <p>{@link io.virtaio.aio.AioRuntime} is the entry point: it owns descriptors, file workers, network nodes and
 * emulated signals, and hands out the POSIX façade ({@link io.virtaio.aio.posix.Aio}). Configuration is a record,
 * {@link io.virtaio.aio.AioConfig}; nodes come from {@link io.virtaio.aio.node.Nodes}; a simulated runtime is
 * driven by its {@link io.virtaio.aio.Simulator}. {@link io.virtaio.aio.ErrnoException} is the exception of the
 * Java API.
 *
 * <p>Threads: a runtime may be used from any thread; it is closed once, from a thread that is not one of its own
 * (a simulated runtime: from the simulation thread). Allocation: building a runtime allocates its tables, threads
 * and nodes; steady-state I/O through the façade does not allocate (see the posix package). Checked here:
 * configuration values (IllegalArgumentException at build time).
 *
 * <p>Packages. API: this one, {@code posix} (the façade), {@code channels} (the Java channels), {@code node}
 * (building network nodes) and, for whoever writes a node, {@link io.virtaio.aio.loop.Pollable} and
 * {@link io.virtaio.aio.loop.Backoff}. Internal (public only because Java packages cannot share otherwise):
 * {@code engine}, {@code fd}, {@code fs}, {@code kernel}, {@code net} and the rest of {@code loop}.
 */
package io.virtaio.aio;
