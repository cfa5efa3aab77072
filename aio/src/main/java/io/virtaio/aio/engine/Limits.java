package io.virtaio.aio.engine;

/**
 * The limits the façade reports through sysconf and enforces.
 *
 * @param aioMax          AIO_MAX: requests outstanding at once, runtime-wide; beyond it submissions fail with EAGAIN
 * @param aioListioMax    AIO_LISTIO_MAX: entries in one lio_listio list
 * @param aioPrioDeltaMax AIO_PRIO_DELTA_MAX: largest aio_reqprio
 * @param openMax         OPEN_MAX: descriptors open at once (and numbers reserved by closed ones still in use)
 * @param sigqueueMax     SIGQUEUE_MAX: signals queued by sigqueue and not yet delivered
 */
public record Limits(int aioMax, int aioListioMax, int aioPrioDeltaMax, int openMax, int sigqueueMax) {
    public Limits {
        // POSIX.1-2017 <limits.h>: _POSIX_AIO_MAX 1, _POSIX_AIO_LISTIO_MAX 2, AIO_PRIO_DELTA_MAX >= 0,
        // _POSIX_OPEN_MAX 20, _POSIX_SIGQUEUE_MAX 32.
        if (aioMax < 1 || aioListioMax < 2 || aioPrioDeltaMax < 0 || openMax < 20 || sigqueueMax < 32) {
            throw new IllegalArgumentException("limits below the POSIX minimums: " + this);
        }
    }
}
