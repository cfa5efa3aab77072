package io.virtaio.virtio.backend;

import io.virtaio.virtio.queue.Doorbell;
import java.lang.foreign.MemorySegment;

/**
 * Where frames go: a device's receive path, or the next stage of a backend.
 *
 * <p>A frame travels as its 12-byte {@code virtio_net_hdr} (VERSION_1 layout, see
 * {@link io.virtaio.virtio.net.VirtioNet#HDR}) and the Ethernet frame without FCS. Both are only valid during the
 * call: a sink that keeps a frame copies it. The header is a stable copy (a stage never re-reads what a driver can
 * still change), and the sink must not modify either argument.
 *
 * <p>Frames are accepted one by one and made visible in batches: {@link #flush} ends a batch.
 */
public interface FrameSink {
    /** Delivered (or queued for delivery). */
    int OK = 0;
    /** Dropped: the receiving device is not ready (reset, not DRIVER_OK, link down). */
    int DROP_NOT_READY = -1;
    /** Dropped: no receive buffer posted (a NIC drops, never blocks). */
    int DROP_NO_BUFFER = -2;
    /** Dropped: the frame does not fit the posted receive buffer. */
    int DROP_TOO_BIG = -3;
    /** Dropped: the receive queue broke (the driver misbehaved); the device needs a reset. */
    int DROP_BROKEN = -4;
    /** Dropped: a header the receiver cannot honour (e.g. GSO it did not negotiate). */
    int DROP_BAD_HEADER = -5;
    /** Dropped by a backend on purpose (a fault stage, a full queue, a closed file). */
    int DROP_BACKEND = -6;

    /**
     * Offers one frame.
     *
     * @param hdr        the 12-byte virtio-net header at offset 0
     * @param frame      segment holding the frame
     * @param frameOff   offset of the frame's first byte in {@code frame}
     * @param frameLen   frame length in bytes (Ethernet header included, no FCS)
     * @param nowNs      the caller's clock
     * @return {@link #OK} or a negative DROP_ code
     */
    int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs);

    /** Ends a batch: publishes what was accepted and notifies the receiver once. */
    void flush(long nowNs);

    /**
     * Backpressure, for a sender that can hold a frame back instead of losing it — a TAP, whose kernel queue keeps
     * what is not read, as QEMU stops reading a TAP while its guest posts no receive buffer. After
     * {@link #DROP_NO_BUFFER}, asks for {@code doorbell} to be rung when there is room again, then re-checks. The
     * doorbell may ring from any thread, and more than once; the sender then offers the frame again.
     *
     * @return true if the frame may be offered again at once — there is room, or this sink cannot tell, and then a
     *     sender drops the frame if it is refused again (as a NIC would); false if {@code doorbell} will ring when
     *     there is room
     */
    default boolean notifyWhenRoom(Doorbell doorbell) {
        return true;
    }

    static String name(int code) {
        return switch (code) {
            case OK -> "OK";
            case DROP_NOT_READY -> "DROP_NOT_READY";
            case DROP_NO_BUFFER -> "DROP_NO_BUFFER";
            case DROP_TOO_BIG -> "DROP_TOO_BIG";
            case DROP_BROKEN -> "DROP_BROKEN";
            case DROP_BAD_HEADER -> "DROP_BAD_HEADER";
            case DROP_BACKEND -> "DROP_BACKEND";
            default -> "UNKNOWN(" + code + ")";
        };
    }
}
