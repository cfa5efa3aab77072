package io.virtaio.virtio.fault;

/**
 * A time window, counted from the moment the plan that holds it took effect (installed by
 * {@link FaultStage#setPlan} or by its {@link FaultSchedule} entry).
 *
 * <p>SPEC (with {@code down}): {@code down} — from now until the plan changes; {@code down=3s+500ms} — from 3 s
 * after the plan took effect, for 500 ms.
 *
 * @param startNs    offset from the plan's start
 * @param durationNs length; {@link Long#MAX_VALUE} for "until the plan changes"
 */
public record Window(long startNs, long durationNs) {
    /** From the plan's start until it changes. */
    public static final Window ALWAYS = new Window(0, Long.MAX_VALUE);

    public Window {
        if (startNs < 0 || durationNs <= 0) {
            throw new IllegalArgumentException("a window needs start >= 0 and duration > 0: " + startNs + "+"
                    + durationNs);
        }
    }

    /** True iff {@code nowNs} lies in the window, for a plan that took effect at {@code planStartNs}. */
    public boolean contains(long planStartNs, long nowNs) {
        long into = nowNs - planStartNs - startNs;
        return into >= 0 && (durationNs == Long.MAX_VALUE || into < durationNs);
    }

    @Override
    public String toString() {
        return equals(ALWAYS) ? "" : SpecValues.duration(startNs) + "+" + SpecValues.duration(durationNs);
    }
}
