package io.virtaio.netstack.tcp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * Native memory for the send and receive rings of one stack: power-of-two blocks carved from one shared arena
 * and recycled through a free list per size, so steady connection churn allocates nothing new. At most
 * {@code limitBytes} are ever reserved from the arena ({@link #allocate} returns null beyond it: ENOBUFS or a
 * refused connection, never unbounded growth). {@link #close()} frees everything at once.
 *
 * <p>The arena is shared (not confined) because a stack may be built on one thread and polled on its loop
 * thread; every access still happens on one thread at a time.
 */
final class BufferPool implements AutoCloseable {
    private static final int MIN_SHIFT = 10;
    private static final int MAX_SHIFT = 28;

    private final Arena arena = Arena.ofShared();
    private final long limitBytes;
    private final FreeList[] free = new FreeList[MAX_SHIFT + 1];
    private long reservedBytes;
    private long inUseBytes;
    private boolean closed;

    BufferPool(long limitBytes) {
        this.limitBytes = limitBytes;
        for (int i = MIN_SHIFT; i <= MAX_SHIFT; i++) {
            free[i] = new FreeList();
        }
    }

    /** {@code bytes} rounded up to the power of two a ring of at least that size uses (1 KiB .. 256 MiB). */
    static int ringSize(int bytes) {
        int b = Math.clamp(bytes, 1 << MIN_SHIFT, 1 << MAX_SHIFT);
        return Integer.highestOneBit(b - 1) << 1;
    }

    /** A block of {@code ringSize(bytes)} bytes, or null when the pool's limit would be exceeded or it is closed. */
    MemorySegment allocate(int bytes) {
        if (closed) {
            return null;
        }
        int size = ringSize(bytes);
        int shift = Integer.numberOfTrailingZeros(size);
        MemorySegment s = free[shift].blocks.pollFirst();
        if (s == null) {
            if (reservedBytes + size > limitBytes) {
                return null;
            }
            s = arena.allocate(size, 64);
            reservedBytes += size;
        }
        inUseBytes += size;
        return s;
    }

    /** Returns a block obtained from {@link #allocate}. */
    void release(MemorySegment s) {
        if (closed || s == null) {
            return;
        }
        int shift = Integer.numberOfTrailingZeros((int) s.byteSize());
        inUseBytes -= s.byteSize();
        free[shift].blocks.addFirst(s);
    }

    /** Bytes ever taken from the arena (bounded by the limit). */
    long reservedBytes() {
        return reservedBytes;
    }

    /** Bytes handed out and not yet released. */
    long inUseBytes() {
        return inUseBytes;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (int i = MIN_SHIFT; i <= MAX_SHIFT; i++) {
                free[i].blocks.clear();
            }
            arena.close();
        }
    }

    /** Blocks of one size ready for reuse. */
    private static final class FreeList {
        final ArrayDeque<MemorySegment> blocks = new ArrayDeque<>();
    }
}
