package io.virtaio.virtio.queue;

import java.lang.foreign.MemorySegment;

/**
 * One descriptor chain as the device popped it: its head and its buffers, already translated into offsets of the
 * guest memory region and validated. Readable buffers come first, then writable ones (§2.7.4.2).
 *
 * <p>Reused across pops (allocation-free); valid until the next {@link SplitQueueDevice#pop} into it. The bytes
 * behind the offsets are shared with the driver and may change underneath: copy what must stay stable.
 */
public final class DescChain {
    private final MemorySegment region;
    private final long[] offsets;
    private final int[] lengths;
    private int head = -1;
    private int readable;
    private int writable;
    private long readableBytes;
    private long writableBytes;

    /** A chain able to hold {@code capacity} buffers, over the guest memory {@code region}. */
    public DescChain(MemorySegment region, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.region = region;
        this.offsets = new long[capacity];
        this.lengths = new int[capacity];
    }

    void reset(int newHead) {
        head = newHead;
        readable = 0;
        writable = 0;
        readableBytes = 0;
        writableBytes = 0;
    }

    /** False iff the chain is full. */
    boolean append(long offset, long length, boolean isWritable) {
        int i = readable + writable;
        if (i == offsets.length) {
            return false;
        }
        offsets[i] = offset;
        lengths[i] = (int) length;
        if (isWritable) {
            writable++;
            writableBytes += length;
        } else {
            readable++;
            readableBytes += length;
        }
        return true;
    }

    int capacity() {
        return offsets.length;
    }

    public int head() {
        return head;
    }

    /** The guest memory region the offsets refer to. */
    public MemorySegment region() {
        return region;
    }

    /** Number of buffers: readable ones are {@code 0..readableCount()-1}, writable ones follow. */
    public int count() {
        return readable + writable;
    }

    public int readableCount() {
        return readable;
    }

    public int writableCount() {
        return writable;
    }

    public long readableBytes() {
        return readableBytes;
    }

    public long writableBytes() {
        return writableBytes;
    }

    /** Region offset of buffer {@code i}. */
    public long offset(int i) {
        return offsets[i];
    }

    /** Length of buffer {@code i} (at most 2^31 - 1; longer descriptors are rejected at pop). */
    public int length(int i) {
        return lengths[i];
    }

    /**
     * Gathers readable bytes {@code [from, from + len)} into {@code dst} at {@code dstOffset}.
     *
     * @return bytes copied: {@code len}, or fewer if the readable part ends first
     */
    public int copyFromReadable(long from, MemorySegment dst, long dstOffset, int len) {
        return copy(0, readable, from, dst, dstOffset, len, false);
    }

    /**
     * Scatters {@code len} bytes of {@code src} at {@code srcOffset} into the writable buffers, starting at
     * writable byte {@code from}.
     *
     * @return bytes copied: {@code len}, or fewer if the writable part ends first
     */
    public int copyToWritable(long from, MemorySegment src, long srcOffset, int len) {
        return copy(readable, readable + writable, from, src, srcOffset, len, true);
    }

    private int copy(int first, int end, long from, MemorySegment other, long otherOffset, int len, boolean in) {
        int done = 0;
        long skip = from;
        for (int i = first; i < end && done < len; i++) {
            int bufLen = lengths[i];
            if (skip >= bufLen) {
                skip -= bufLen;
                continue;
            }
            int n = (int) Math.min(bufLen - skip, len - done);
            if (in) {
                MemorySegment.copy(other, otherOffset + done, region, offsets[i] + skip, n);
            } else {
                MemorySegment.copy(region, offsets[i] + skip, other, otherOffset + done, n);
            }
            done += n;
            skip = 0;
        }
        return done;
    }
}
