package io.virtaio.aio.engine;

/**
 * The asynchronous notification a request or an I/O list asked for ({@code SIGEV_SIGNAL}, {@code SIGEV_THREAD}).
 * {@code SIGEV_NONE} has no object: requests that want no notification carry {@code null}, which keeps their path
 * allocation-free.
 *
 * <p>Implementations are immutable snapshots taken at submission, so firing one never reads the aiocb again (the
 * application may already be reusing it).
 */
@FunctionalInterface
public interface Notification {
    /**
     * Delivers the notification. Called exactly once, on the completing thread, after the request's status was
     * published. Must not block.
     *
     * @param handedOff run exactly once, as soon as the notification has been handed to its handler or thread: it
     *     returns the request's {@code AIO_MAX} slot, so pending notifications stay bounded
     */
    void fire(Runnable handedOff);
}
