package io.virtaio.netstack.sim;

import io.virtaio.virtio.fault.FaultSchedule;
import io.virtaio.virtio.fault.FaultSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012; TigerBeetle's VOPR): every seed draws its own mix of
 * faults — which impairments are on at all, and how hard — applies it for a fault phase, then heals the link, and
 * the transfer must still finish intact in the fault-free phase that follows. Different seeds stress different
 * corners; the same seed always draws the same mix, so a failure replays from its seed.
 */
public final class Swarm {
    private Swarm() {
    }

    /**
     * One seed's draw.
     *
     * @param seed      the seed (also the transfer's seed)
     * @param spec      the faults of the fault phase, as a {@link FaultSpec} text
     * @param healAtNs  when the network faults stop
     */
    public record Case(long seed, String spec, long healAtNs) {
        public FaultSchedule schedule() {
            return FaultSchedule.NONE.healAt(healAtNs);
        }
    }

    /** The fault mix seed {@code seed} draws, with the network healed after {@code faultPhaseNs}. */
    public static Case draw(long seed, long faultPhaseNs) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5157_A2A5_5EEDL);
        List<String> items = new ArrayList<>();
        if (r.nextDouble() < 0.6) {
            items.add("loss=" + pct(r, 0.1, 5));
        }
        if (r.nextDouble() < 0.2) {
            items.add("burst=gilbert:" + pct(r, 0.1, 2) + ":" + pct(r, 20, 60));
        }
        if (r.nextDouble() < 0.3) {
            items.add("dup=" + pct(r, 0.1, 2));
        }
        if (r.nextDouble() < 0.3) {
            items.add("reorder=" + pct(r, 0.5, 3) + ":" + (r.nextBoolean() ? (1 + r.nextInt(4)) : ms(r, 1, 5)));
        }
        if (r.nextDouble() < 0.3) {
            items.add("corrupt=" + pct(r, 0.05, 0.5) + (r.nextBoolean() ? ":1:fcs" : ":2:payload"));
        }
        if (r.nextDouble() < 0.3) {
            items.add("delay=" + ms(r, 0, 3) + "~" + ms(r, 0, 1));
        }
        if (r.nextDouble() < 0.2) {
            items.add("rate=" + (50 + r.nextInt(451)) + "mbit");
        }
        // Windows fall inside the fault phase and last a twentieth to a half of it, so that they meet the traffic.
        long phaseUs = Math.max(20, faultPhaseNs / 1_000);
        double partition = r.nextDouble();
        if (partition < 0.2) {
            items.add("down=" + window(r, phaseUs));
        } else if (partition < 0.3) {
            items.add((r.nextBoolean() ? "tx" : "rx") + ".down=" + window(r, phaseUs));
        }
        // Device-level faults, all bounded in time so the last phase is fault-free.
        if (r.nextDouble() < 0.15) {
            items.add("needs-reset=" + us(r, 0, phaseUs));
        }
        if (r.nextDouble() < 0.1) {
            items.add("rx-starve=" + window(r, phaseUs));
        }
        if (r.nextDouble() < 0.1) {
            items.add("link-flap=" + window(r, phaseUs));
        }
        if (r.nextDouble() < 0.1) {
            items.add("shuffle=" + window(r, phaseUs));
        }
        if (items.isEmpty()) {
            items.add("loss=" + pct(r, 0.1, 2));
        }
        return new Case(seed, String.join(",", items), faultPhaseNs);
    }

    /** Runs one case: {@code base}'s transfer under the case's faults, then healed. */
    public static TransferScenario.Result run(Case c, TransferScenario.Options base) {
        FaultInjection faults = new FaultInjection(FaultSpec.parse(c.spec()), c.schedule(), base.mtu(), null);
        return TransferScenario.run(base.withSeed(c.seed()).withImpairment(faults));
    }

    private static String pct(SplittableRandom r, double lo, double hi) {
        return String.format(Locale.ROOT, "%.2f%%", lo + (hi - lo) * r.nextDouble());
    }

    private static String window(SplittableRandom r, long phaseUs) {
        return us(r, 0, phaseUs) + "+" + us(r, phaseUs / 20, phaseUs / 2);
    }

    private static String us(SplittableRandom r, long lo, long hi) {
        return (lo + (hi > lo ? r.nextLong(hi - lo + 1) : 0)) + "us";
    }

    private static String ms(SplittableRandom r, long lo, long hi) {
        return (lo + (hi > lo ? r.nextLong(hi - lo + 1) : 0)) + "ms";
    }
}
