/**
 * The POSIX façade: {@link io.virtaio.aio.posix.Aio} with the aio.h functions and the file, signal and socket
 * calls around them, the C structures it takes ({@link io.virtaio.aio.posix.aiocb},
 * {@link io.virtaio.aio.posix.sigevent}, {@link io.virtaio.aio.posix.sigval},
 * {@link io.virtaio.aio.posix.siginfo_t}, {@link io.virtaio.aio.posix.timespec},
 * {@link io.virtaio.aio.posix.sigaction}, {@link io.virtaio.aio.posix.sockaddr_in}), emulated signals
 * ({@link io.virtaio.aio.posix.Signals}) and an io_uring-style batch interface ({@link io.virtaio.aio.posix.AioRing}).
 *
 * <p>The C structures keep C's lowercase names and public fields on purpose: code and tests read like the
 * POSIX.1-2017 pages they implement.
 *
 * <p>Threads: every function may be called from any thread, platform or virtual; blocking ones park without
 * holding monitors. Allocation: none per aio_read/aio_write/aio_error/aio_return with SIGEV_NONE on an aiocb that
 * was submitted before (the first submission creates its request object); SIGEV_SIGNAL and SIGEV_THREAD allocate
 * their notification. Checked here, with C's errno: null pointers (EFAULT), aio_reqprio, sigevents, modes, counts
 * and flags (EINVAL), descriptors (EBADF, synchronous or deferred as the decisions in posix-aio.md say), AIO_MAX
 * (EAGAIN).
 */
package io.virtaio.aio.posix;
