package io.virtaio.aio.posix;

/**
 * {@code siginfo_t} (POSIX.1-2017 signal.h): what a signal handler learns about the signal. For a completion
 * notification, si_code is {@link Aio#SI_ASYNCIO} and si_value is the request's sigev_value.
 */
public final class siginfo_t {
    public final int si_signo;
    public final int si_code;
    public final int si_errno;
    public final sigval si_value;

    public siginfo_t(int si_signo, int si_code, int si_errno, sigval si_value) {
        this.si_signo = si_signo;
        this.si_code = si_code;
        this.si_errno = si_errno;
        this.si_value = si_value;
    }

    @Override
    public String toString() {
        return "siginfo_t[signo " + si_signo + ", code " + si_code + ", " + si_value + "]";
    }
}
