package io.virtaio.aio.engine;

import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * One asynchronous operation: what was asked (a snapshot taken at submission), where it stands (queued, active,
 * done) and how it ended (return value and error status).
 *
 * <p>A request object is reused for every submission of its owner (an aiocb owns one for life; a thread owns one
 * for its synchronous calls), so submitting and completing allocate nothing. Its life per submission:
 * <ol>
 *   <li>{@link #claim()} on the submitting thread: the status becomes EINPROGRESS (fails if it already is);
 *   <li>{@link #prepare} and the {@code with…} setters: the snapshot, written before the request is handed to its
 *       executor (a descriptor's worker or event loop), which publishes it;
 *   <li>{@link #markQueued()}, {@link #markActive()}, {@link #addMoved}: on the executor, which alone owns
 *       {@code phase}, {@code moved} and the queue links;
 *   <li>{@link #complete}: exactly once, on the executor (or on the submitter when the request fails before being
 *       queued). The return value is written first, then the status with a release store; only then are waiters
 *       woken, the target released, the completion posted and the notification fired (POSIX.1-2017 aio_error:
 *       the status, then the notification).
 * </ol>
 * After the status is published the owner may resubmit at once, so {@link #complete} reads every field it still
 * needs before publishing and never touches the snapshot afterwards.
 *
 * <p>The status word packs a generation (incremented by every claim) with the status, so that {@link #consume()}
 * (aio_return) retrieves a result exactly once even when it races with another aio_return and a resubmission.
 */
public final class Request {
    /** Status of a request without a retrievable result: never submitted, or its result was already returned. */
    public static final int IDLE = -1;
    /** What {@link #consume()} returns when there is no result to retrieve. */
    public static final long NO_RESULT = Long.MIN_VALUE;

    /** Phases, owned by the executor. */
    public static final int NEW = 0;
    public static final int QUEUED = 1;
    public static final int ACTIVE = 2;
    public static final int DONE = 3;

    private static final long STATUS_MASK = 0xFFFF_FFFFL;
    private static final long GENERATION_ONE = 1L << 32;
    private static final VarHandle STATE;
    private static final VarHandle WAITERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Request.class, "state", long.class);
            WAITERS = l.findVarHandle(Request.class, "waiters", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Object owner;

    // The snapshot: written by the submitter before hand-off, read by the executor, cleared by complete().
    private Engine engine;
    private int op;
    private MemorySegment buffer;
    private long offset;
    private long length;
    private int priority;
    private Notification notification;
    private ListGroup list;
    private CompletionSink sink;
    private boolean holdsSlot;
    private Target target;
    private long timeoutNs;

    // Owned by the executor.
    private int phase;
    private long moved;
    private boolean timedOut;
    private Object value;
    Request next;
    Request prev;
    RequestQueue queue;
    private MemorySegment viewOf;
    private ByteBuffer view;

    // The result, published by the release store of state.
    private long result;
    private long claimedFrom;
    /** Generation (high 32 bits) and status (low 32 bits): IDLE, EINPROGRESS, 0 or an errno. */
    private volatile long state = IDLE & STATUS_MASK;
    /** Threads to unpark on completion: null, a {@link Waiter} or a {@code Waiter[]}. */
    private volatile Object waiters;

    /** A request reported to completion sinks as {@code owner} (may be null for internal requests). */
    public Request(Object owner) {
        this.owner = owner;
    }

    public Object owner() {
        return owner;
    }

    // ---------------------------------------------------------------------------------------------- submission

    /**
     * Starts a submission: the status becomes EINPROGRESS. Fails if the request is already in progress (an aiocb
     * may carry one operation at a time).
     */
    public boolean claim() {
        for (;;) {
            long s = (long) STATE.getVolatile(this);
            if ((int) s == Errno.EINPROGRESS) {
                return false;
            }
            long next = ((s & ~STATUS_MASK) + GENERATION_ONE) | (Errno.EINPROGRESS & STATUS_MASK);
            // CAS: of two threads submitting one aiocb at once, exactly one claims it.
            if (STATE.compareAndSet(this, s, next)) {
                claimedFrom = s;
                return true;
            }
        }
    }

    /** Undoes {@link #claim()} when the submission fails before the request was handed to an executor. */
    public void unclaim() {
        target = null;
        notification = null;
        list = null;
        sink = null;
        holdsSlot = false;
        // Release: the restored status carries the same result as before the claim.
        STATE.setRelease(this, claimedFrom);
    }

    /** Fills the snapshot of a claimed request; resets the notification, list, sink, slot and target. */
    public Request prepare(Engine engine, int op, MemorySegment buffer, long offset, long length, int priority) {
        this.engine = engine;
        this.op = op;
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.priority = priority;
        this.notification = null;
        this.list = null;
        this.sink = null;
        this.holdsSlot = false;
        this.target = null;
        this.timeoutNs = 0;
        this.phase = NEW;
        this.moved = 0;
        this.timedOut = false;
        this.value = null;
        return this;
    }

    public Request withNotification(Notification n) {
        this.notification = n;
        return this;
    }

    public Request withList(ListGroup g) {
        this.list = g;
        return this;
    }

    public Request withSink(CompletionSink s) {
        this.sink = s;
        return this;
    }

    /** The request holds one of the runtime's {@code AIO_MAX} slots until its notification is handed off. */
    public Request withSlot() {
        this.holdsSlot = true;
        return this;
    }

    /**
     * The request gives up after {@code ns} (relative, on its executor's clock; 0: never): a request still queued
     * then completes with ETIMEDOUT and {@link #timedOut()} set. Sockets only (the Java channels' timeouts).
     */
    public Request withTimeout(long ns) {
        this.timeoutNs = ns;
        return this;
    }

    /** The target, whose reference the caller acquired; released by {@link #complete}. */
    public Request withTarget(Target t) {
        this.target = t;
        return this;
    }

    // ---------------------------------------------------------------------------------------------- snapshot

    public Engine engine() {
        return engine;
    }

    public int op() {
        return op;
    }

    public MemorySegment buffer() {
        return buffer;
    }

    public long offset() {
        return offset;
    }

    public long length() {
        return length;
    }

    public int priority() {
        return priority;
    }

    public Target target() {
        return target;
    }

    /** The relative timeout, 0 for none. */
    public long timeoutNs() {
        return timeoutNs;
    }

    // ---------------------------------------------------------------------------------------------- executor

    public int phase() {
        return phase;
    }

    public void markQueued() {
        phase = QUEUED;
    }

    /** In progress: from now on the request cannot be canceled (decision 4). */
    public void markActive() {
        phase = ACTIVE;
    }

    /** Bytes moved so far, for transfers that complete in steps (sockets). */
    public long moved() {
        return moved;
    }

    public void addMoved(long n) {
        moved += n;
    }

    /** The executor gave up on the request because its timeout passed (readable after completion). */
    public boolean timedOut() {
        return timedOut;
    }

    public void markTimedOut() {
        timedOut = true;
    }

    /** An object result (an accepted connection), read by the submitter after completion. */
    public Object value() {
        return value;
    }

    public void setValue(Object v) {
        value = v;
    }

    /** The {@link ByteBuffer} view last made of {@code segment} for this request, or null. */
    public ByteBuffer cachedView(MemorySegment segment) {
        return segment == viewOf ? view : null;
    }

    /** Keeps {@code v}, a view of {@code segment}, for the next submission with the same buffer. */
    public void cacheView(MemorySegment segment, ByteBuffer v) {
        viewOf = segment;
        view = v;
    }

    // ---------------------------------------------------------------------------------------------- completion

    /** Completes with {@code r} bytes when {@code r >= 0}, else with error {@code -r} and return value -1. */
    public void completeWith(long r) {
        if (r >= 0) {
            complete(r, 0);
        } else {
            complete(-1, (int) -r);
        }
    }

    /**
     * Publishes the outcome and runs everything that follows from it. Exactly once per submission.
     *
     * @param res the return value (-1 on error)
     * @param err 0, or the errno (ECANCELED for a canceled request)
     */
    public void complete(long res, int err) {
        if (phase == DONE) {
            throw new IllegalStateException("request completed twice: " + Op.name(op));
        }
        phase = DONE;
        Engine e = engine;
        Notification n = notification;
        ListGroup g = list;
        CompletionSink s = sink;
        Target t = target;
        boolean slot = holdsSlot;
        // Opaque suffices: only this submission's generation is needed, which the hand-off to us published.
        long s0 = (long) STATE.getOpaque(this);
        notification = null;
        list = null;
        sink = null;
        target = null;
        buffer = null;
        result = res;
        // Release: whoever acquires this status (aio_error, aio_suspend, a reaper) also sees the result above and
        // the bytes moved into the buffer (POSIX.1-2017 aio_error: the status reflects the completed operation).
        STATE.setRelease(this, (s0 & ~STATUS_MASK) | (err & STATUS_MASK));
        // Full fence: the status must be visible before we read the waiter slot (Dekker with addWaiter + recheck).
        VarHandle.fullFence();
        wakeWaiters();
        e.countCompletion(err);
        if (t != null) {
            t.release();
        }
        if (n == null && slot) {
            // Before the ring sees the completion: a reaper that resubmits at once must find the slot free.
            e.budget().release(1);
        }
        if (s != null) {
            s.post(owner, err == 0 ? res : -err);
        }
        if (n != null) {
            e.countNotification();
            n.fire(slot ? e.slotReleaser() : Engine.NOTHING);
        }
        if (g != null) {
            g.entryDone(err);
        }
    }

    // ---------------------------------------------------------------------------------------------- status

    /** The status (IDLE, EINPROGRESS, 0 or an errno), read with volatile semantics. */
    public int status() {
        // Volatile: waiters read it after registering themselves, the other half of complete()'s full fence.
        return (int) (long) STATE.getVolatile(this);
    }

    /** The status, read with acquire semantics: a final status makes {@link #result()} readable. */
    public int statusAcquire() {
        // Acquire: pairs with the release in complete(), so the result and buffer are the final ones.
        return (int) (long) STATE.getAcquire(this);
    }

    /** The return value; meaningful after a final status was read with {@link #statusAcquire()}. */
    public long result() {
        return result;
    }

    /**
     * aio_return: the result of a completed request, once; afterwards the status is IDLE.
     *
     * @return the return value, or {@link #NO_RESULT} if there is none to retrieve (never submitted, in progress,
     *     already retrieved)
     */
    public long consume() {
        // Acquire: pairs with complete()'s release, so the result read below belongs to this status.
        long s = (long) STATE.getAcquire(this);
        int status = (int) s;
        if (status == IDLE || status == Errno.EINPROGRESS) {
            return NO_RESULT;
        }
        long r = result;
        // The generation in s makes this fail if another aio_return (and perhaps a resubmission) came first.
        return STATE.compareAndSet(this, s, s | STATUS_MASK) ? r : NO_RESULT;
    }

    // ---------------------------------------------------------------------------------------------- waiters

    /**
     * Registers {@code w} to be woken when this request completes. The caller re-checks the status afterwards:
     * a completion that raced with the registration either sees {@code w} or is seen by that re-check.
     */
    public void addWaiter(Waiter w) {
        for (;;) {
            Object cur = waiters;
            Object next;
            if (cur == null) {
                next = w;
            } else if (cur instanceof Waiter one) {
                next = new Waiter[] {one, w};
            } else {
                Waiter[] many = (Waiter[]) cur;
                Waiter[] grown = java.util.Arrays.copyOf(many, many.length + 1);
                grown[many.length] = w;
                next = grown;
            }
            // The CAS is a full barrier: the registration is visible before the caller re-reads the status.
            if (WAITERS.compareAndSet(this, cur, next)) {
                return;
            }
        }
    }

    /** Removes one registration of {@code w}. */
    public void removeWaiter(Waiter w) {
        for (;;) {
            Object cur = waiters;
            Object next;
            if (cur == w) {
                next = null;
            } else if (cur instanceof Waiter[] many) {
                int i = 0;
                while (i < many.length && many[i] != w) {
                    i++;
                }
                if (i == many.length) {
                    return;
                }
                if (many.length == 2) {
                    next = many[1 - i];
                } else {
                    Waiter[] shrunk = new Waiter[many.length - 1];
                    System.arraycopy(many, 0, shrunk, 0, i);
                    System.arraycopy(many, i + 1, shrunk, i, many.length - i - 1);
                    next = shrunk;
                }
            } else {
                return;
            }
            if (WAITERS.compareAndSet(this, cur, next)) {
                return;
            }
        }
    }

    private void wakeWaiters() {
        Object w = waiters;
        if (w == null) {
            return;
        }
        if (w instanceof Waiter one) {
            one.wake();
        } else {
            for (Waiter x : (Waiter[]) w) {
                x.wake();
            }
        }
    }

    @Override
    public String toString() {
        return "Request[" + Op.name(op) + ", phase " + phase + ", status " + Errno.name(status()) + "]";
    }
}
