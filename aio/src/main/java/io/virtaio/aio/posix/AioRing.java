package io.virtaio.aio.posix;

import io.virtaio.aio.engine.CompletionQueue;
import io.virtaio.netstack.Errno;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A batch interface over the façade, in the manner of io_uring: {@link #submit} many aiocbs at once, and
 * {@link #reap} many completions at once from a completion ring, without polling each aiocb with aio_error.
 *
 * <p>Each submitted aiocb produces exactly one completion: {@code res} is what aio_return would return, or
 * {@code -errno} when aio_error would report an error (as io_uring's {@code cqe.res}). Reaping reads a copy taken
 * when the operation completed and does not consume the aiocb's status: aio_error still works, aio_return may still
 * be called once, and the aiocb may be resubmitted as soon as it is reaped. Its own sigevent still fires.
 *
 * <p>The ring has a fixed capacity: a submission reserves its completion entry, and {@link #submit} stops with
 * EAGAIN when {@link #capacity()} requests are outstanding or unreaped, so the ring can never overflow.
 *
 * <p>Threads: {@link #submit} from any thread; {@link #reap} from any thread, one at a time (a lock serializes
 * reapers, and a reaper parks without holding a monitor). Allocation: none per submission or completion.
 */
public final class AioRing {
    private final Aio aio;
    private final CompletionQueue cq;
    private final ReentrantLock reapLock = new ReentrantLock();

    AioRing(Aio aio, CompletionQueue cq) {
        this.aio = aio;
        this.cq = cq;
    }

    /** How many requests may be outstanding or unreaped at once. */
    public int capacity() {
        return cq.capacity();
    }

    /** Requests submitted through this ring and not yet reaped. */
    public int outstanding() {
        return cq.outstanding();
    }

    /**
     * Submits {@code cbs[off .. off+n)}, each as its aio_lio_opcode says (LIO_READ or LIO_WRITE), in order, up to
     * the first that cannot be queued.
     *
     * @return how many were submitted; if not all, the thread's errno tells why the next one was not (EAGAIN when
     *     the ring or AIO_MAX is full, EINVAL for another opcode, …); -1 if the first one failed
     */
    public int submit(aiocb[] cbs, int off, int n) {
        if (cbs == null || off < 0 || n < 0 || off > cbs.length - n) {
            aio.errno(Errno.EFAULT);
            return -1;
        }
        for (int i = 0; i < n; i++) {
            if (aio.submitToRing(cbs[off + i], cq) < 0) {
                return i == 0 ? -1 : i;
            }
        }
        return n;
    }

    /**
     * Waits until at least {@code min} completions are available, then copies up to {@code max} into
     * {@code out[0 ..]} (each element a preallocated {@link Completion}).
     *
     * @param timeoutNs how long to wait for {@code min}: negative waits for ever, 0 does not wait
     * @return the number reaped, which is below {@code min} only if the wait ended early; -1 with errno EAGAIN if
     *     the timeout passed with none, EINTR if the thread was interrupted with none, EINVAL/EFAULT for bad
     *     arguments
     */
    public int reap(Completion[] out, int min, int max, long timeoutNs) {
        if (out == null || max > out.length) {
            aio.errno(Errno.EFAULT);
            return -1;
        }
        if (min < 0 || max < min) {
            aio.errno(Errno.EINVAL);
            return -1;
        }
        long deadline = System.nanoTime() + Math.max(0, timeoutNs);
        reapLock.lock();
        try {
            int got = 0;
            for (;;) {
                while (got < max && cq.hasNext()) {
                    Completion c = out[got++];
                    c.cb = (aiocb) cq.owner();
                    c.res = cq.result();
                    cq.advance();
                }
                if (got >= min && (got > 0 || min == 0)) {
                    return got;
                }
                if (timeoutNs == 0 || !cq.awaitNext(deadline, timeoutNs > 0)) {
                    if (got > 0) {
                        return got;
                    }
                    aio.errno(Thread.interrupted() ? Errno.EINTR : Errno.EAGAIN);
                    return -1;
                }
            }
        } finally {
            reapLock.unlock();
        }
    }
}
