/**
 * The runtime's services as the POSIX façade sees them, and the native memory the runtime owns. Internal to the
 * runtime, not API.
 *
 * <p>Threads: everything here is thread-safe. Allocation: {@link io.virtaio.aio.kernel.OwnedMemory} allocates an
 * arena per buffer, at setup time. Checked here: buffers freed twice or not owned (reported, not thrown).
 */
package io.virtaio.aio.kernel;
