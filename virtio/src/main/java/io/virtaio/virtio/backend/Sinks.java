package io.virtaio.virtio.backend;

import java.lang.foreign.MemorySegment;

/** Sinks the backends share. */
final class Sinks {
    private Sinks() {
    }

    /** Where a backend's frames go before a device connects: dropped as not ready. */
    static final FrameSink NOT_CONNECTED = new FrameSink() {
        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            return DROP_NOT_READY;
        }

        @Override
        public void flush(long nowNs) {
        }

        @Override
        public String toString() {
            return "not connected";
        }
    };
}
