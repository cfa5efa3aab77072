package io.virtaio.netstack;

/**
 * The queue of sockets whose readiness may have changed since the layer above last looked: each socket at most
 * once, in the order they were marked. Sockets are identified by their slot in the stack's socket table, so the
 * queue's size is bounded by the table's. Confined to the stack's thread; allocation-free.
 */
public final class SocketEvents {
    private final Socket[] ring;
    private final boolean[] queued;
    private int head;
    private int size;

    /** A queue for sockets in slots {@code 0 .. maxSockets-1}. */
    public SocketEvents(int maxSockets) {
        if (maxSockets <= 0) {
            throw new IllegalArgumentException("maxSockets must be positive: " + maxSockets);
        }
        this.ring = new Socket[maxSockets];
        this.queued = new boolean[maxSockets];
    }

    /** Queues {@code s} unless it is already queued. */
    public void offer(Socket s) {
        int slot = s.slot();
        if (queued[slot]) {
            return;
        }
        queued[slot] = true;
        ring[(head + size) % ring.length] = s;
        size++;
    }

    /** The next queued socket, or null. */
    public Socket poll() {
        if (size == 0) {
            return null;
        }
        Socket s = ring[head];
        ring[head] = null;
        queued[s.slot()] = false;
        head = (head + 1) % ring.length;
        size--;
        return s;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }
}
