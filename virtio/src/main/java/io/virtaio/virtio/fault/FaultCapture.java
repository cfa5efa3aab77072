package io.virtaio.virtio.fault;

import io.virtaio.virtio.backend.PcapWriter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * The stage's optional pcapng recorder, shared by both directions. A write error stops the capture (kept in
 * {@link #failure()}), never the traffic.
 */
final class FaultCapture {
    private PcapWriter writer;
    private IOException failure;

    void attach(PcapWriter w) {
        writer = w;
        failure = null;
    }

    boolean active() {
        return writer != null;
    }

    IOException failure() {
        return failure;
    }

    void write(long nowNs, MemorySegment frame, long off, int length, int flags, CommentBuffer comment) {
        PcapWriter w = writer;
        if (w == null) {
            return;
        }
        try {
            w.write(nowNs, frame, off, length, flags, comment == null ? null : comment.bytes(),
                    comment == null ? 0 : comment.length());
        } catch (IOException e) {
            failure = e;
            writer = null;
        }
    }
}
