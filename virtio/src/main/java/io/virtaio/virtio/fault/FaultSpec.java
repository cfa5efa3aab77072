package io.virtaio.virtio.fault;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A complete fault SPEC as {@code ./virtaio sim --faults} and {@code serve --faults} take it: the network settings
 * of {@link FaultPlan} and the virtio-level settings of {@link DeviceFaultPlan}, mixed in one comma-separated list.
 *
 * <h2>Device settings (added to the {@link FaultPlan} grammar)</h2>
 * <pre>
 * device   = note "-loss=" PROB | note "-dup=" PROB | note "-delay=" DUR [ "@" PROB ] | note "-spurious=" DUR
 *          | "needs-reset=" DUR | "reset=" DUR | "rx-starve=" DUR "+" DUR | "link-flap=" DUR "+" DUR
 *          | "shuffle=" DUR "+" DUR [ ":" INT [ ":" DUR ] ] | "sabotage=" DUR ":" ( "rx" | "tx" ) ":" KIND
 * note     = "kick" | "irq" | "config"         ; driver→device kicks, device→driver interrupts, config changes
 * KIND     = used-id-out-of-range | used-len-too-large | used-idx-jump | avail-idx-jump
 *          | avail-head-out-of-range | descriptor-loop
 * </pre>
 * Times are from the start of the run; {@code -delay=D@P} delays a fraction P (default all) of notifications by D;
 * {@code -spurious=D} adds spurious notifications, on average one every D; {@code shuffle} defers and permutes
 * transmit completions in a window (capacity, default 32; longest hold, default 1 ms).
 *
 * <h2>Examples</h2>
 * <pre>
 * loss=5%,dup=1%,reorder=2%:5ms,corrupt=0.1%             network only
 * kick-loss=1%,irq-delay=2ms@10%,reset=4s                 lost kicks, late interrupts, a device reset at 4 s
 * loss=1%,needs-reset=1s,rx-starve=2s+50ms,link-flap=3s+200ms
 * </pre>
 *
 * @param network the network impairments (for a {@link FaultStage})
 * @param device  the device-level faults (for {@link DeviceFaults})
 */
public record FaultSpec(FaultPlan network, DeviceFaultPlan device) {
    public static final FaultSpec NONE = new FaultSpec(FaultPlan.NONE, DeviceFaultPlan.NONE);

    private static final String WHAT = "fault spec";

    /** Parses a SPEC; throws {@link FaultSpecException} naming the bad token and its column. */
    public static FaultSpec parse(String spec) {
        if (spec == null) {
            throw new FaultSpecException(WHAT, "", -1, "no spec");
        }
        List<String> network = new ArrayList<>();
        DeviceFaultPlan device = DeviceFaultPlan.NONE;
        NotificationFaults[] notes = {NotificationFaults.NONE, NotificationFaults.NONE, NotificationFaults.NONE};
        DeviceFaultPlan.CompletionShuffle shuffle = null;
        List<DeviceFaultPlan.Action> actions = new ArrayList<>();
        int start = 0;
        for (String item : splitTopLevel(spec)) {
            int column = spec.indexOf(item, start);
            start = column + item.length();
            String t = item.strip();
            int eq = t.indexOf('=');
            String key = eq < 0 ? t : t.substring(0, eq);
            String value = eq < 0 ? "" : t.substring(eq + 1);
            try {
                int note = switch (key) {
                    case "kick-loss", "kick-dup", "kick-delay", "kick-spurious" -> 0;
                    case "irq-loss", "irq-dup", "irq-delay", "irq-spurious" -> 1;
                    case "config-loss", "config-dup", "config-delay", "config-spurious" -> 2;
                    default -> -1;
                };
                if (note >= 0) {
                    notes[note] = notification(notes[note], key.substring(key.indexOf('-') + 1), value);
                    continue;
                }
                switch (key) {
                    case "needs-reset" -> actions.add(new DeviceFaultPlan.Action.NeedsReset(SpecValues.duration(value)));
                    case "reset" -> actions.add(new DeviceFaultPlan.Action.Reset(SpecValues.duration(value)));
                    case "rx-starve" -> {
                        long[] w = window(value);
                        actions.add(new DeviceFaultPlan.Action.RxStarvation(w[0], w[1]));
                    }
                    case "link-flap" -> {
                        long[] w = window(value);
                        actions.add(new DeviceFaultPlan.Action.LinkDown(w[0], w[1]));
                    }
                    case "shuffle" -> {
                        String[] parts = value.split(":", -1);
                        long[] w = window(parts[0]);
                        int capacity = parts.length > 1 ? SpecValues.integer(parts[1], "capacity", 1, 4096) : 32;
                        long hold = parts.length > 2 ? SpecValues.duration(parts[2]) : 1_000_000L;
                        if (parts.length > 3) {
                            throw new SpecValues.Bad("shuffle takes START+DUR[:CAPACITY[:HOLD]]");
                        }
                        shuffle = new DeviceFaultPlan.CompletionShuffle(capacity, hold);
                        actions.add(new DeviceFaultPlan.Action.ShuffleCompletions(w[0], w[1]));
                    }
                    case "sabotage" -> {
                        String[] parts = value.split(":", -1);
                        if (parts.length != 3) {
                            throw new SpecValues.Bad("sabotage takes TIME:rx|tx:KIND");
                        }
                        int queue = switch (parts[1]) {
                            case "rx" -> 0;
                            case "tx" -> 1;
                            default -> throw new SpecValues.Bad("queue must be rx or tx, not '" + parts[1] + "'");
                        };
                        actions.add(new DeviceFaultPlan.Action.Sabotage(SpecValues.duration(parts[0]), queue,
                                kind(parts[2])));
                    }
                    default -> network.add(item);
                }
            } catch (SpecValues.Bad | IllegalArgumentException e) {
                if (e instanceof FaultSpecException f) {
                    throw f;
                }
                throw new FaultSpecException(WHAT, t, column, e.getMessage());
            }
        }
        FaultPlan net;
        String networkSpec = String.join(",", network);
        try {
            net = networkSpec.isBlank() ? FaultPlan.NONE : FaultPlan.parse(networkSpec);
        } catch (FaultSpecException e) {
            // Report the column in the whole spec, not in the network part alone.
            int col = e.token().isEmpty() ? -1 : spec.indexOf(e.token());
            throw new FaultSpecException(WHAT, e.token(), col, e.reason());
        }
        try {
            device = new DeviceFaultPlan(actions, notes[0], notes[1], notes[2], shuffle);
        } catch (IllegalArgumentException e) {
            throw new FaultSpecException(WHAT, spec.strip(), -1, e.getMessage());
        }
        return new FaultSpec(net, device);
    }

    private static NotificationFaults notification(NotificationFaults f, String what, String value) {
        return switch (what) {
            case "loss" -> new NotificationFaults(SpecValues.probability(value), f.duplicate(), f.delay(), f.delayNs(),
                    f.spuriousEveryNs());
            case "dup" -> new NotificationFaults(f.loss(), SpecValues.probability(value), f.delay(), f.delayNs(),
                    f.spuriousEveryNs());
            case "delay" -> {
                int at = value.indexOf('@');
                long ns = SpecValues.duration(at < 0 ? value : value.substring(0, at));
                double p = at < 0 ? 1.0 : SpecValues.probability(value.substring(at + 1));
                yield new NotificationFaults(f.loss(), f.duplicate(), p, ns, f.spuriousEveryNs());
            }
            case "spurious" -> new NotificationFaults(f.loss(), f.duplicate(), f.delay(), f.delayNs(),
                    SpecValues.duration(value));
            default -> throw new SpecValues.Bad("unknown notification fault '" + what + "'");
        };
    }

    private static long[] window(String value) {
        int plus = value.indexOf('+');
        if (plus < 0) {
            throw new SpecValues.Bad("a window is START+DURATION, e.g. 2s+50ms");
        }
        return new long[] {SpecValues.duration(value.substring(0, plus)), SpecValues.duration(value.substring(plus + 1))};
    }

    private static RingSaboteur.Kind kind(String text) {
        try {
            return RingSaboteur.Kind.valueOf(text.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new SpecValues.Bad("unknown sabotage '" + text + "'");
        }
    }

    /** Splits on commas outside {@code [...]} and {@code {...}} (rules carry their own comma lists). */
    static List<String> splitTopLevel(String spec) {
        List<String> items = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                items.add(spec.substring(from, i));
                from = i + 1;
            }
        }
        items.add(spec.substring(from));
        items.removeIf(String::isBlank);
        return items;
    }

    /** True if there are device-level faults to inject. */
    public boolean hasDeviceFaults() {
        return !device.equals(DeviceFaultPlan.NONE);
    }
}
