package io.virtaio.netstack.tcp;

/**
 * Connection demultiplexing: an open-addressing hash table (linear probing, backward-shift deletion, no
 * tombstones) on the 4-tuple, with a keyed hash so remote peers cannot aim collisions. At most {@code limit}
 * entries in a table of at least twice as many slots. Lookups and updates allocate nothing.
 */
final class ConnectionTable {
    private final Connection[] slots;
    private final int mask;
    private final int limit;
    private final long seed;
    private int size;

    ConnectionTable(int limit, long seed) {
        int cap = Integer.highestOneBit(Math.max(16, limit * 2) - 1) << 1;
        this.slots = new Connection[cap];
        this.mask = cap - 1;
        this.limit = limit;
        this.seed = seed;
    }

    static int hash(long seed, int localPort, int remoteAddr, int remotePort) {
        long k = ((long) remoteAddr << 32 | (long) (remotePort & 0xFFFF) << 16 | (localPort & 0xFFFF)) ^ seed;
        // MurmurHash3 fmix64.
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return (int) k;
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size >= limit;
    }

    /** The connection for this 4-tuple, or null. */
    Connection find(int localAddr, int localPort, int remoteAddr, int remotePort) {
        int i = hash(seed, localPort, remoteAddr, remotePort) & mask;
        Connection c;
        while ((c = slots[i]) != null) {
            if (c.remoteAddr == remoteAddr && c.localPort == localPort && c.remotePort == remotePort
                    && (c.localAddr == localAddr || localAddr == 0)) {
                return c;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /** Adds {@code c}; false if the table holds {@code limit} connections already. */
    boolean insert(Connection c) {
        if (size >= limit) {
            return false;
        }
        int i = hash(seed, c.localPort, c.remoteAddr, c.remotePort) & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = c;
        size++;
        return true;
    }

    /** Removes {@code c} if present. */
    void remove(Connection c) {
        int i = hash(seed, c.localPort, c.remoteAddr, c.remotePort) & mask;
        while (slots[i] != null && slots[i] != c) {
            i = (i + 1) & mask;
        }
        if (slots[i] == null) {
            return;
        }
        slots[i] = null;
        size--;
        // Backward-shift deletion: move later entries of the run into the gap if their home allows it.
        int gap = i;
        int j = (i + 1) & mask;
        while (slots[j] != null) {
            Connection e = slots[j];
            int home = hash(seed, e.localPort, e.remoteAddr, e.remotePort) & mask;
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                slots[gap] = e;
                slots[j] = null;
                gap = j;
            }
            j = (j + 1) & mask;
        }
    }

    /** Every connection into {@code out} (control path, e.g. closeAll); returns the count. */
    int snapshot(Connection[] out) {
        int n = 0;
        for (Connection c : slots) {
            if (c != null) {
                out[n++] = c;
            }
        }
        return n;
    }
}
