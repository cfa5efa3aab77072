package io.virtaio.virtio.fault;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code capacity} fault events of a stage, in a preallocated ring of primitives (appending allocates
 * nothing), and a digest of every event ever appended — two runs injected the same faults at the same times iff
 * their digests are equal (up to 64-bit hash collisions). Confined to the stage's thread; {@link #events()} copies.
 */
final class FaultEventLog {
    private final int mask;
    private final long[] time;
    private final long[] frame;
    private final long[] a;
    private final long[] b;
    private final byte[] dirKind;
    private long total;
    private long digest = 0x243F6A8885A308D3L;

    FaultEventLog(int capacity) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("event log capacity must be a power of two: " + capacity);
        }
        this.mask = capacity - 1;
        this.time = new long[capacity];
        this.frame = new long[capacity];
        this.a = new long[capacity];
        this.b = new long[capacity];
        this.dirKind = new byte[capacity];
    }

    void append(long nowNs, Direction d, long frameNo, FaultKind kind, long x, long y) {
        int i = (int) (total & mask);
        time[i] = nowNs;
        frame[i] = frameNo;
        a[i] = x;
        b[i] = y;
        int dk = (d.ordinal() << 5) | kind.ordinal();
        dirKind[i] = (byte) dk;
        total++;
        long h = digest;
        h = Streams.mix64(h ^ nowNs);
        h = Streams.mix64(h ^ frameNo);
        h = Streams.mix64(h ^ dk);
        h = Streams.mix64(h ^ x);
        digest = Streams.mix64(h ^ y);
    }

    /** Events appended since creation (the ring keeps the last {@code capacity}). */
    long total() {
        return total;
    }

    long digest() {
        return digest;
    }

    /** The events the ring still holds, oldest first. */
    List<FaultEvent> events() {
        int n = (int) Math.min(total, mask + 1L);
        List<FaultEvent> out = new ArrayList<>(n);
        Direction[] dirs = Direction.values();
        FaultKind[] kinds = FaultKind.values();
        for (long k = total - n; k < total; k++) {
            int i = (int) (k & mask);
            out.add(new FaultEvent(time[i], dirs[dirKind[i] >>> 5], frame[i], kinds[dirKind[i] & 31], a[i], b[i]));
        }
        return out;
    }
}
