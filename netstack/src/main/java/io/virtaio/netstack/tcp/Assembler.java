package io.virtaio.netstack.tcp;

/**
 * The out-of-order ranges of a receive buffer (smoltcp's Assembler idea): at most {@code maxRanges} disjoint,
 * non-adjacent {@code [start, end)} intervals of stream positions beyond RCV.NXT, sorted. The bytes themselves are
 * already in the ring at their place; this only records which are there. A segment that would need one range more
 * than the bound is refused (the caller drops and counts it), so memory stays bounded under any loss pattern.
 *
 * <p>It also remembers which ranges changed most recently, for the SACK option (RFC 2018 §4: the first block
 * reports the most recently received segment, the following ones the most recently reported other blocks).
 * Allocation-free.
 */
final class Assembler {
    private static final int RECENT = 4;

    private final long[] start;
    private final long[] end;
    private int count;
    /** Positions inside recently changed ranges, most recent first. */
    private final long[] recent = new long[RECENT];
    private int recentCount;
    /** The most ranges ever held at once (a test and diagnostics hook for the bound). */
    int highWater;

    Assembler(int maxRanges) {
        this.start = new long[maxRanges];
        this.end = new long[maxRanges];
    }

    int count() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int maxRanges() {
        return start.length;
    }

    long start(int i) {
        return start[i];
    }

    long end(int i) {
        return end[i];
    }

    /**
     * Records {@code [s, e)}, merging with overlapping or adjacent ranges.
     *
     * @return false (and nothing recorded) if that would need more than {@code maxRanges} ranges
     */
    boolean add(long s, long e) {
        if (e <= s) {
            return true;
        }
        // First range that ends at or after s (could merge), and first that starts after e (cannot).
        int lo = 0;
        while (lo < count && end[lo] < s) {
            lo++;
        }
        int hi = lo;
        while (hi < count && start[hi] <= e) {
            hi++;
        }
        if (lo == hi) {
            if (count == start.length) {
                return false;
            }
            System.arraycopy(start, lo, start, lo + 1, count - lo);
            System.arraycopy(end, lo, end, lo + 1, count - lo);
            start[lo] = s;
            end[lo] = e;
            count++;
            highWater = Math.max(highWater, count);
        } else {
            long ns = Math.min(s, start[lo]);
            long ne = Math.max(e, end[hi - 1]);
            start[lo] = ns;
            end[lo] = ne;
            int removed = hi - lo - 1;
            if (removed > 0) {
                System.arraycopy(start, hi, start, lo + 1, count - hi);
                System.arraycopy(end, hi, end, lo + 1, count - hi);
                count -= removed;
            }
        }
        noteRecent(s);
        return true;
    }

    /** True if {@code [s, e)} is entirely recorded already. */
    boolean contains(long s, long e) {
        for (int i = 0; i < count; i++) {
            if (start[i] <= s && e <= end[i]) {
                return true;
            }
        }
        return false;
    }

    /**
     * If the first range begins at or before {@code pos} (the in-order end), removes every range now contiguous
     * and returns the new in-order end; otherwise returns {@code pos}.
     */
    long advance(long pos) {
        long p = pos;
        int i = 0;
        while (i < count && start[i] <= p) {
            p = Math.max(p, end[i]);
            i++;
        }
        if (i > 0) {
            System.arraycopy(start, i, start, 0, count - i);
            System.arraycopy(end, i, end, 0, count - i);
            count -= i;
        }
        return p;
    }

    void clear() {
        count = 0;
        recentCount = 0;
    }

    private void noteRecent(long pos) {
        // Move to the front, dropping an older entry that lies in the same range.
        int dup = -1;
        for (int i = 0; i < recentCount; i++) {
            if (sameRange(recent[i], pos)) {
                dup = i;
                break;
            }
        }
        int shiftFrom = dup >= 0 ? dup : Math.min(recentCount, RECENT - 1);
        System.arraycopy(recent, 0, recent, 1, shiftFrom);
        recent[0] = pos;
        if (dup < 0 && recentCount < RECENT) {
            recentCount++;
        }
    }

    private boolean sameRange(long a, long b) {
        int ra = rangeOf(a);
        return ra >= 0 && ra == rangeOf(b);
    }

    private int rangeOf(long pos) {
        for (int i = 0; i < count; i++) {
            if (start[i] <= pos && pos < end[i]) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Fills {@code outStart/outEnd} with up to {@code max} ranges for SACK blocks, most recently changed first
     * (RFC 2018 §4), then the others in ascending order; returns how many.
     */
    int sackBlocks(long[] outStart, long[] outEnd, int max) {
        int n = 0;
        long usedMask = 0;
        for (int i = 0; i < recentCount && n < max; i++) {
            int r = rangeOf(recent[i]);
            if (r >= 0 && (usedMask & (1L << Math.min(r, 63))) == 0) {
                usedMask |= 1L << Math.min(r, 63);
                outStart[n] = start[r];
                outEnd[n] = end[r];
                n++;
            }
        }
        for (int r = 0; r < count && n < max; r++) {
            if ((usedMask & (1L << Math.min(r, 63))) == 0 || r >= 63) {
                boolean dup = false;
                for (int k = 0; k < n; k++) {
                    if (outStart[k] == start[r]) {
                        dup = true;
                        break;
                    }
                }
                if (!dup) {
                    outStart[n] = start[r];
                    outEnd[n] = end[r];
                    n++;
                }
            }
        }
        return n;
    }
}
