package io.virtaio.virtio.fault;

import io.virtaio.virtio.queue.Doorbell;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A {@link Doorbell} that loses, delays, duplicates and adds notifications before they reach the doorbell it wraps,
 * as a flaky interrupt controller or a lossy event channel would. Delayed and spurious notifications are delivered
 * by {@link #poll}, which says when it next needs to run — so the owner's loop must poll it (a
 * {@link DeviceFaults} does).
 *
 * <p>{@link #ring()} has no clock: a delay counts from the latest {@code nowNs} the doorbell was given
 * ({@link #poll} or {@link #observe}). Randomness comes from the seed, one stream per decision. Confined to one
 * thread (the one that rings and polls it); allocation-free after construction.
 */
public final class FaultyDoorbell implements Doorbell {
    private final String name;
    private final SplittableRandom lossRng;
    private final SplittableRandom dupRng;
    private final SplittableRandom delayRng;
    private final SplittableRandom spuriousRng;
    private Doorbell target;
    private NotificationFaults faults;
    private long nowNs;
    private long pendingNs = Long.MAX_VALUE;
    private long nextSpuriousNs = Long.MAX_VALUE;

    private long rings;
    private long delivered;
    private long lost;
    private long delayed;
    private long coalesced;
    private long duplicated;
    private long spurious;

    /**
     * A doorbell in front of {@code target}.
     *
     * @param name a label for counters; also names its random streams, so doorbells with different names differ
     */
    public FaultyDoorbell(String name, Doorbell target, NotificationFaults faults, long seed) {
        if (name == null || target == null || faults == null) {
            throw new IllegalArgumentException("name, target and faults are required");
        }
        this.name = name;
        this.target = target;
        long base = Streams.DEVICE_BASE + (name.hashCode() & 0xFFFF_FFFFL) * 8;
        this.lossRng = Streams.named(seed, base);
        this.dupRng = Streams.named(seed, base + 1);
        this.delayRng = Streams.named(seed, base + 2);
        this.spuriousRng = Streams.named(seed, base + 3);
        setFaults(faults);
    }

    /** Changes what is done to notifications from now on; a pending delayed one stays pending. */
    public void setFaults(NotificationFaults f) {
        if (f == null) {
            throw new IllegalArgumentException("faults are required (NotificationFaults.NONE)");
        }
        faults = f;
        nextSpuriousNs = f.spuriousEveryNs() > 0 ? nowNs + exponential(f.spuriousEveryNs()) : Long.MAX_VALUE;
    }

    public NotificationFaults faults() {
        return faults;
    }

    /** The doorbell notifications go to. */
    public Doorbell target() {
        return target;
    }

    /** Points at another doorbell (the device's was replaced); counters and pending notifications stay. */
    public void setTarget(Doorbell d) {
        if (d == null || d == this) {
            throw new IllegalArgumentException("a faulty doorbell needs another doorbell to ring");
        }
        target = d;
    }

    private long exponential(long meanNs) {
        // Inverse transform; 1 - u is in (0, 1], so the log is finite.
        return Math.max(1, Math.round(-Math.log(1 - spuriousRng.nextDouble()) * meanNs));
    }

    /** Tells the doorbell the time, so that a delay counts from here. */
    public void observe(long now) {
        if (now > nowNs) {
            nowNs = now;
        }
    }

    @Override
    public void ring() {
        rings++;
        NotificationFaults f = faults;
        // One draw per stream per notification, whatever the outcome, so that the streams stay independent.
        boolean lose = f.loss() > 0 && lossRng.nextDouble() < f.loss();
        boolean twice = f.duplicate() > 0 && dupRng.nextDouble() < f.duplicate();
        boolean late = f.delay() > 0 && delayRng.nextDouble() < f.delay();
        if (lose) {
            lost++;
            return;
        }
        if (late) {
            delayed++;
            long due = nowNs + f.delayNs();
            if (pendingNs != Long.MAX_VALUE) {
                coalesced++;
            }
            pendingNs = Math.min(pendingNs, due);
            return;
        }
        deliver();
        if (twice) {
            duplicated++;
            deliver();
        }
    }

    private void deliver() {
        delivered++;
        target.ring();
    }

    /**
     * Delivers the delayed notification and the spurious ones due at {@code now}.
     *
     * @return when it next needs a poll, or {@link Long#MAX_VALUE}
     */
    public long poll(long now) {
        observe(now);
        if (pendingNs <= now) {
            pendingNs = Long.MAX_VALUE;
            deliver();
        }
        while (nextSpuriousNs <= now) {
            spurious++;
            nextSpuriousNs += exponential(faults.spuriousEveryNs());
            deliver();
        }
        return Math.min(pendingNs, nextSpuriousNs);
    }

    public String name() {
        return name;
    }

    /** Notifications rung into this doorbell. */
    public long rings() {
        return rings;
    }

    /** Notifications passed on (duplicates and spurious ones included). */
    public long delivered() {
        return delivered;
    }

    public long lost() {
        return lost;
    }

    public long delayed() {
        return delayed;
    }

    /** Delayed notifications merged into one already pending. */
    public long coalesced() {
        return coalesced;
    }

    public long duplicated() {
        return duplicated;
    }

    public long spurious() {
        return spurious;
    }

    /** Counters by name, prefixed with the doorbell's name: "irq.lost", …. */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put(name + ".rings", rings);
        m.put(name + ".delivered", delivered);
        m.put(name + ".lost", lost);
        m.put(name + ".delayed", delayed);
        m.put(name + ".coalesced", coalesced);
        m.put(name + ".duplicated", duplicated);
        m.put(name + ".spurious", spurious);
        return m;
    }

    @Override
    public String toString() {
        return "FaultyDoorbell[" + name + ", " + faults + "]";
    }
}
