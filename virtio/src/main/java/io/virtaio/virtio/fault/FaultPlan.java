package io.virtaio.virtio.fault;

import java.util.ArrayList;
import java.util.List;

/**
 * An immutable description of the network faults a {@link FaultStage} injects: impairments for each direction, and
 * rules that give selected frames impairments of their own. A plan is a value: it parses from, and prints as, a
 * compact SPEC, and {@code FaultPlan.parse(plan.toString()).equals(plan)} for every plan without custom predicates.
 *
 * <h2>SPEC grammar</h2>
 * <pre>
 * spec     = "none" | item *( "," item )
 * item     = [ ( "tx" | "rx" ) "." ] setting         ; no prefix: both directions
 *          | "[" selector "]" "{" ( "none" | setting *( "," setting ) ) "}"      ; a rule, see {@link Selector}
 * setting  = "down" [ "=" DUR "+" DUR ]              ; partition: from now, or a window from the plan's start
 *          | "mtu=" INT                              ; drop frames whose IP packet exceeds INT bytes
 *          | "loss=" PROB | "drop"                   ; Bernoulli loss; drop = loss=100%
 *          | "burst=gilbert:" PROB ":" PROB [ ":" PROB [ ":" PROB ] ]     ; p, r, loss in Bad, loss in Good
 *          | "corrupt=" PROB [ ":" INT ] [ ":" ( "fcs" | "payload" ) ]    ; probability, bits flipped, mode
 *          | "dup=" PROB [ ":" GAP ]                 ; duplicate; the copy right after, or GAP later
 *          | "rate=" RATE [ ":" SIZE [ ":" SIZE ] ]  ; token bucket: rate, burst, queue
 *          | "delay=" DUR [ "~" DUR ] *( ":" ( "uniform" | "normal" | "fifo" | "reorder" ) )
 *          | "reorder=" PROB ":" GAP                 ; hold a frame back by a time or a number of frames
 * PROB     = DECIMAL "%" | DECIMAL                   ; 2% or 0.02
 * DUR      = "0" | DECIMAL ( "ns" | "us" | "ms" | "s" )
 * GAP      = DUR | INT | INT "/" DUR                 ; a time, N later frames, N frames or DUR at most
 * RATE     = DECIMAL ( "bit" | "kbit" | "mbit" | "gbit" )               ; bits per second, powers of 1000
 * SIZE     = INT [ "b" | "kb" | "mb" | "kib" | "mib" ]                   ; bytes
 * </pre>
 * Whitespace around items is ignored; keys are lower case; a key may be set once per direction.
 *
 * <h2>Examples</h2>
 * <pre>
 * loss=2%                                      2% random loss both ways
 * tx.loss=2%,rx.delay=10ms~2ms                 loss on what the device sends, jittered delay on what it receives
 * burst=gilbert:1%:30%                         bursts of mean length 1/0.3 ≈ 3.3 frames, ≈3.2% of frames lost
 * dup=1%:2ms,reorder=2%:3                      copies 2 ms late; 2% of frames overtaken by the next 3
 * corrupt=0.1%:2:payload                       two bits in 0.1% of IP packets; the receiver's checksums catch them
 * delay=20ms~5ms:normal:reorder                normal jitter that may reorder, as netem's
 * rate=10mbit:16kib:64kib,mtu=1400             a shaped bottleneck with a 1400-byte path MTU
 * down=3s+500ms                                a 500 ms partition 3 s after the plan takes effect
 * rx.down                                      one-way partition: the device hears nothing
 * [tcp sport=80 nth=3]{drop}                   drop the 3rd data segment from port 80 of each connection
 * [udp dport=5001]{corrupt=1%:payload}         corrupt 1% of datagrams to port 5001, nothing else
 * loss=10%,[arp]{none}                         10% loss, ARP exempt
 * </pre>
 *
 * <h2>Meaning</h2>
 * Each frame is matched against the rules in order; the first match gives its impairments, else the direction's
 * own apply. They act in the order of {@link Impairments}. Windows ({@code down=START+DURATION}) count from the
 * moment the plan takes effect. Malformed specs are refused with a {@link FaultSpecException} naming the token.
 *
 * @param egress  impairments of the frames the device transmits (not matched by a rule)
 * @param ingress impairments of the frames delivered to the device (not matched by a rule)
 * @param rules   at most {@link #MAX_RULES}, tried in order
 */
public record FaultPlan(Impairments egress, Impairments ingress, List<FaultRule> rules) {
    /** Most rules in one plan: each has its own random streams and state, allocated once per stage. */
    public static final int MAX_RULES = 16;

    /** No fault: frames pass untouched. */
    public static final FaultPlan NONE = new FaultPlan(Impairments.NONE, Impairments.NONE, List.of());

    public FaultPlan {
        if (egress == null || ingress == null || rules == null) {
            throw new IllegalArgumentException("egress, ingress and rules are required (Impairments.NONE, List.of())");
        }
        rules = List.copyOf(rules);
        if (rules.size() > MAX_RULES) {
            throw new IllegalArgumentException("at most " + MAX_RULES + " rules: " + rules.size());
        }
    }

    /** Parses a SPEC (see the class comment). */
    public static FaultPlan parse(String spec) {
        return SpecParser.plan(spec, 0, "fault spec");
    }

    /** The same impairments in both directions. */
    public static FaultPlan of(Impairments both) {
        return new FaultPlan(both, both, List.of());
    }

    public Impairments impairments(Direction d) {
        return d == Direction.EGRESS ? egress : ingress;
    }

    public FaultPlan withEgress(Impairments imp) {
        return new FaultPlan(imp, ingress, rules);
    }

    public FaultPlan withIngress(Impairments imp) {
        return new FaultPlan(egress, imp, rules);
    }

    /** This plan with {@code rule} tried after the existing rules. */
    public FaultPlan withRule(FaultRule rule) {
        List<FaultRule> r = new ArrayList<>(rules);
        r.add(rule);
        return new FaultPlan(egress, ingress, r);
    }

    /** True iff the plan does nothing. */
    public boolean isNone() {
        return egress.isNone() && ingress.isNone() && rules.isEmpty();
    }

    /** The canonical SPEC: settings in application order, rules last; {@code none} for no fault. */
    @Override
    public String toString() {
        return SpecPrinter.plan(this);
    }
}
