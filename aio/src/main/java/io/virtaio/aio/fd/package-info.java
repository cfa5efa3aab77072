/**
 * Descriptors: the table of numbers and the life cycle every descriptor kind shares (reference counting, close,
 * delayed reuse of numbers). Internal to the runtime, not API.
 *
 * <p>Threads: lookups and reference counting from any thread, lock-free; installing and freeing numbers under a
 * short lock (open, close, accept). Allocation: none per lookup or request. Checked here: unknown or closed
 * numbers (reported as EBADF by the caller), the table's size (EMFILE).
 */
package io.virtaio.aio.fd;
