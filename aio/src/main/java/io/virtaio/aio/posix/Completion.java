package io.virtaio.aio.posix;

/**
 * One reaped completion of an {@link AioRing}, like io_uring's CQE: the aiocb and its result. A mutable holder the
 * application allocates once and hands to {@link AioRing#reap} again and again.
 */
public final class Completion {
    /** The aiocb whose operation completed. */
    public aiocb cb;
    /** The return value (bytes), or {@code -errno} if the operation failed (-ECANCELED if canceled). */
    public long res;

    @Override
    public String toString() {
        return "Completion[res " + res + "]";
    }
}
