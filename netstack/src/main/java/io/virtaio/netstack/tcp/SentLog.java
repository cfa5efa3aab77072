package io.virtaio.netstack.tcp;

import io.virtaio.netstack.wire.Seq;

/**
 * What was sent and not yet cumulatively acknowledged, one record per transmitted segment, in sequence order: its
 * range {@code [start, end)} (a FIN counts one), when it was last sent (ns), and whether it is SACKed, deemed lost,
 * retransmitted. The SACK scoreboard (RFC 6675), RACK (RFC 8985) and Karn's rule (RFC 6298 §3) all work on it.
 *
 * <p>A preallocated ring of parallel primitive arrays: no object per segment. Its capacity bounds the number of
 * segments in flight; the sender stops sending new data while it is full. Records are addressed by position
 * {@code 0 .. size()-1} from the oldest.
 */
final class SentLog {
    static final int SACKED = 1;
    /** Deemed lost (RFC 6675 IsLost, RACK, or an RTO); with RETRANS set, a retransmission is in flight. */
    static final int LOST = 2;
    /** A retransmission of it is in flight. */
    static final int RETRANS = 4;
    /** Retransmitted at least once: Karn's rule forbids RTT samples from it. */
    static final int EVER_RETRANS = 8;
    /** Carries our FIN (one sequence number at its end). */
    static final int FIN = 16;

    private final int[] start;
    private final int[] end;
    private final long[] sentNs;
    private final byte[] flags;
    private final int mask;
    private int head;
    private int size;
    /** The most records ever held at once (diagnostics: the bound is the capacity). */
    int highWater;

    SentLog(int capacity) {
        int cap = Integer.highestOneBit(Math.max(16, capacity) - 1) << 1;
        start = new int[cap];
        end = new int[cap];
        sentNs = new long[cap];
        flags = new byte[cap];
        mask = cap - 1;
    }

    int capacity() {
        return mask + 1;
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size == mask + 1;
    }

    boolean isEmpty() {
        return size == 0;
    }

    private int slot(int i) {
        return (head + i) & mask;
    }

    int start(int i) {
        return start[slot(i)];
    }

    int end(int i) {
        return end[slot(i)];
    }

    /** Sequence space of record {@code i} (data plus one for a FIN). */
    int length(int i) {
        int s = slot(i);
        return end[s] - start[s];
    }

    long sentNs(int i) {
        return sentNs[slot(i)];
    }

    int flags(int i) {
        return flags[slot(i)];
    }

    boolean has(int i, int flag) {
        return (flags[slot(i)] & flag) != 0;
    }

    void set(int i, int flag) {
        int s = slot(i);
        flags[s] = (byte) (flags[s] | flag);
    }

    void clear(int i, int flag) {
        int s = slot(i);
        flags[s] = (byte) (flags[s] & ~flag);
    }

    void setSentNs(int i, long ns) {
        sentNs[slot(i)] = ns;
    }

    /** Appends a record; the caller checked {@link #isFull()}. */
    void add(int s, int e, long ns, int f) {
        int k = slot(size);
        start[k] = s;
        end[k] = e;
        sentNs[k] = ns;
        flags[k] = (byte) f;
        size++;
        if (size > highWater) {
            highWater = size;
        }
    }

    /** Extends the newest record to {@code e} (a FIN appended to it, or coalesced data not yet sent). */
    void extendLast(int e, int f) {
        int k = slot(size - 1);
        end[k] = e;
        flags[k] = (byte) (flags[k] | f);
    }

    /** Removes the oldest record. */
    void removeFirst() {
        head = (head + 1) & mask;
        size--;
    }

    /** The peer acknowledged part of the oldest record: it now starts at {@code s}. */
    void trimFirst(int s) {
        start[head] = s;
    }

    /** The position of the record holding {@code seq}, or -1. Binary search: records are in sequence order. */
    int find(int seq) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int k = slot(mid);
            if (Seq.lt(seq, start[k])) {
                hi = mid - 1;
            } else if (Seq.ge(seq, end[k])) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /**
     * Splits record {@code i} at {@code seq} (strictly inside it) into two with the same flags and time; false
     * if the log is full. O(size): only on rare paths (path MTU decrease, partial SACK).
     */
    boolean split(int i, int seq) {
        if (isFull()) {
            return false;
        }
        for (int j = size; j > i + 1; j--) {
            int to = slot(j);
            int from = slot(j - 1);
            start[to] = start[from];
            end[to] = end[from];
            sentNs[to] = sentNs[from];
            flags[to] = flags[from];
        }
        int a = slot(i);
        int b = slot(i + 1);
        start[b] = seq;
        end[b] = end[a];
        sentNs[b] = sentNs[a];
        flags[b] = flags[a];
        end[a] = seq;
        flags[a] = (byte) (flags[a] & ~FIN);
        size++;
        return true;
    }

    void clearAll() {
        head = 0;
        size = 0;
    }
}
