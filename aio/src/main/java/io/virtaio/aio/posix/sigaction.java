package io.virtaio.aio.posix;

/**
 * {@code struct sigaction} (POSIX.1-2017 signal.h), as far as the emulated signals need it. A null
 * {@link #sa_sigaction} is SIG_DFL, which for an emulated signal means: ignored (terminating the JVM is not an
 * action a library may take).
 */
public final class sigaction {
    /** The handler, called with the signal number and its siginfo_t; null for SIG_DFL. */
    public SignalHandler sa_sigaction;
    /** SA_SIGINFO, SA_RESTART: accepted and without effect (every handler receives a siginfo_t). */
    public int sa_flags;

    public sigaction() {
    }

    public sigaction(SignalHandler handler) {
        this.sa_sigaction = handler;
        this.sa_flags = Aio.SA_SIGINFO;
    }
}
