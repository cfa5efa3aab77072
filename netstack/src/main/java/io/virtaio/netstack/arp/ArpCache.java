package io.virtaio.netstack.arp;

import io.virtaio.netstack.ip.NeighborResolver;
import io.virtaio.netstack.util.IntIntMap;

/**
 * The neighbour table: IPv4 address to MAC address, with a fixed number of entries (RFC 826's "translation
 * table"; RFC 1122 §2.3.2.1 asks for a cache with timeouts).
 *
 * <p>Each entry is INCOMPLETE (being resolved), REACHABLE (a MAC address until a deadline) or FAILED (no answer;
 * unreachable until a deadline). Expiry is lazy: a REACHABLE entry past its deadline answers as unresolved, and a
 * FAILED one past its hold-down as absent, so no timer runs per entry. When the table is full, a new address takes
 * the entry that expires first among those not being resolved. Entries are numbered {@code 0 .. capacity-1};
 * the numbers stay put while the address index moves. Thread: the stack's. Allocation-free after construction.
 */
public final class ArpCache {
    static final byte FREE = 0;
    static final byte INCOMPLETE = 1;
    static final byte REACHABLE = 2;
    static final byte FAILED = 3;

    private final IntIntMap index;
    private final int[] address;
    private final long[] mac;
    private final long[] deadlineNs;
    private final int[] attempts;
    private final byte[] state;
    private final int[] free;
    private int freeCount;
    private long evictions;

    /** A table of {@code capacity} entries. */
    public ArpCache(int capacity) {
        this.index = new IntIntMap(capacity);
        this.address = new int[capacity];
        this.mac = new long[capacity];
        this.deadlineNs = new long[capacity];
        this.attempts = new int[capacity];
        this.state = new byte[capacity];
        this.free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
    }

    /**
     * The MAC address for {@code addr} at {@code nowNs}, or {@link NeighborResolver#UNRESOLVED} or
     * {@link NeighborResolver#UNREACHABLE}. On the path of every transmission: one probe of the index.
     */
    public long lookup(int addr, long nowNs) {
        int e = index.get(addr);
        if (e == IntIntMap.MISSING) {
            return NeighborResolver.UNRESOLVED;
        }
        return switch (state[e]) {
            case REACHABLE -> nowNs < deadlineNs[e] ? mac[e] : NeighborResolver.UNRESOLVED;
            case FAILED -> nowNs < deadlineNs[e] ? NeighborResolver.UNREACHABLE : NeighborResolver.UNRESOLVED;
            default -> NeighborResolver.UNRESOLVED;
        };
    }

    /** The entry of {@code addr}, or -1. */
    public int find(int addr) {
        return index.get(addr);
    }

    /**
     * A new entry for {@code addr} (which must be absent), evicting the entry that expires first among those not
     * INCOMPLETE when the table is full; -1 if every entry is being resolved. The entry starts FREE: set its state.
     */
    public int insert(int addr) {
        if (freeCount == 0 && !evict()) {
            return -1;
        }
        int e = free[--freeCount];
        address[e] = addr;
        state[e] = FREE;
        attempts[e] = 0;
        index.put(addr, e);
        return e;
    }

    private boolean evict() {
        int victim = -1;
        for (int e = 0; e < state.length; e++) {
            if (state[e] != INCOMPLETE && (victim < 0 || deadlineNs[e] < deadlineNs[victim])) {
                victim = e;
            }
        }
        if (victim < 0) {
            return false;
        }
        remove(victim);
        evictions++;
        return true;
    }

    /** Frees entry {@code e}. */
    public void remove(int e) {
        index.remove(address[e]);
        state[e] = FREE;
        free[freeCount++] = e;
    }

    /** Starts a resolution of {@code e}: INCOMPLETE, no request sent yet. */
    public void setIncomplete(int e) {
        state[e] = INCOMPLETE;
        attempts[e] = 0;
    }

    /** Records {@code hw} for entry {@code e}, valid until {@code deadlineNs}. */
    public void setReachable(int e, long hw, long deadline) {
        state[e] = REACHABLE;
        mac[e] = hw;
        deadlineNs[e] = deadline;
        attempts[e] = 0;
    }

    /** Marks {@code e} unreachable until {@code deadlineNs}. */
    public void setFailed(int e, long deadline) {
        state[e] = FAILED;
        deadlineNs[e] = deadline;
    }

    public boolean isIncomplete(int e) {
        return state[e] == INCOMPLETE;
    }

    public int address(int e) {
        return address[e];
    }

    /** Requests sent for {@code e} in its current resolution. */
    public int attempts(int e) {
        return attempts[e];
    }

    /** Counts one more request for {@code e}; returns the new count. */
    public int countAttempt(int e) {
        return ++attempts[e];
    }

    /** Entries in use. */
    public int size() {
        return index.size();
    }

    public int capacity() {
        return state.length;
    }

    /** Entries taken from other addresses because the table was full. */
    public long evictions() {
        return evictions;
    }
}
