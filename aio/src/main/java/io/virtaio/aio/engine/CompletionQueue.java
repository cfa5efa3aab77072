package io.virtaio.aio.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The completion ring of an {@code AioRing}, in the manner of io_uring's CQ: completers (file workers, event loops)
 * post {owner, result} entries, one consumer reaps them in batches.
 *
 * <p>Each entry is a copy taken at completion, so a reaped entry stays valid even if its aiocb was resubmitted in
 * between. Producers claim a slot with one atomic increment and publish it with a release store of the slot's
 * sequence (a flag per slot, so the consumer never reads a shared producer index). The ring cannot overflow: every
 * submission first {@link #reserve() reserves} an entry, and a reservation is only returned when its entry is reaped.
 *
 * <p>Threads: {@link #post} from any thread; {@link #reserve}/{@link #unreserve} from any thread; the consumer side
 * ({@link #hasNext}, {@link #owner}, {@link #result}, {@link #advance}, {@link #awaitNext}) from one thread at a
 * time (the ring's reap lock). Allocation-free after construction.
 */
public final class CompletionQueue implements CompletionSink {
    private static final VarHandle SEQUENCE = MethodHandles.arrayElementVarHandle(long[].class);

    private final int capacity;
    private final int mask;
    private final Object[] owners;
    private final long[] results;
    /** Slot number + 1 once the entry in that slot is published. */
    private final long[] sequences;
    private final AtomicLong tail = new AtomicLong();
    private final AtomicInteger reserved = new AtomicInteger();
    private long head;
    private volatile Thread reaper;

    /** A ring for at most {@code capacity} outstanding-or-unreaped requests. */
    public CompletionQueue(int capacity) {
        if (capacity < 1 || capacity > 1 << 24) {
            throw new IllegalArgumentException("completion ring capacity must be 1..2^24: " + capacity);
        }
        int size = 1 << (32 - Integer.numberOfLeadingZeros(capacity - 1));
        this.capacity = capacity;
        this.mask = size - 1;
        this.owners = new Object[size];
        this.results = new long[size];
        this.sequences = new long[size];
    }

    public int capacity() {
        return capacity;
    }

    /** Reserves the entry a new submission will post; false when {@link #capacity()} are outstanding or unreaped. */
    public boolean reserve() {
        for (;;) {
            int r = reserved.get();
            if (r >= capacity) {
                return false;
            }
            if (reserved.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Returns a reservation whose submission failed before it could complete. */
    public void unreserve() {
        reserved.decrementAndGet();
    }

    /** Entries reserved and not yet reaped. */
    public int outstanding() {
        return reserved.get();
    }

    @Override
    public void post(Object owner, long result) {
        long slot = tail.getAndIncrement();
        int i = (int) slot & mask;
        owners[i] = owner;
        results[i] = result;
        // Release: a reaper that sees this sequence also sees the owner and result written above.
        SEQUENCE.setRelease(sequences, i, slot + 1);
        // Full fence: publish the entry before looking for a parked reaper (Dekker with awaitNext()).
        VarHandle.fullFence();
        Thread t = reaper;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Consumer: true if the next entry is published. */
    public boolean hasNext() {
        // Volatile (not only acquire): awaitNext() stores 'reaper' then calls this, and the pair must not reorder.
        return (long) SEQUENCE.getVolatile(sequences, (int) head & mask) == head + 1;
    }

    /** Consumer: the owner of the next entry (after {@link #hasNext()} returned true). */
    public Object owner() {
        return owners[(int) head & mask];
    }

    /** Consumer: the result of the next entry: the return value, or {@code -errno}. */
    public long result() {
        return results[(int) head & mask];
    }

    /** Consumer: drops the next entry and returns its reservation. */
    public void advance() {
        owners[(int) head & mask] = null;
        head++;
        reserved.decrementAndGet();
    }

    /**
     * Consumer: parks until an entry is published, {@code deadlineNs} (System.nanoTime) passes or the thread is
     * interrupted.
     *
     * @return true if an entry is available
     */
    public boolean awaitNext(long deadlineNs, boolean timed) {
        if (hasNext()) {
            return true;
        }
        reaper = Thread.currentThread();
        try {
            for (;;) {
                if (hasNext()) {
                    return true;
                }
                if (Thread.currentThread().isInterrupted()) {
                    return false;
                }
                if (timed) {
                    long left = deadlineNs - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
            }
        } finally {
            reaper = null;
        }
    }
}
