package io.virtaio.aio.posix;

import io.virtaio.aio.engine.Request;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * {@code struct aiocb} (POSIX.1-2017 aio.h): an asynchronous I/O control block. The public fields are the C
 * fields; the runtime's state for the operation in flight lives in a request object the aiocb keeps for life, so
 * resubmitting an aiocb allocates nothing.
 *
 * <p>As in C, the fields must not change while an operation is in progress; the runtime copies them at
 * submission and so is not confused when they do. An aiocb may be resubmitted once its operation is no longer in
 * progress; that resets its status.
 */
public final class aiocb {
    /** The file descriptor. */
    public int aio_fildes;
    /** The file offset ({@code off_t}); ignored on descriptors that are not seekable (FIFOs, sockets). */
    public long aio_offset;
    /** The buffer: a heap segment or a native segment of a shared, global or automatic arena. */
    public MemorySegment aio_buf;
    /** The length of the transfer ({@code size_t}; negative values are invalid). */
    public long aio_nbytes;
    /** Request priority offset: 0 .. AIO_PRIO_DELTA_MAX; larger means served later. */
    public int aio_reqprio;
    /** The notification: embedded, as in C, so never null. */
    public final sigevent aio_sigevent = new sigevent();
    /** {@link Aio#LIO_READ}, {@link Aio#LIO_WRITE} or {@link Aio#LIO_NOP}; read only by lio_listio. */
    public int aio_lio_opcode;

    private static final VarHandle REQUEST;

    static {
        try {
            REQUEST = MethodHandles.lookup().findVarHandle(aiocb.class, "request", Request.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Request request;

    public aiocb() {
    }

    /** An aiocb for {@code nbytes} of {@code buf} at {@code offset} of {@code fildes}, notifying nobody. */
    public aiocb(int fildes, MemorySegment buf, long nbytes, long offset) {
        this.aio_fildes = fildes;
        this.aio_buf = buf;
        this.aio_nbytes = nbytes;
        this.aio_offset = offset;
        this.aio_sigevent.sigev_notify = Aio.SIGEV_NONE;
    }

    /**
     * The runtime's state for this aiocb, created at its first submission. Two threads racing to submit a fresh
     * aiocb (undefined in C) still end up sharing one request, so one of them is refused as "in progress".
     */
    Request request() {
        Request r = request;
        if (r == null) {
            Request created = new Request(this);
            Request raced = (Request) REQUEST.compareAndExchange(this, null, created);
            r = raced == null ? created : raced;
        }
        return r;
    }

    /** The runtime's state, or null if the aiocb was never submitted. */
    Request requestIfAny() {
        return request;
    }
}
