package io.virtaio.netstack.util;

import java.util.Arrays;

/**
 * A map from {@code int} keys to non-negative {@code int} values with a fixed capacity, for the stack's tables that
 * the receive path consults per packet (ARP neighbours by address, UDP sockets by port).
 *
 * <p>Open addressing with linear probing at a load factor of at most 1/2, and backward-shift deletion (Knuth, TAOCP
 * vol. 3, §6.4, Algorithm R), so deletions leave no tombstones and lookups stay short however the table churns.
 * Every operation is O(1) expected and allocates nothing. Not thread-safe.
 */
public final class IntIntMap {
    /** Returned for an absent key; values stored must be non-negative, so it never collides with one. */
    public static final int MISSING = -1;

    private final int[] keys;
    private final int[] values;
    private final int mask;
    private final int capacity;
    private int size;

    /** A map holding up to {@code capacity} entries. */
    public IntIntMap(int capacity) {
        if (capacity < 1 || capacity > 1 << 28) {
            throw new IllegalArgumentException("capacity must be 1..2^28: " + capacity);
        }
        int slots = Integer.highestOneBit(capacity) << 2;   // a power of two >= 2 * capacity
        this.keys = new int[slots];
        this.values = new int[slots];
        Arrays.fill(values, MISSING);
        this.mask = slots - 1;
        this.capacity = capacity;
    }

    /** The value of {@code key}, or {@link #MISSING}. */
    public int get(int key) {
        for (int i = home(key); ; i = (i + 1) & mask) {
            int v = values[i];
            if (v == MISSING || keys[i] == key) {
                return v;
            }
        }
    }

    /**
     * Maps {@code key} to {@code value}, replacing any previous value.
     *
     * @return false (and no change) when the key is new and the map already holds {@link #capacity()} entries
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public boolean put(int key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("values must be non-negative: " + value);
        }
        int i = home(key);
        while (values[i] != MISSING) {
            if (keys[i] == key) {
                values[i] = value;
                return true;
            }
            i = (i + 1) & mask;
        }
        if (size == capacity) {
            return false;
        }
        keys[i] = key;
        values[i] = value;
        size++;
        return true;
    }

    /** Removes {@code key}; returns its value, or {@link #MISSING} if it was absent. */
    public int remove(int key) {
        int i = home(key);
        while (values[i] != MISSING && keys[i] != key) {
            i = (i + 1) & mask;
        }
        int removed = values[i];
        if (removed == MISSING) {
            return MISSING;
        }
        // Algorithm R: walk the cluster after the hole; move back every entry whose home is not cyclically in
        // (hole, j], since a lookup for it would otherwise stop at the hole.
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != MISSING; j = (j + 1) & mask) {
            int h = home(keys[j]);
            boolean staysPut = hole <= j ? hole < h && h <= j : hole < h || h <= j;
            if (!staysPut) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = MISSING;
        size--;
        return removed;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    /** Removes every entry. */
    public void clear() {
        Arrays.fill(values, MISSING);
        size = 0;
    }

    private int home(int key) {
        int h = key * 0x9E37_79B9;      // Fibonacci hashing: spreads ports and addresses that differ in low bits
        return (h ^ h >>> 16) & mask;
    }
}
