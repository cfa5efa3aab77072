package io.virtaio.virtio.mem;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The driver's RAM: one native region, allocated once, addressed by guest-physical addresses.
 *
 * <p>Guest address {@code base + k} is byte {@code k} of {@link #region()}. The base is not zero on purpose, so a
 * confusion between a guest address and a region offset shows up as a translation failure rather than silently
 * working.
 *
 * <p>Two uses, two sets of methods:
 * <ul>
 *   <li>Driver side (trusted, set-up time): {@link #reserve} hands out aligned areas for rings and buffer pools by
 *       bumping a pointer; it is not thread-safe and is meant for initialization. {@link #offsetOf} converts an
 *       address the driver itself produced.</li>
 *   <li>Device side (untrusted input): {@link #translate} checks that a range named by the other side lies wholly
 *       inside the region, with overflow checks, and returns its offset or {@link #INVALID}. It reads only final
 *       fields and may be called from any thread.</li>
 * </ul>
 * Closing frees the region; no view of it may be used afterwards.
 */
public final class GuestMemory implements AutoCloseable {
    /** Guest-physical address of the first byte of the region. */
    public static final long DEFAULT_BASE = 0x4000_0000L;
    /** Returned by {@link #translate} when a range is not inside the region. */
    public static final long INVALID = -1;

    private final Arena arena;
    private final MemorySegment region;
    private final long base;
    private final long size;
    private long nextFree;

    private GuestMemory(Arena arena, MemorySegment region, long base) {
        this.arena = arena;
        this.region = region;
        this.base = base;
        this.size = region.byteSize();
    }

    /** Allocates a zeroed region of {@code size} bytes at {@link #DEFAULT_BASE}, aligned to a page. */
    public static GuestMemory allocate(long size) {
        return allocate(size, DEFAULT_BASE);
    }

    /** Allocates a zeroed region of {@code size} bytes whose first byte has guest address {@code base}. */
    public static GuestMemory allocate(long size, long base) {
        if (size <= 0) {
            throw new IllegalArgumentException("guest memory size must be positive: " + size);
        }
        if (base < 0 || base > Long.MAX_VALUE - size) {
            throw new IllegalArgumentException("guest memory base " + base + " + size " + size + " overflows");
        }
        Arena arena = Arena.ofShared();
        try {
            return new GuestMemory(arena, arena.allocate(size, 4096), base);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** The whole region; offsets in it are {@code guestAddress - base()}. */
    public MemorySegment region() {
        return region;
    }

    public long base() {
        return base;
    }

    public long size() {
        return size;
    }

    /** Bytes not yet handed out by {@link #reserve(long, long)}. */
    public long remaining() {
        return size - nextFree;
    }

    /**
     * Hands out {@code bytes} bytes aligned to {@code align} (a power of two) and returns their guest address.
     * Set-up path for the driver: throws {@link IllegalStateException} when the region is exhausted.
     */
    public long reserve(long bytes, long align) {
        if (bytes <= 0 || align <= 0 || Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("bad allocation: " + bytes + " bytes aligned to " + align);
        }
        long start = (nextFree + align - 1) & -align;
        if (start > size || bytes > size - start) {
            throw new IllegalStateException("guest memory exhausted: " + bytes + " bytes wanted, "
                    + Math.max(0, size - start) + " of " + size + " left");
        }
        nextFree = start + bytes;
        return base + start;
    }

    /** Region offset of a guest address the driver itself produced (no check beyond an assertion). */
    public long offsetOf(long guestAddress) {
        assert contains(guestAddress, 1) : "guest address outside the region: " + Long.toHexString(guestAddress);
        return guestAddress - base;
    }

    /** Guest address of a region offset. */
    public long addressOf(long offset) {
        return base + offset;
    }

    /**
     * Device side: the region offset of {@code [addr, addr + len)}, or {@link #INVALID} if any byte of it lies
     * outside the region or the range overflows. {@code len} is treated as unsigned 32-bit when it comes from a
     * descriptor; callers pass it widened to long.
     */
    public long translate(long addr, long len) {
        long offset = addr - base;
        // Unsigned comparisons: a negative offset (addr below base, or addr >= 2^63) fails both.
        if (Long.compareUnsigned(offset, size) >= 0 && !(len == 0 && offset == size)) {
            return INVALID;
        }
        if (len < 0 || Long.compareUnsigned(len, size - offset) > 0) {
            return INVALID;
        }
        return offset;
    }

    /** True iff {@code [addr, addr + len)} lies wholly inside the region. */
    public boolean contains(long addr, long len) {
        return translate(addr, len) != INVALID;
    }

    @Override
    public void close() {
        arena.close();
    }
}
