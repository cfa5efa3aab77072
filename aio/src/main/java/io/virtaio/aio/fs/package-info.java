/**
 * Host files as descriptors: regular files and FIFOs, opened with Linux open(2) flags and served by a small pool
 * of platform worker threads, so that file I/O never runs on an event loop. Internal to the runtime, not API.
 *
 * <p>Threads: requests are queued from any thread under a per-descriptor lock held only to link and unlink
 * them; workers run one request per descriptor at a time. Allocation: none per request in steady state (the
 * request keeps its ByteBuffer view of the buffer); one bounce buffer per worker for heap segments not backed by
 * byte[]. Checked here, at execution, reported through aio_error as the synchronous call would: the buffer
 * (EFAULT), the offset (EINVAL), the access mode (EBADF), host errors (mapped by {@link io.virtaio.aio.fs.IoErrno}).
 */
package io.virtaio.aio.fs;
