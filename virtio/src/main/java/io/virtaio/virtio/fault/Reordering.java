package io.virtaio.virtio.fault;

/**
 * Frames held back so that later ones overtake them, as on a path with parallel links (RFC 4737 §4 defines the
 * metric; Bennett, Partridge and Shectman, "Packet reordering is not pathological network behavior", IEEE/ACM ToN
 * 1999, measured it).
 *
 * <p>SPEC: {@code reorder=P:GAP}: {@code reorder=2%:5ms} holds 2% of frames for 5 ms more than the others;
 * {@code reorder=2%:3} holds them until 3 later frames have left (at most {@link Gap#DEFAULT_FRAME_LIMIT_NS}).
 *
 * @param probability per frame
 * @param gap         how long, or for how many later frames, a chosen frame is held; not {@link Gap#NONE}
 */
public record Reordering(double probability, Gap gap) {
    public Reordering {
        GilbertElliott.check(probability, "reordering probability");
        if (gap == null || gap.isNone()) {
            throw new IllegalArgumentException("reordering needs a gap: a time or a number of frames");
        }
    }

    @Override
    public String toString() {
        return SpecValues.percent(probability) + ":" + gap;
    }
}
