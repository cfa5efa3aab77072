package io.virtaio.aio.posix;

/** {@code struct timespec} (POSIX.1-2017 time.h): a relative timeout for aio_suspend. */
public final class timespec {
    public long tv_sec;
    /** 0 .. 999 999 999. */
    public long tv_nsec;

    public timespec() {
    }

    public timespec(long tv_sec, long tv_nsec) {
        this.tv_sec = tv_sec;
        this.tv_nsec = tv_nsec;
    }

    /** True if the fields are in range (tv_sec >= 0, 0 <= tv_nsec < 10^9). */
    boolean valid() {
        return tv_sec >= 0 && tv_nsec >= 0 && tv_nsec < 1_000_000_000L;
    }

    /** The duration in nanoseconds, saturated at Long.MAX_VALUE. */
    long toNanos() {
        if (tv_sec >= Long.MAX_VALUE / 1_000_000_000L) {
            return Long.MAX_VALUE;
        }
        return tv_sec * 1_000_000_000L + tv_nsec;
    }
}
