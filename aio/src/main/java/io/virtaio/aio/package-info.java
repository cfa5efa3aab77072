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
 * <p>Internal packages, not API: {@code engine}, {@code fd}, {@code fs}, {@code loop}, {@code net},
 * {@code kernel}.
 */
package io.virtaio.aio;
