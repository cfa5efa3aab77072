package io.virtaio.virtio.fault;

/**
 * One fault a {@link FaultStage} injected, as kept by its event log. The meaning of {@code a} and {@code b} depends
 * on the kind:
 * <ul>
 *   <li>{@link FaultKind#CORRUPT}: {@code a} = byte offset in the frame (0 = first byte of the Ethernet header),
 *       {@code b} = bit (0 = least significant) — one event per flipped bit;</li>
 *   <li>{@link FaultKind#DUPLICATE}: {@code a} = the copy's lag behind the original in ns, {@code b} = in frames;</li>
 *   <li>{@link FaultKind#REORDER}: {@code a} = hold in ns (the limit, for a frame count), {@code b} = frames;</li>
 *   <li>{@link FaultKind#DELAY}, {@link FaultKind#RATE_QUEUED}: {@code a} = the wait in ns;</li>
 *   <li>drops: {@code a} = frame length; {@code b} = 0.</li>
 * </ul>
 *
 * @param nowNs     when the stage decided it
 * @param direction the frame's direction
 * @param frame     the frame's number in its direction, from 1
 * @param kind      what was done
 * @param a         detail (above)
 * @param b         detail (above)
 */
public record FaultEvent(long nowNs, Direction direction, long frame, FaultKind kind, long a, long b) {
    @Override
    public String toString() {
        String what = switch (kind) {
            case CORRUPT -> "corrupt byte " + a + " bit " + b;
            case DUPLICATE -> "duplicate, " + (b > 0 ? b + " frames" : a + " ns") + " behind";
            case REORDER -> "reordered, held " + (b > 0 ? b + " frames (" + a + " ns at most)" : a + " ns");
            case DELAY -> "delayed " + a + " ns";
            case RATE_QUEUED -> "queued " + a + " ns for tokens";
            default -> "dropped (" + kind.key() + "), " + a + " bytes";
        };
        return nowNs + " ns " + direction.prefix() + "#" + frame + ": " + what;
    }
}
