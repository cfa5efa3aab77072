/**
 * POSIX asynchronous I/O over the virtaio stack, and the Java API on top.
 *
 * <p>{@link io.virtaio.aio.AioRuntime} is the entry point: it owns descriptors, file workers, network nodes and
 * emulated signals, and hands out the POSIX façade ({@link io.virtaio.aio.posix.Aio}). Configuration is a record,
 * {@link io.virtaio.aio.AioConfig}. {@link io.virtaio.aio.ErrnoException} is the exception of the Java API.
 *
 * <p>Threads: a runtime may be used from any thread; it is closed once, from a thread that is not one of its own.
 * Allocation: building a runtime allocates its tables and threads; steady-state I/O through the façade does not
 * allocate (see the posix package). Checked here: configuration values (IllegalArgumentException at build time).
 *
 * <p>Packages. API: this one, {@code posix} (the façade) and, for whoever builds network nodes,
 * {@link io.virtaio.aio.loop.Pollable}, {@link io.virtaio.aio.loop.Backoff}, {@link io.virtaio.aio.net.NodeFactory}
 * and {@link io.virtaio.aio.net.NodeParts}. Internal (public only because Java packages cannot share otherwise):
 * {@code engine}, {@code fd}, {@code fs}, {@code kernel}, the rest of {@code loop} and {@code net}.
 */
package io.virtaio.aio;
