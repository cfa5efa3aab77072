package io.virtaio.aio.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Native buffers the runtime hands out ({@code AioRuntime.allocate}) and frees, at the latest when it closes.
 * Each buffer has a shared arena of its own, so it can be freed alone; allocating one costs a global handshake
 * (about 60 µs, performance.md), so buffers are allocated at setup and reused, never per operation.
 */
public final class OwnedMemory implements AutoCloseable {
    private record Allocation(Arena arena, long bytes) {
    }

    private final ConcurrentHashMap<MemorySegment, Allocation> allocations = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private volatile boolean closed;

    /** A zeroed native buffer of {@code size} bytes aligned to {@code alignment}, usable from any thread. */
    public MemorySegment allocate(long size, long alignment) {
        if (closed) {
            throw new IllegalStateException("runtime closed");
        }
        Arena arena = Arena.ofShared();
        MemorySegment s;
        try {
            s = arena.allocate(size, alignment);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
        allocations.put(s, new Allocation(arena, size));
        bytes.addAndGet(size);
        return s;
    }

    /**
     * Frees a buffer from {@link #allocate}: the segment (and every slice of it) becomes inaccessible.
     *
     * @return false if {@code s} is not a buffer of this runtime, or it is in use by another thread right now
     */
    public boolean free(MemorySegment s) {
        Allocation a = allocations.remove(s);
        if (a == null) {
            return false;
        }
        try {
            a.arena().close();
        } catch (IllegalStateException inUse) {
            allocations.put(s, a);
            return false;
        }
        bytes.addAndGet(-a.bytes());
        return true;
    }

    /** Bytes allocated and not yet freed. */
    public long bytes() {
        return bytes.get();
    }

    /** Frees every buffer still allocated. */
    @Override
    public void close() {
        closed = true;
        for (MemorySegment s : allocations.keySet()) {
            free(s);
        }
    }
}
