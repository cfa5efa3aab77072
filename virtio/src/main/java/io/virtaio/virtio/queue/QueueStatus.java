package io.virtaio.virtio.queue;

/**
 * Return codes of the virtqueue hot-path calls. Non-negative results are heads, tokens or counts; these are all
 * negative so one {@code int} carries either.
 */
public final class QueueStatus {
    private QueueStatus() {
    }

    /** Nothing available (device side) or nothing used (driver side) right now. */
    public static final int EMPTY = -1;
    /** Not enough free descriptors for the chain; reap used buffers first. */
    public static final int NO_SPACE = -2;
    /** The queue is broken (the other side violated the protocol); it stays so until reset. */
    public static final int BROKEN = -3;

    public static String name(int code) {
        return switch (code) {
            case EMPTY -> "EMPTY";
            case NO_SPACE -> "NO_SPACE";
            case BROKEN -> "BROKEN";
            default -> code >= 0 ? Integer.toString(code) : "UNKNOWN(" + code + ")";
        };
    }
}
