package io.virtaio.virtio.fault;

/**
 * Impairments for the frames a predicate selects. A {@link FaultPlan}'s rules are tried in order for every frame;
 * the first that matches gives the frame its impairments (instead of the plan's per-direction ones), and a frame no
 * rule matches gets the plan's. Each rule has its own random streams, Gilbert–Elliott state and token bucket.
 *
 * <p>SPEC: {@code [SELECTOR]{SETTINGS}}, e.g. {@code [tcp sport=80 nth=3]{drop}} drops the 3rd data segment from
 * port 80; {@code [udp dport=5001]{corrupt=1%:payload}} corrupts 1% of the datagrams to port 5001 and nothing else.
 * A rule built from an arbitrary {@link FramePredicate} prints as {@code [?label]{...}}, which does not parse back:
 * only {@link Selector} rules have a SPEC.
 *
 * @param selector    the SPEC-expressible predicate, or null for a custom one
 * @param predicate   what the rule matches ({@code selector} itself when set)
 * @param label       a name for a custom predicate (printing, events); null for a selector rule
 * @param impairments what matched frames get
 */
public record FaultRule(Selector selector, FramePredicate predicate, String label, Impairments impairments) {
    public FaultRule {
        if (predicate == null || impairments == null) {
            throw new IllegalArgumentException("predicate and impairments are required");
        }
        if (selector != null && predicate != selector) {
            throw new IllegalArgumentException("a selector rule's predicate is its selector");
        }
        if (selector == null && (label == null || label.isBlank())) {
            throw new IllegalArgumentException("a custom predicate needs a label");
        }
    }

    /** A rule a SPEC can state. */
    public static FaultRule of(Selector selector, Impairments impairments) {
        if (selector == null) {
            throw new IllegalArgumentException("selector is required");
        }
        return new FaultRule(selector, selector, null, impairments);
    }

    /** A rule over any predicate, e.g. {@code FaultRule.when("big", f -> f.length() > 1000, imp)}. */
    public static FaultRule when(String label, FramePredicate predicate, Impairments impairments) {
        return new FaultRule(null, predicate, label, impairments);
    }

    /** True iff the rule needs data segments counted per connection. */
    boolean countsSegments() {
        return selector != null ? selector.countsSegments() : true;
    }

    /** {@code [selector]{settings}}, or {@code [?label]{settings}} for a custom predicate. */
    @Override
    public String toString() {
        String settings = SpecPrinter.settings(impairments, null);
        return "[" + (selector != null ? selector.toString() : "?" + label) + "]{"
                + (settings.isEmpty() ? "none" : settings) + "}";
    }
}
