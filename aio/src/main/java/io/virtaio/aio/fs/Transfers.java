package io.virtaio.aio.fs;

import io.virtaio.aio.engine.Request;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Moves the bytes of one file request between its buffer (a heap or native {@link MemorySegment}) and a
 * {@link FileChannel}. Runs on a file worker.
 *
 * <p>The buffer is viewed as a ByteBuffer once per (request, segment) and the view is kept in the request, so a
 * request resubmitted with the same buffer allocates nothing. Heap segments that cannot be viewed (backed by an
 * array other than byte[]) are copied through the worker's bounce buffer.
 */
final class Transfers {
    /** Linux's MAX_RW_COUNT (INT_MAX rounded down to a page): the most one read or write transfers. */
    static final int MAX_RW_COUNT = 0x7fff_f000;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private Transfers() {
    }

    /**
     * Reads up to {@code n} bytes at {@code pos} (or at the stream position when {@code pos < 0}).
     *
     * @return bytes read (0 at end of file), or {@code -errno}
     */
    static long read(Request r, FileChannel ch, long pos, FileWorkers.Worker w) throws IOException {
        MemorySegment seg = r.buffer();
        int len = (int) Math.min(r.length(), MAX_RW_COUNT);
        ByteBuffer bb = view(r, seg, len);
        if (bb == null) {
            return readBounced(seg, len, ch, pos, w.bounce(), w.bounceSegment());
        }
        if (pos < 0) {
            int k = ch.read(bb);
            return k < 0 ? 0 : k;
        }
        long done = 0;
        while (bb.hasRemaining()) {
            int k = ch.read(bb, pos + done);
            if (k <= 0) {
                break;
            }
            done += k;
        }
        return done;
    }

    /**
     * Writes {@code n} bytes at {@code pos} (at the stream position, or the end under O_APPEND, when
     * {@code pos < 0}).
     *
     * @return bytes written, or {@code -errno}
     */
    static long write(Request r, FileChannel ch, long pos, FileWorkers.Worker w) throws IOException {
        MemorySegment seg = r.buffer();
        int len = (int) Math.min(r.length(), MAX_RW_COUNT);
        ByteBuffer bb = view(r, seg, len);
        if (bb == null) {
            return writeBounced(seg, len, ch, pos, w.bounce(), w.bounceSegment());
        }
        long done = 0;
        while (bb.hasRemaining()) {
            int k = pos < 0 ? ch.write(bb) : ch.write(bb, pos + done);
            if (k <= 0) {
                break;
            }
            done += k;
        }
        return done;
    }

    private static ByteBuffer view(Request r, MemorySegment seg, int len) {
        if (len == 0) {
            return EMPTY;
        }
        ByteBuffer v = r.cachedView(seg);
        if (v == null || v.capacity() < len) {
            try {
                v = seg.asSlice(0, Math.min(seg.byteSize(), MAX_RW_COUNT)).asByteBuffer();
            } catch (UnsupportedOperationException notByteArray) {
                return null;
            }
            r.cacheView(seg, v);
        }
        return v.clear().limit(len);
    }

    private static long readBounced(MemorySegment seg, int len, FileChannel ch, long pos, ByteBuffer bounce,
            MemorySegment b) throws IOException {
        long done = 0;
        while (done < len) {
            bounce.clear().limit((int) Math.min(bounce.capacity(), len - done));
            int k = pos < 0 ? ch.read(bounce) : ch.read(bounce, pos + done);
            if (k <= 0) {
                break;
            }
            MemorySegment.copy(b, 0, seg, done, k);
            done += k;
            if (pos < 0) {
                break;
            }
        }
        return done;
    }

    private static long writeBounced(MemorySegment seg, int len, FileChannel ch, long pos, ByteBuffer bounce,
            MemorySegment b) throws IOException {
        long done = 0;
        while (done < len) {
            int chunk = (int) Math.min(bounce.capacity(), len - done);
            MemorySegment.copy(seg, done, b, 0, chunk);
            bounce.clear().limit(chunk);
            while (bounce.hasRemaining()) {
                int k = pos < 0 ? ch.write(bounce) : ch.write(bounce, pos + done + bounce.position());
                if (k <= 0) {
                    return done + bounce.position();
                }
            }
            done += chunk;
        }
        return done;
    }
}
