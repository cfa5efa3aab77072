package io.virtaio.virtio.fault;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one direction of a {@link FaultStage} did: frames in and out, and every injected fault by kind. Written only
 * by the stage's thread; any thread may read and sees recent values, with no ordering promised.
 *
 * <p>Frames in = frames out + frames dropped − duplicates emitted + frames still held, at any moment.
 */
public final class FaultCounters {
    long framesIn;
    long bytesIn;
    long framesOut;
    long bytesOut;
    long refused;
    long untrackedFlows;
    final long[] faults = new long[FaultKind.values().length];

    /** Frames offered to this direction. */
    public long framesIn() {
        return framesIn;
    }

    public long bytesIn() {
        return bytesIn;
    }

    /** Frames handed on (originals and duplicates), whatever the receiver then did with them. */
    public long framesOut() {
        return framesOut;
    }

    public long bytesOut() {
        return bytesOut;
    }

    /** Frames handed on that the receiver refused (its own counters say why). */
    public long refused() {
        return refused;
    }

    /** Data segments not counted for {@code nth} because the bounded flow table was full. */
    public long untrackedFlows() {
        return untrackedFlows;
    }

    /** Faults of one kind (for {@link FaultKind#CORRUPT}: frames corrupted, whatever the number of flips). */
    public long faults(FaultKind kind) {
        return faults[kind.ordinal()];
    }

    /** Frames dropped by the stage, all reasons. */
    public long dropped() {
        long sum = 0;
        for (FaultKind k : FaultKind.values()) {
            if (k.drops()) {
                sum += faults[k.ordinal()];
            }
        }
        return sum;
    }

    /** Every counter by name, zeros included: frames_in, …, then each fault kind by its key. */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("frames_in", framesIn);
        m.put("bytes_in", bytesIn);
        m.put("frames_out", framesOut);
        m.put("bytes_out", bytesOut);
        m.put("refused", refused);
        m.put("dropped", dropped());
        m.put("untracked_flows", untrackedFlows);
        for (FaultKind k : FaultKind.values()) {
            m.put(k.key(), faults[k.ordinal()]);
        }
        return m;
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
