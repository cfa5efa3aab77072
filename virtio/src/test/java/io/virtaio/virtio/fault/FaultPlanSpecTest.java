package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The SPEC grammar: what parses to what, canonical printing, round trips, and errors that name the bad token. */
class FaultPlanSpecTest {
    @Test
    void theExampleFromTheBriefParsesIntoItsParts() {
        FaultPlan p = FaultPlan.parse(
                "loss=2%,burst=gilbert:0.01:0.3,dup=1%,reorder=2%:5ms,corrupt=0.1%,delay=1ms~0.3ms,rate=200mbit,"
                        + "down=3s+500ms");
        Impairments i = p.egress();
        assertEquals(i, p.ingress(), "no prefix: both directions");
        assertEquals(0.02, i.loss());
        assertEquals(GilbertElliott.simple(0.01, 0.3), i.burst());
        assertEquals(new Duplication(0.01, Gap.NONE), i.duplication());
        assertEquals(new Reordering(0.02, Gap.time(5_000_000)), i.reordering());
        assertEquals(new Corruption(0.001, 1, Corruption.Mode.FCS), i.corruption());
        assertEquals(Delay.uniform(1_000_000, 300_000), i.delay());
        assertEquals(RateLimit.of(200_000_000), i.rate());
        assertEquals(new Window(3_000_000_000L, 500_000_000), i.down());
        assertEquals("down=3s+500ms,loss=2%,burst=gilbert:1%:30%,corrupt=0.1%,dup=1%,rate=200mbit,delay=1ms~300us,"
                + "reorder=2%:5ms", p.toString(), "canonical: application order, percentages, exact units");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "none",
        "loss=2%",
        "tx.loss=2%,rx.delay=10ms~2ms",
        "burst=gilbert:1%:30%:80%:0.5%",
        "burst=gilbert:1%:30%:80%",
        "dup=1%:2ms,reorder=2%:3",
        "reorder=2%:3/20ms",
        "corrupt=0.1%:2:payload",
        "corrupt=5%:3",
        "delay=20ms~5ms:normal:reorder",
        "delay=20ms~5ms:reorder",
        "delay=250ns",
        "mtu=1400,rate=10mbit:16kib:32kib",
        "rate=1500kbit:3000b",
        "rate=9600bit:2kib:0b",
        "down",
        "rx.down",
        "tx.down=0+1s",
        "drop",
        "[tcp sport=80 nth=3]{drop}",
        "[udp dport=5001]{corrupt=1%:payload}",
        "loss=10%,[arp]{none}",
        "[tx tcp host=10.0.0.1 syn fin rst]{delay=1ms},[rx icmp]{dup=50%},[any]{loss=1%}",
        "[tcp src=10.0.0.1 dst=10.0.0.2 port=443 data]{reorder=10%:2}",
        "loss=33.33333333333333%",
        "loss=0.0001%",
    })
    void canonicalSpecsPrintBackExactly(String spec) {
        FaultPlan p = FaultPlan.parse(spec);
        assertEquals(spec, p.toString());
        assertEquals(p, FaultPlan.parse(p.toString()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "loss=0.02                      | loss=2%",
        "loss=2%, dup=1%                | loss=2%,dup=1%",
        "  loss=2%  ,  dup=1%           | loss=2%,dup=1%",
        "delay=1.5ms                    | delay=1500us",
        "delay=0.000001s                | delay=1us",
        "delay=1ms~0:uniform:fifo       | delay=1ms",
        "rate=0.5gbit                   | rate=500mbit",
        "rate=1mbit:3028:65536          | rate=1mbit",
        "rate=1mbit:4kb                 | rate=1mbit:4000b",
        "dup=1%:0                       | dup=1%",
        "reorder=1%:3/100ms             | reorder=1%:3",
        "corrupt=1%:1:fcs               | corrupt=1%",
        "tx.loss=1%,rx.loss=1%          | loss=1%",
        "tx.loss=1%,rx.loss=2%          | tx.loss=1%,rx.loss=2%",
        "loss=100%                      | drop",
        "''                             | none",
        "[rx tcp syn]{loss=50%}         | [rx tcp syn]{loss=50%}",
        "[tcp rst syn]{drop}            | [tcp syn rst]{drop}",
        "[syn]{drop}                    | [tcp syn]{drop}",
    })
    void equivalentSpellingsPrintCanonically(String spec, String canonical) {
        assertEquals(canonical, FaultPlan.parse(spec).toString());
    }

    @Test
    void plansBuiltInJavaPrintAsSpecs() {
        FaultPlan p = FaultPlan.of(Impairments.NONE.withLoss(0.05))
                .withIngress(Impairments.NONE.withDelay(Delay.constant(2_000_000)))
                .withRule(FaultRule.of(Selector.ANY.tcp().sport(80).nth(3), Impairments.dropAll()));
        assertEquals("tx.loss=5%,rx.delay=2ms,[tcp sport=80 nth=3]{drop}", p.toString());
        assertEquals(p, FaultPlan.parse(p.toString()));
    }

    @Test
    void customPredicatesPrintWithTheirLabelButDoNotParseBack() {
        FaultPlan p = FaultPlan.NONE.withRule(FaultRule.when("big", f -> f.length() > 1000, Impairments.dropAll()));
        assertEquals("[?big]{drop}", p.toString());
        FaultSpecException e = assertThrows(FaultSpecException.class, () -> FaultPlan.parse(p.toString()));
        assertEquals("?big", e.token());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // spec | token | column | words of the reason
        "loss=2%,dup=2                  | dup=2          | 8  | above 1",
        "loss=2%,dup=150%               | dup=150%       | 8  | above 1",
        "loss                           | loss           | 0  | needs a value",
        "los=2%                         | los=2%         | 0  | unknown setting",
        "loss=2%,,dup=1%                | ''             | 8  | empty setting",
        "loss=2%,                       | ''             | 8  | empty setting",
        "delay=5                        | delay=5        | 0  | needs a unit",
        "delay=1.5ns                    | delay=1.5ns    | 0  | whole number of nanoseconds",
        "delay=1ms~1ms:gauss            | delay=1ms~1ms:gauss | 0 | unknown delay option",
        "delay=1ms:normal               | delay=1ms:normal | 0 | apply to jitter",
        "burst=gilbert:1%               | burst=gilbert:1% | 0 | 2 to 4 probabilities",
        "burst=markov:1%:2%             | burst=markov:1%:2% | 0 | unknown burst model",
        "burst=gilbert:1%:0             | burst=gilbert:1%:0 | 0 | never end",
        "rate=200mbps                   | rate=200mbps   | 0  | needs a unit",
        "rate=10mbit:100b               | rate=10mbit:100b | 0 | burst must be",
        "reorder=2%                     | reorder=2%     | 0  | needs a gap",
        "reorder=2%:0                   | reorder=2%:0   | 0  | above 0",
        "corrupt=1%:9                   | corrupt=1%:9   | 0  | flips",
        "corrupt=1%:payload:2           | corrupt=1%:payload:2 | 0 | out of place",
        "mtu=0                          | mtu=0          | 0  | outside",
        "down=3s                        | down=3s        | 0  | START+DURATION",
        "loss=1%,loss=2%                | loss=2%        | 8  | set twice",
        "loss=1%,tx.loss=2%             | tx.loss=2%     | 8  | set twice for tx",
        "drop,loss=1%                   | loss=1%        | 5  | set twice",
        "qx.loss=1%                     | qx.loss=1%     | 0  | unknown setting",
        "[tcp port=80{drop}             | [tcp port=80{drop} | 0 | unclosed",
        "[tcp]drop                      | [tcp]drop      | 0  | '{' must follow ']'",
        "[tcp]{}                        | [tcp]{}        | 0  | needs settings",
        "[]{drop}                       | ''             | 1  | empty selector",
        "[tcp udp]{drop}                | udp            | 5  | one protocol",
        "[tx rx]{drop}                  | rx             | 4  | one direction",
        "[tcp prot=80]{drop}            | prot=80        | 5  | unknown selector word",
        "[tcp port=70000]{drop}         | port=70000     | 5  | outside",
        "[udp syn]{drop}                | syn            | 5  | TCP segments only",
        "[host=10.0.0]{drop}            | host=10.0.0    | 1  | dotted-quad",
        "[tcp]{tx.loss=1%}              | tx.loss=1%     | 6  | no tx./rx. prefix",
        "[tcp]{loss=1%,loss=2%}         | loss=2%        | 14 | set twice",
        "loss=2%]                       | ]              | 7  | unbalanced",
        "none,loss=1%                   | none           | 0  | stands alone",
    })
    void malformedSpecsNameTheBadToken(String spec, String token, int column, String reason) {
        FaultSpecException e = assertThrows(FaultSpecException.class, () -> FaultPlan.parse(spec));
        assertEquals(token, e.token(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.reason().contains(reason), "reason '" + e.reason() + "' should say '" + reason + "'");
        assertTrue(e.getMessage().startsWith("bad fault spec at column " + column + ", token '" + token + "'"),
                e.getMessage());
    }

    @Test
    void tooManyRulesAreRefused() {
        String rules = String.join(",", java.util.Collections.nCopies(FaultPlan.MAX_RULES + 1, "[tcp]{drop}"));
        FaultSpecException e = assertThrows(FaultSpecException.class, () -> FaultPlan.parse(rules));
        assertTrue(e.reason().contains("more than " + FaultPlan.MAX_RULES + " rules"));
    }

    @Test
    void gilbertElliottReportsItsStationaryLossAndBurstLength() {
        GilbertElliott ge = GilbertElliott.simple(0.01, 0.3);
        assertEquals(0.01 / 0.31, ge.lossRate(), 1e-15);
        assertEquals(1 / 0.3, ge.meanBadRun(), 1e-12);
        GilbertElliott partial = new GilbertElliott(0.1, 0.4, 0.5, 0.02);
        assertEquals(0.2 * 0.5 + 0.8 * 0.02, partial.lossRate(), 1e-15);
    }

    @Test
    void plansAreValues() {
        assertEquals(FaultPlan.parse("loss=2%,[tcp]{drop}"), FaultPlan.parse("loss=0.02 , [tcp]{loss=1}"));
        assertTrue(FaultPlan.parse("none").isNone());
        assertTrue(FaultPlan.parse("[arp]{none}").egress().isNone());
        assertEquals(List.of(), FaultPlan.parse("loss=1%").rules());
        assertNull(FaultPlan.parse("loss=1%").egress().delay());
    }
}
