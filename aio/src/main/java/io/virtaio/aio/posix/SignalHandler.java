package io.virtaio.aio.posix;

/** {@code void (*sa_sigaction)(int, siginfo_t *, void *)}: a handler for an emulated signal. */
@FunctionalInterface
public interface SignalHandler {
    void handle(int signo, siginfo_t info);
}
