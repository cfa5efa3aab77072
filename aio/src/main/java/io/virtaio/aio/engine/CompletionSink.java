package io.virtaio.aio.engine;

/** Receives a copy of each completion of the requests submitted through it (an {@code AioRing}'s queue). */
public interface CompletionSink {
    /**
     * Posts one completion; called once per request, after its status was published.
     *
     * @param owner  the request's owner (the aiocb)
     * @param result the return value, or {@code -errno} when the request failed
     */
    void post(Object owner, long result);
}
