package io.virtaio.virtio.fault;

/**
 * The Gilbert–Elliott two-state burst loss model (E. N. Gilbert, "Capacity of a burst-noise channel", Bell System
 * Technical Journal 39, 1960; E. O. Elliott, "Estimates of error rates for codes on burst-noise channels", BSTJ 42,
 * 1963), with the parameters netem uses ({@code loss gemodel p r 1-h 1-k}; G. Hasslinger and O. Hohlfeld, "The
 * Gilbert-Elliott Model for Packet Loss in Real Time Services on the Internet", MMB 2008).
 *
 * <p>A Markov chain with a Good and a Bad state, stepped once per frame: from Good it moves to Bad with probability
 * {@code p}, from Bad back to Good with probability {@code r}; then the frame is lost with probability
 * {@code lossInBad} (netem's 1-h) in the Bad state, {@code lossInGood} (1-k) in the Good one. With the defaults
 * {@code lossInBad = 1}, {@code lossInGood = 0} it is Gilbert's simple model: every frame in the Bad state is lost,
 * so loss bursts are the Bad sojourns, geometric with mean {@code 1/r}.
 *
 * <p>SPEC: {@code burst=gilbert:P:R[:LOSS_IN_BAD[:LOSS_IN_GOOD]]}, each a probability ({@code 1%} or {@code 0.01}),
 * e.g. {@code burst=gilbert:1%:30%}.
 *
 * @param p          probability of moving from Good to Bad at a frame
 * @param r          probability of moving from Bad to Good at a frame; above 0, or Bad would never end
 * @param lossInBad  probability of losing a frame in the Bad state (netem 1-h)
 * @param lossInGood probability of losing a frame in the Good state (netem 1-k)
 */
public record GilbertElliott(double p, double r, double lossInBad, double lossInGood) {
    public GilbertElliott {
        check(p, "p");
        check(r, "r");
        check(lossInBad, "lossInBad");
        check(lossInGood, "lossInGood");
        if (r == 0) {
            throw new IllegalArgumentException("r must be above 0: the Bad state would never end");
        }
    }

    /** Gilbert's simple model: loss in Bad always, never in Good. */
    public static GilbertElliott simple(double p, double r) {
        return new GilbertElliott(p, r, 1, 0);
    }

    static void check(double probability, String name) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException(name + " must be a probability in [0, 1]: " + probability);
        }
    }

    /** Long-run fraction of frames seen in the Bad state: {@code p / (p + r)}. */
    public double badStateShare() {
        return p / (p + r);
    }

    /** Long-run loss rate: {@code π_B · lossInBad + π_G · lossInGood}. */
    public double lossRate() {
        double bad = badStateShare();
        return bad * lossInBad + (1 - bad) * lossInGood;
    }

    /** Mean number of consecutive frames in the Bad state (a geometric sojourn): {@code 1 / r}. */
    public double meanBadRun() {
        return 1 / r;
    }

    /** The SPEC value, e.g. {@code gilbert:1%:30%} (trailing default loss probabilities omitted). */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("gilbert:").append(SpecValues.percent(p)).append(':')
                .append(SpecValues.percent(r));
        if (lossInBad != 1 || lossInGood != 0) {
            b.append(':').append(SpecValues.percent(lossInBad));
        }
        if (lossInGood != 0) {
            b.append(':').append(SpecValues.percent(lossInGood));
        }
        return b.toString();
    }
}
