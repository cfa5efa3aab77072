package io.virtaio.virtio.queue;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters of one side of one virtqueue. Written only by the thread that owns that side; other threads may read
 * them at any time and see recent values (no ordering is promised).
 */
public final class QueueCounters {
    long chains;
    long bytes;
    long notificationsSent;
    long notificationsSuppressed;
    long lenClamped;
    long resets;
    final long[] violations = new long[Violation.values().length];

    /** Chains added (driver) or popped (device). */
    public long chains() {
        return chains;
    }

    /** Bytes the device reported written in used elements (driver: reaped; device: pushed). */
    public long bytes() {
        return bytes;
    }

    /** Notifications this side sent to the other (kicks or interrupts). */
    public long notificationsSent() {
        return notificationsSent;
    }

    /** Notification decisions that found the other side did not want one. */
    public long notificationsSuppressed() {
        return notificationsSuppressed;
    }

    /** Used lengths clamped under {@link UsedLenPolicy#CLAMP}. */
    public long lenClamped() {
        return lenClamped;
    }

    public long resets() {
        return resets;
    }

    public long violations(Violation v) {
        return violations[v.ordinal()];
    }

    public long violations() {
        long sum = 0;
        for (long v : violations) {
            sum += v;
        }
        return sum;
    }

    /** Non-zero counters by name, for printing. */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        put(m, "chains", chains);
        put(m, "bytes", bytes);
        put(m, "notifications_sent", notificationsSent);
        put(m, "notifications_suppressed", notificationsSuppressed);
        put(m, "len_clamped", lenClamped);
        put(m, "resets", resets);
        for (Violation v : Violation.values()) {
            put(m, "violation_" + v.name().toLowerCase(java.util.Locale.ROOT), violations[v.ordinal()]);
        }
        return m;
    }

    private static void put(Map<String, Long> m, String k, long v) {
        if (v != 0) {
            m.put(k, v);
        }
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
