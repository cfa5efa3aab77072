package io.virtaio.netstack;

/**
 * The queue of sockets whose readiness may have changed since the layer above last looked: each socket at most
 * once, in the order they were marked. Sockets are identified by their slot in the stack's socket table, so the
 * queue's size is bounded by the table's. Confined to the stack's thread; allocation-free.
 *
 * <p>A slot released while its socket is queued is {@linkplain #forget forgotten}: the entry stays in the ring as
 * a hole that {@link #poll()} skips, or that a new socket in the same slot takes over, so a reused slot can neither
 * deliver the old socket nor lose the new one's event, and the ring never holds more than one entry per slot.
 */
public final class SocketEvents {
    private final Socket[] ring;
    private final int[] ringSlot;
    private final int[] position;
    private final boolean[] inRing;
    private int head;
    private int count;
    private int size;

    /** A queue for sockets in slots {@code 0 .. maxSockets-1}. */
    public SocketEvents(int maxSockets) {
        if (maxSockets <= 0) {
            throw new IllegalArgumentException("maxSockets must be positive: " + maxSockets);
        }
        this.ring = new Socket[maxSockets];
        this.ringSlot = new int[maxSockets];
        this.position = new int[maxSockets];
        this.inRing = new boolean[maxSockets];
    }

    /** Queues {@code s} unless it is already queued. */
    public void offer(Socket s) {
        int slot = s.slot();
        if (inRing[slot]) {
            int at = position[slot];
            if (ring[at] == null) {
                ring[at] = s;
                size++;
            }
            return;
        }
        int at = (head + count) % ring.length;
        ring[at] = s;
        ringSlot[at] = slot;
        position[slot] = at;
        inRing[slot] = true;
        count++;
        size++;
    }

    /** The next queued socket, or null. */
    public Socket poll() {
        while (count > 0) {
            Socket s = ring[head];
            ring[head] = null;
            inRing[ringSlot[head]] = false;
            head = (head + 1) % ring.length;
            count--;
            if (s != null) {
                size--;
                return s;
            }
        }
        return null;
    }

    /** Drops the queued event of the socket in {@code slot}, if any (the slot is being released). */
    public void forget(int slot) {
        if (inRing[slot] && ring[position[slot]] != null) {
            ring[position[slot]] = null;
            size--;
        }
    }

    /** The number of sockets queued. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }
}
