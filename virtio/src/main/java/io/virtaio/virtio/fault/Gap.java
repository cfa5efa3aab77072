package io.virtaio.virtio.fault;

/**
 * How long a frame (or a duplicate) is held back: a time, or a number of later frames in the same direction.
 *
 * <p>SPEC: {@code 5ms} (a time), {@code 3} (until 3 later frames have left, or {@link #DEFAULT_FRAME_LIMIT_NS} at
 * most) or {@code 3/20ms} (3 later frames or 20 ms, whichever comes first). The time limit keeps a frame from
 * waiting forever for traffic that does not come; a real network delivers a reordered frame eventually too.
 *
 * <p>"Later frames" are the frames of the same direction handed on after it — originals and duplicates, but not
 * frames that are themselves waiting for followers. The held frame leaves right behind the Nth of them (at that
 * frame's release time, or at its own release time without the hold if that is later).
 *
 * @param frames later frames that leave before this one; 0 to hold by time only
 * @param ns     with {@code frames == 0} the hold time (0: none, the frame follows at once); otherwise the
 *               longest the frame waits for its {@code frames} followers
 */
public record Gap(int frames, long ns) {
    /** Longest a frame held for later frames waits when the SPEC names no limit. */
    public static final long DEFAULT_FRAME_LIMIT_NS = 100_000_000L;
    /** No gap: right after. */
    public static final Gap NONE = new Gap(0, 0);

    public Gap {
        if (frames < 0 || ns < 0) {
            throw new IllegalArgumentException("gap must be >= 0: " + frames + " frames, " + ns + " ns");
        }
        if (frames > 0 && ns == 0) {
            throw new IllegalArgumentException("a gap of " + frames + " frames needs a time limit above 0");
        }
    }

    /** Held for {@code ns}. */
    public static Gap time(long ns) {
        return new Gap(0, ns);
    }

    /** Held until {@code frames} later frames have left, or {@link #DEFAULT_FRAME_LIMIT_NS}. */
    public static Gap frames(int frames) {
        return new Gap(frames, DEFAULT_FRAME_LIMIT_NS);
    }

    public boolean isNone() {
        return frames == 0 && ns == 0;
    }

    /** The SPEC value: {@code 5ms}, {@code 3} or {@code 3/20ms}. */
    @Override
    public String toString() {
        if (frames == 0) {
            return SpecValues.duration(ns);
        }
        return ns == DEFAULT_FRAME_LIMIT_NS ? Integer.toString(frames) : frames + "/" + SpecValues.duration(ns);
    }
}
