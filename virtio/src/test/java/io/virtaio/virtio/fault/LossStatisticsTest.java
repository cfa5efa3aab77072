package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loss models against their distributions, over many frames with fixed seeds. Tolerances are 5 standard deviations
 * of the statistic (binomial, or the Markov chain's for Gilbert–Elliott): a correct model passes with any seed
 * except with probability below 10^-6, a wrong rate fails.
 */
class LossStatisticsTest {
    static final int N = 200_000;

    /** Which of N frames sent one per microsecond came out, in {@code direction}. */
    static boolean[] survivors(String spec, long seed, Direction direction) {
        StageRig rig = new StageRig(spec, seed);
        byte[] frame = Packets.raw(60, 0);
        for (int i = 0; i < N; i++) {
            frame[11] = (byte) i;
            frame[10] = (byte) (i >>> 8);
            frame[9] = (byte) (i >>> 16);
            if (direction == Direction.EGRESS) {
                rig.send(i * 1_000L, frame);
            } else {
                rig.deliver(i * 1_000L, frame);
            }
        }
        boolean[] out = new boolean[N];
        List<StageRig.Out> got = direction == Direction.EGRESS ? rig.egressOut() : rig.ingressOut();
        for (StageRig.Out o : got) {
            out[o.tag()] = true;
        }
        FaultCounters c = rig.stage.counters(direction);
        assertEquals(N, c.framesIn());
        assertEquals(got.size(), c.framesOut());
        assertEquals(N - got.size(), c.dropped(), "every frame in is out or counted as dropped");
        return out;
    }

    static int lost(boolean[] survived) {
        int n = 0;
        for (boolean s : survived) {
            n += s ? 0 : 1;
        }
        return n;
    }

    static void assertWithin(double expected, double sd, double actual, String what) {
        assertTrue(Math.abs(actual - expected) <= 5 * sd, what + ": " + actual + ", expected " + expected
                + " ± 5 × " + sd);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.001, 0.02, 0.3})
    void bernoulliLossMatchesTheBinomialDistribution(double p) {
        for (Direction d : Direction.values()) {
            int lost = lost(survivors("loss=" + p, 42, d));
            assertWithin(N * p, Math.sqrt(N * p * (1 - p)), lost, d + " frames lost");
        }
    }

    @Test
    void bernoulliLossIsNotBursty() {
        // Independent losses: P(loss | previous lost) = p. With p = 0.3 over 200k frames, the conditional
        // frequency has sd sqrt(p(1-p)/(N p)).
        double p = 0.3;
        boolean[] s = survivors("loss=30%", 7, Direction.EGRESS);
        int pairs = 0;
        int both = 0;
        for (int i = 1; i < N; i++) {
            if (!s[i - 1]) {
                pairs++;
                both += s[i] ? 0 : 1;
            }
        }
        assertWithin(p, Math.sqrt(p * (1 - p) / pairs), (double) both / pairs, "P(loss | loss before)");
    }

    @Test
    void gilbertElliottLossRateAndBurstLengthsFollowTheChain() {
        GilbertElliott ge = GilbertElliott.simple(0.01, 0.3);
        boolean[] s = survivors("burst=gilbert:1%:30%", 42, Direction.EGRESS);
        double pi = ge.lossRate();
        // Variance of the sample mean of a two-state chain: π(1-π)/N × (1+λ)/(1-λ), λ = 1 - p - r.
        double lambda = 1 - ge.p() - ge.r();
        double sd = Math.sqrt(pi * (1 - pi) / N * (1 + lambda) / (1 - lambda));
        assertWithin(pi, sd, (double) lost(s) / N, "loss rate");
        List<Integer> bursts = new ArrayList<>();
        int run = 0;
        for (boolean survived : s) {
            if (!survived) {
                run++;
            } else if (run > 0) {
                bursts.add(run);
                run = 0;
            }
        }
        // Bad sojourns are geometric with mean 1/r and sd sqrt(1-r)/r.
        double mean = bursts.stream().mapToInt(Integer::intValue).average().orElseThrow();
        double sdMean = Math.sqrt(1 - ge.r()) / ge.r() / Math.sqrt(bursts.size());
        assertWithin(ge.meanBadRun(), sdMean, mean, "mean burst length over " + bursts.size() + " bursts");
        double ones = bursts.stream().filter(b -> b == 1).count() / (double) bursts.size();
        assertWithin(ge.r(), Math.sqrt(ge.r() * (1 - ge.r()) / bursts.size()), ones, "share of bursts of 1");
        long longBursts = bursts.stream().filter(b -> b >= 10).count();
        assertTrue(longBursts > 0, "bursts of 10+ frames occur: " + longBursts);
    }

    @Test
    void gilbertElliottWithPartialLossInEachState() {
        GilbertElliott ge = new GilbertElliott(0.05, 0.2, 0.5, 0.01);
        boolean[] s = survivors("burst=gilbert:5%:20%:50%:1%", 3, Direction.INGRESS);
        double pi = ge.lossRate();
        double lambda = 1 - ge.p() - ge.r();
        // Upper bound on the variance: the state chain's, plus the binomial noise of the per-state draws.
        double sd = Math.sqrt(pi * (1 - pi) / N * (1 + lambda) / (1 - lambda) + pi * (1 - pi) / N);
        assertWithin(pi, sd, (double) lost(s) / N, "loss rate");
    }

    @Test
    void lossAndBurstLossCombineIndependently() {
        double expected = 1 - (1 - 0.1) * (1 - GilbertElliott.simple(0.01, 0.5).lossRate());
        StageRig rig = new StageRig("loss=10%,burst=gilbert:1%:50%", 9);
        for (int i = 0; i < N; i++) {
            rig.send(i * 1_000L, Packets.raw(60, i));
        }
        double lost = (double) rig.tx().dropped() / N;
        assertWithin(expected, 0.003, lost, "combined loss");
        assertTrue(rig.tx().faults(FaultKind.LOSS) > 0 && rig.tx().faults(FaultKind.BURST_LOSS) > 0);
    }
}
