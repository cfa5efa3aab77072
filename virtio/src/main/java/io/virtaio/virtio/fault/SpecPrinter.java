package io.virtaio.virtio.fault;

import java.util.ArrayList;
import java.util.List;

/** Prints plans and impairments in the canonical SPEC form that {@link SpecParser} reads back. */
final class SpecPrinter {
    private SpecPrinter() {
    }

    /** Setting keys in application order. */
    private static final String[] KEYS = {"down", "mtu", "loss", "burst", "corrupt", "dup", "rate", "delay",
            "reorder"};

    /** One setting of {@code imp}, e.g. {@code loss=2%}; empty when unset. */
    static String setting(Impairments imp, String key) {
        return switch (key) {
            case "down" -> imp.down() == null ? "" : imp.down().equals(Window.ALWAYS) ? "down" : "down=" + imp.down();
            case "mtu" -> imp.mtu() == 0 ? "" : "mtu=" + imp.mtu();
            case "loss" -> imp.loss() == 0 ? "" : imp.loss() == 1 ? "drop" : "loss=" + SpecValues.percent(imp.loss());
            case "burst" -> imp.burst() == null ? "" : "burst=" + imp.burst();
            case "corrupt" -> imp.corruption() == null ? "" : "corrupt=" + imp.corruption();
            case "dup" -> imp.duplication() == null ? "" : "dup=" + imp.duplication();
            case "rate" -> imp.rate() == null ? "" : "rate=" + imp.rate();
            case "delay" -> imp.delay() == null ? "" : "delay=" + imp.delay();
            case "reorder" -> imp.reordering() == null ? "" : "reorder=" + imp.reordering();
            default -> throw new IllegalArgumentException(key);
        };
    }

    /** Every setting of {@code imp}, comma-separated, each prefixed with {@code prefix.} when not null. */
    static String settings(Impairments imp, String prefix) {
        List<String> out = new ArrayList<>();
        for (String key : KEYS) {
            String s = setting(imp, key);
            if (!s.isEmpty()) {
                out.add(prefix == null ? s : prefix + "." + s);
            }
        }
        return String.join(",", out);
    }

    /** A whole plan: settings equal in both directions unprefixed, the others with tx./rx., then the rules. */
    static String plan(FaultPlan plan) {
        List<String> out = new ArrayList<>();
        for (String key : KEYS) {
            String tx = setting(plan.egress(), key);
            String rx = setting(plan.ingress(), key);
            if (tx.equals(rx)) {
                if (!tx.isEmpty()) {
                    out.add(tx);
                }
                continue;
            }
            if (!tx.isEmpty()) {
                out.add("tx." + tx);
            }
            if (!rx.isEmpty()) {
                out.add("rx." + rx);
            }
        }
        for (FaultRule r : plan.rules()) {
            out.add(r.toString());
        }
        return out.isEmpty() ? "none" : String.join(",", out);
    }
}
