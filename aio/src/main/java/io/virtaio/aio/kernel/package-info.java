/**
 * The runtime's services as the POSIX façade and the channels see them (descriptors, engine, nodes, clock), the
 * native memory the runtime owns, and {@link io.virtaio.aio.kernel.Stepper}, the simulation a blocking call must
 * step when it runs on the simulation thread. Internal to the runtime, not API.
 *
 * <p>Threads: everything here is thread-safe. Allocation: {@link io.virtaio.aio.kernel.OwnedMemory} allocates an
 * arena per buffer, at setup time. Checked here: buffers freed twice or not owned (reported, not thrown).
 */
package io.virtaio.aio.kernel;
