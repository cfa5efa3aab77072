package io.virtaio.virtio.fault;

/**
 * Frames sent twice, as by a link layer that retransmits a frame whose acknowledgement it lost, or a looping switch.
 * The copy is the frame as offered to the stage, sent right after the original or after a {@link Gap}; it passes
 * the rate limit and a link that went down, but draws no loss, corruption or reordering of its own (so that adding
 * duplication does not reshuffle the other faults).
 *
 * <p>SPEC: {@code dup=P[:GAP]}, e.g. {@code dup=1%}, {@code dup=1%:2ms}, {@code dup=1%:3}.
 *
 * @param probability per frame
 * @param gap         how far behind the original the copy follows; {@link Gap#NONE}: right after
 */
public record Duplication(double probability, Gap gap) {
    public Duplication {
        GilbertElliott.check(probability, "duplication probability");
        if (gap == null) {
            throw new IllegalArgumentException("gap is required (Gap.NONE for right after)");
        }
    }

    @Override
    public String toString() {
        return SpecValues.percent(probability) + (gap.isNone() ? "" : ":" + gap);
    }
}
