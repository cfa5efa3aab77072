package io.virtaio.aio.engine;

/**
 * An intrusive queue of requests (linked through the requests themselves, so queueing allocates nothing), with
 * removal from the middle for cancellation. Not thread-safe: confined to its descriptor's lock or event loop.
 */
public final class RequestQueue {
    private Request head;
    private Request tail;
    private int size;

    /** Appends {@code r}: plain FIFO order. */
    public void addLast(Request r) {
        insertAfter(tail, r);
    }

    /**
     * Inserts {@code r} in priority order: behind every request whose {@code aio_reqprio} is smaller or equal (FIFO
     * within a priority), never ahead of a barrier, and a barrier always goes last. POSIX.1-2017 aio_read with
     * _POSIX_PRIORITIZED_IO: requests are queued "in priority order, with requests of the same priority in FIFO
     * order"; aio_fsync covers everything queued before it, so nothing may cross it.
     */
    public void addByPriority(Request r) {
        Request after = tail;
        if (!Op.isBarrier(r.op())) {
            while (after != null && !Op.isBarrier(after.op()) && after.priority() > r.priority()) {
                after = after.prev;
            }
        }
        insertAfter(after, r);
    }

    private void insertAfter(Request after, Request r) {
        if (r.queue != null) {
            throw new IllegalStateException("request already queued: " + r);
        }
        Request following = after == null ? head : after.next;
        r.prev = after;
        r.next = following;
        if (after == null) {
            head = r;
        } else {
            after.next = r;
        }
        if (following == null) {
            tail = r;
        } else {
            following.prev = r;
        }
        r.queue = this;
        size++;
    }

    public Request peek() {
        return head;
    }

    /** The request after {@code r} in this queue, or null; for walking the queue without removing. */
    public Request after(Request r) {
        return r.queue == this ? r.next : null;
    }

    public Request poll() {
        Request r = head;
        if (r != null) {
            unlink(r);
        }
        return r;
    }

    /** Removes {@code r} if it is in this queue; returns whether it was. */
    public boolean remove(Request r) {
        if (r.queue != this) {
            return false;
        }
        unlink(r);
        return true;
    }

    /** True if {@code r} is queued here. */
    public boolean contains(Request r) {
        return r.queue == this;
    }

    /** Moves every request to the end of {@code other}, in order. */
    public void moveAllTo(RequestQueue other) {
        Request r;
        while ((r = poll()) != null) {
            other.addLast(r);
        }
    }

    private void unlink(Request r) {
        Request p = r.prev;
        Request n = r.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev = p;
        }
        r.prev = null;
        r.next = null;
        r.queue = null;
        size--;
    }

    public boolean isEmpty() {
        return head == null;
    }

    public int size() {
        return size;
    }
}
