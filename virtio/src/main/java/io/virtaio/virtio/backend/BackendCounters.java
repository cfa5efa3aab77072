package io.virtaio.virtio.backend;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a backend (or one direction of one) did with frames. Written only by the thread driving that backend or
 * direction; any thread may read and sees recent values, with no ordering promised.
 */
public final class BackendCounters {
    long frames;
    long bytes;
    long delivered;
    long deliveredBytes;
    long refused;
    long dropped;
    long batches;

    /** Frames offered to the backend by its sender. */
    public long frames() {
        return frames;
    }

    /** Bytes of those frames (virtio-net headers not counted). */
    public long bytes() {
        return bytes;
    }

    /** Frames handed on to the receiving sink that it accepted. */
    public long delivered() {
        return delivered;
    }

    /** Bytes of the frames delivered. */
    public long deliveredBytes() {
        return deliveredBytes;
    }

    /** Frames handed on to the receiving sink that it dropped (its own counters say why). */
    public long refused() {
        return refused;
    }

    /** Frames the backend dropped itself (a full queue, a write error). */
    public long dropped() {
        return dropped;
    }

    /** Batches ended by a flush towards the receiving sink. */
    public long batches() {
        return batches;
    }

    void countDelivery(int result, int length) {
        if (result == FrameSink.OK) {
            delivered++;
            deliveredBytes += length;
        } else {
            refused++;
        }
    }

    /** Every counter by name, zeros included. */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("frames", frames);
        m.put("bytes", bytes);
        m.put("delivered", delivered);
        m.put("delivered_bytes", deliveredBytes);
        m.put("refused", refused);
        m.put("dropped", dropped);
        m.put("batches", batches);
        return m;
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
