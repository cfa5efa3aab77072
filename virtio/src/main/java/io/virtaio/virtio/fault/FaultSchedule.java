package io.virtaio.virtio.fault;

import java.util.ArrayList;
import java.util.List;

/**
 * Plan changes over time: at each entry's time the stage's plan becomes the entry's plan, whole (what it does not
 * set is off). Times count from the stage's start ({@link FaultStage.Options#startNs()}) on the clock the stage is
 * given; an entry takes effect at the first call of the stage at or after its time, with that entry's time as the
 * plan's start (so a {@code down=...} window counts from the scheduled instant, not from the first frame after it),
 * and {@link FaultStage#poll} reports the next entry as a deadline.
 *
 * <p>Text form: entries separated by {@code ;}, each {@code at DURATION set SPEC} or {@code at DURATION heal}
 * ({@code heal} = {@code set none}), times not decreasing:
 * <pre>
 *   at 2s set loss=10%; at 5s heal
 *   at 0 set delay=1ms; at 1s set delay=1ms,rx.down; at 1500ms set delay=1ms
 * </pre>
 *
 * @param changes in time order
 */
public record FaultSchedule(List<Change> changes) {
    /** No change. */
    public static final FaultSchedule NONE = new FaultSchedule(List.of());

    /**
     * One change.
     *
     * @param atNs offset from the stage's start
     * @param plan the plan from then on
     */
    public record Change(long atNs, FaultPlan plan) {
        public Change {
            if (atNs < 0 || plan == null) {
                throw new IllegalArgumentException("a change needs a time >= 0 and a plan: " + atNs + ", " + plan);
            }
        }

        @Override
        public String toString() {
            return "at " + SpecValues.duration(atNs) + (plan.isNone() ? " heal" : " set " + plan);
        }
    }

    public FaultSchedule {
        changes = List.copyOf(changes);
        for (int i = 1; i < changes.size(); i++) {
            if (changes.get(i).atNs() < changes.get(i - 1).atNs()) {
                throw new IllegalArgumentException("schedule times must not decrease: " + changes.get(i - 1)
                        + " before " + changes.get(i));
            }
        }
    }

    /** This schedule with a change at {@code atNs} (not before the last one). */
    public FaultSchedule at(long atNs, FaultPlan plan) {
        List<Change> c = new ArrayList<>(changes);
        c.add(new Change(atNs, plan));
        return new FaultSchedule(c);
    }

    /** This schedule with {@code spec} at {@code atNs}. */
    public FaultSchedule at(long atNs, String spec) {
        return at(atNs, FaultPlan.parse(spec));
    }

    /** This schedule with every fault off at {@code atNs}. */
    public FaultSchedule healAt(long atNs) {
        return at(atNs, FaultPlan.NONE);
    }

    /** Parses the text form; errors name the token and its column ({@link FaultSpecException}). */
    public static FaultSchedule parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("schedule text is required");
        }
        List<Change> changes = new ArrayList<>();
        if (text.isBlank()) {
            return NONE;
        }
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf(';', start);
            if (end < 0) {
                end = text.length();
            }
            String entry = text.substring(start, end);
            if (entry.isBlank() && end < text.length()) {
                throw new FaultSpecException("fault schedule", ";", end, "empty entry before ';'");
            }
            if (!entry.isBlank()) {
                Change c = entry(entry, start);
                if (!changes.isEmpty() && c.atNs() < changes.getLast().atNs()) {
                    throw new FaultSpecException("fault schedule", entry.strip(), start + lead(entry),
                            "time goes back: " + SpecValues.duration(c.atNs()) + " after "
                                    + SpecValues.duration(changes.getLast().atNs()));
                }
                changes.add(c);
            }
            start = end + 1;
        }
        return new FaultSchedule(changes);
    }

    private static int lead(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static Change entry(String raw, int column) {
        int lead = lead(raw);
        String e = raw.strip();
        int col = column + lead;
        if (!e.startsWith("at ")) {
            throw new FaultSpecException("fault schedule", e, col, "an entry is 'at TIME set SPEC' or 'at TIME heal'");
        }
        int timeStart = 3;
        while (timeStart < e.length() && e.charAt(timeStart) == ' ') {
            timeStart++;
        }
        int timeEnd = e.indexOf(' ', timeStart);
        if (timeEnd < 0) {
            throw new FaultSpecException("fault schedule", e, col, "'at TIME' must be followed by 'set SPEC' or "
                    + "'heal'");
        }
        String time = e.substring(timeStart, timeEnd);
        long atNs;
        try {
            atNs = SpecValues.duration(time);
        } catch (SpecValues.Bad b) {
            throw new FaultSpecException("fault schedule", time, col + timeStart, b.getMessage());
        }
        int verbStart = timeEnd;
        while (verbStart < e.length() && e.charAt(verbStart) == ' ') {
            verbStart++;
        }
        String rest = e.substring(verbStart);
        if (rest.equals("heal")) {
            return new Change(atNs, FaultPlan.NONE);
        }
        if (rest.startsWith("set ")) {
            return new Change(atNs, SpecParser.plan(rest.substring(4), col + verbStart + 4, "fault schedule"));
        }
        throw new FaultSpecException("fault schedule", rest, col + verbStart, "expected 'set SPEC' or 'heal'");
    }

    /** The text form, e.g. {@code at 2s set loss=10%; at 5s heal}. */
    @Override
    public String toString() {
        List<String> s = new ArrayList<>();
        for (Change c : changes) {
            s.add(c.toString());
        }
        return String.join("; ", s);
    }
}
