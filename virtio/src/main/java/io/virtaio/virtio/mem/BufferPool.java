package io.virtaio.virtio.mem;

import java.lang.foreign.MemorySegment;

/**
 * Fixed-size buffers carved once out of guest memory, handed out and returned by index.
 *
 * <p>Confined to one thread (the driver's). {@link #acquire()} and {@link #release(int)} are O(1) and allocate
 * nothing; a double release is detected and rejected, since it would hand one buffer to two owners.
 */
public final class BufferPool {
    /** Returned by {@link #acquire()} when every buffer is in use. */
    public static final int NONE = -1;

    private final MemorySegment region;
    private final long firstAddress;
    private final long firstOffset;
    private final int bufferSize;
    private final long stride;
    private final int count;
    private final int[] freeStack;
    private final boolean[] inUse;
    private int freeCount;

    /** Carves {@code count} buffers of {@code bufferSize} bytes, each aligned to 64 bytes, out of {@code memory}. */
    public BufferPool(GuestMemory memory, int count, int bufferSize) {
        if (count <= 0 || bufferSize <= 0) {
            throw new IllegalArgumentException("buffer pool needs count > 0 and size > 0: " + count + " x " + bufferSize);
        }
        long stride = align64(bufferSize);
        this.region = memory.region();
        this.firstAddress = memory.reserve(stride * count, 64);
        this.firstOffset = memory.offsetOf(firstAddress);
        this.bufferSize = bufferSize;
        this.count = count;
        this.stride = stride;
        this.freeStack = new int[count];
        this.inUse = new boolean[count];
        for (int i = 0; i < count; i++) {
            freeStack[i] = count - 1 - i;
        }
        this.freeCount = count;
    }

    private static long align64(long n) {
        return (n + 63) & ~63L;
    }

    /** An unused buffer's index, or {@link #NONE}. */
    public int acquire() {
        if (freeCount == 0) {
            return NONE;
        }
        int index = freeStack[--freeCount];
        inUse[index] = true;
        return index;
    }

    /** Returns a buffer; throws {@link IllegalStateException} if it was not in use. */
    public void release(int index) {
        if (index < 0 || index >= count || !inUse[index]) {
            throw new IllegalStateException("buffer " + index + " released but not in use");
        }
        inUse[index] = false;
        freeStack[freeCount++] = index;
    }

    public boolean isInUse(int index) {
        return inUse[index];
    }

    /** Guest address of buffer {@code index}. */
    public long address(int index) {
        return firstAddress + stride * index;
    }

    /** Offset of buffer {@code index} in {@link #region()}. */
    public long offset(int index) {
        return firstOffset + stride * index;
    }

    /** The guest memory region the buffers live in. */
    public MemorySegment region() {
        return region;
    }

    public int bufferSize() {
        return bufferSize;
    }

    public int capacity() {
        return count;
    }

    public int available() {
        return freeCount;
    }
}
