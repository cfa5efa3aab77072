package io.virtaio.virtio.fault;

/**
 * What a {@link FaultyDoorbell} does to the notifications it passes on (virtio 1.2 §2.3: available-buffer and
 * used-buffer notifications carry no data; the rings say what happened).
 *
 * @param loss             probability that a notification is lost
 * @param duplicate        probability that a delivered notification is delivered twice
 * @param delay            probability that a notification is delivered {@code delayNs} late
 * @param delayNs          how late a delayed notification comes; delayed notifications that overlap coalesce into
 *                         the earliest (a notification says only "look at the ring")
 * @param spuriousEveryNs  mean interval of spurious notifications, a Poisson process; 0 for none. §2.7.7 and
 *                         §2.7.10: with or without EVENT_IDX both sides must tolerate them
 */
public record NotificationFaults(double loss, double duplicate, double delay, long delayNs, long spuriousEveryNs) {
    /** Every notification passes, once, at once. */
    public static final NotificationFaults NONE = new NotificationFaults(0, 0, 0, 0, 0);

    public NotificationFaults {
        GilbertElliott.check(loss, "loss");
        GilbertElliott.check(duplicate, "duplicate");
        GilbertElliott.check(delay, "delay");
        if (delayNs < 0 || spuriousEveryNs < 0 || (delay > 0 && delayNs == 0)) {
            throw new IllegalArgumentException("delay and spurious interval must be >= 0, and a delay needs a time: "
                    + delayNs + ", " + spuriousEveryNs);
        }
    }

    /** Loses each notification with probability {@code p}. */
    public static NotificationFaults lossOf(double p) {
        return new NotificationFaults(p, 0, 0, 0, 0);
    }

    /** Delays each notification with probability {@code p} by {@code ns}. */
    public static NotificationFaults delayOf(double p, long ns) {
        return new NotificationFaults(0, 0, p, ns, 0);
    }

    /** Delivers each notification twice with probability {@code p}. */
    public static NotificationFaults duplicateOf(double p) {
        return new NotificationFaults(0, p, 0, 0, 0);
    }

    /** Adds spurious notifications, on average one every {@code ns}. */
    public static NotificationFaults spuriousEvery(long ns) {
        return new NotificationFaults(0, 0, 0, 0, ns);
    }

    public boolean isNone() {
        return equals(NONE);
    }
}
