package io.virtaio.netstack.tcp;

/**
 * A bounded map from a 4-tuple to a small int (an entry number), in primitive arrays: open addressing with linear
 * probing and backward-shift deletion, keyed hash. The index behind the SYN queue and the TIME_WAIT table, whose
 * entries must stay tiny and allocation-free even under a flood.
 */
final class TupleIndex {
    private static final int EMPTY = -1;

    private final long[] keys;
    private final int[] localAddrs;
    private final int[] values;
    private final int mask;
    private final long seed;
    private int size;

    TupleIndex(int maxEntries, long seed) {
        int cap = Integer.highestOneBit(Math.max(16, maxEntries * 2) - 1) << 1;
        keys = new long[cap];
        localAddrs = new int[cap];
        values = new int[cap];
        java.util.Arrays.fill(values, EMPTY);
        mask = cap - 1;
        this.seed = seed;
    }

    private static long key(int localPort, int remoteAddr, int remotePort) {
        return (long) remoteAddr << 32 | (long) (remotePort & 0xFFFF) << 16 | (localPort & 0xFFFF);
    }

    private int home(long key) {
        long k = key ^ seed;
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return (int) k & mask;
    }

    int size() {
        return size;
    }

    /** The value for the tuple, or -1. */
    int get(int localAddr, int localPort, int remoteAddr, int remotePort) {
        long k = key(localPort, remoteAddr, remotePort);
        int i = home(k);
        while (values[i] != EMPTY) {
            if (keys[i] == k && (localAddrs[i] == localAddr || localAddr == 0)) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        return EMPTY;
    }

    /** Maps the tuple (not present) to {@code value}; the caller keeps size below maxEntries. */
    void put(int localAddr, int localPort, int remoteAddr, int remotePort, int value) {
        long k = key(localPort, remoteAddr, remotePort);
        int i = home(k);
        while (values[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        keys[i] = k;
        localAddrs[i] = localAddr;
        values[i] = value;
        size++;
    }

    /** Removes the mapping of the tuple to {@code value}, if present. */
    void remove(int localAddr, int localPort, int remoteAddr, int remotePort, int value) {
        long k = key(localPort, remoteAddr, remotePort);
        int i = home(k);
        while (values[i] != EMPTY && !(keys[i] == k && localAddrs[i] == localAddr && values[i] == value)) {
            i = (i + 1) & mask;
        }
        if (values[i] == EMPTY) {
            return;
        }
        values[i] = EMPTY;
        size--;
        int gap = i;
        int j = (i + 1) & mask;
        while (values[j] != EMPTY) {
            int h = home(keys[j]);
            if (((j - h) & mask) >= ((j - gap) & mask)) {
                keys[gap] = keys[j];
                localAddrs[gap] = localAddrs[j];
                values[gap] = values[j];
                values[j] = EMPTY;
                gap = j;
            }
            j = (j + 1) & mask;
        }
    }
}
