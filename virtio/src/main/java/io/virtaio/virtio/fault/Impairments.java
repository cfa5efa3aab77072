package io.virtaio.virtio.fault;

/**
 * What a {@link FaultStage} does to the frames of one direction (or of one {@link FaultRule}'s frames), in the
 * order it applies them: link down, MTU, loss (Bernoulli, then Gilbert–Elliott), corruption, duplication, rate
 * limit, delay with jitter, reordering. Each part is optional (0 or null: none).
 *
 * @param down        while the window is open every frame is dropped (a partition; the device's link status is
 *                    not touched); null: never
 * @param mtu         largest IP packet carried, in bytes; longer frames (over {@code mtu + 14}) are dropped — a
 *                    path MTU black hole (RFC 2923 §2.1); 0: no limit
 * @param loss        probability of losing a frame, independently of the others (Bernoulli)
 * @param burst       Gilbert–Elliott burst loss, applied after and independently of {@code loss}; null: none
 * @param corruption  bit errors; null: none
 * @param duplication duplicated frames; null: none
 * @param rate        token-bucket shaping; null: none
 * @param delay       delay with jitter; null: none
 * @param reordering  frames held back to be overtaken; null: none
 */
public record Impairments(Window down, int mtu, double loss, GilbertElliott burst, Corruption corruption,
                          Duplication duplication, RateLimit rate, Delay delay, Reordering reordering) {
    /** Nothing at all: frames pass untouched, without a copy. */
    public static final Impairments NONE = new Impairments(null, 0, 0, null, null, null, null, null, null);

    public Impairments {
        if (mtu < 0 || mtu > 65535) {
            throw new IllegalArgumentException("mtu must be 0 (none) or 1..65535: " + mtu);
        }
        GilbertElliott.check(loss, "loss");
    }

    /** True iff no impairment is set. */
    public boolean isNone() {
        return equals(NONE);
    }

    /** Every frame lost: the SPEC's {@code drop}. */
    public static Impairments dropAll() {
        return NONE.withLoss(1);
    }

    public Impairments withDown(Window w) {
        return new Impairments(w, mtu, loss, burst, corruption, duplication, rate, delay, reordering);
    }

    public Impairments withMtu(int bytes) {
        return new Impairments(down, bytes, loss, burst, corruption, duplication, rate, delay, reordering);
    }

    public Impairments withLoss(double probability) {
        return new Impairments(down, mtu, probability, burst, corruption, duplication, rate, delay, reordering);
    }

    public Impairments withBurst(GilbertElliott model) {
        return new Impairments(down, mtu, loss, model, corruption, duplication, rate, delay, reordering);
    }

    public Impairments withCorruption(Corruption c) {
        return new Impairments(down, mtu, loss, burst, c, duplication, rate, delay, reordering);
    }

    public Impairments withDuplication(Duplication d) {
        return new Impairments(down, mtu, loss, burst, corruption, d, rate, delay, reordering);
    }

    public Impairments withRate(RateLimit r) {
        return new Impairments(down, mtu, loss, burst, corruption, duplication, r, delay, reordering);
    }

    public Impairments withDelay(Delay d) {
        return new Impairments(down, mtu, loss, burst, corruption, duplication, rate, d, reordering);
    }

    public Impairments withReordering(Reordering r) {
        return new Impairments(down, mtu, loss, burst, corruption, duplication, rate, delay, r);
    }

    /** The SPEC settings, comma-separated, in application order; {@code none} when empty. */
    @Override
    public String toString() {
        String s = SpecPrinter.settings(this, null);
        return s.isEmpty() ? "none" : s;
    }
}
