package io.virtaio.netstack.link;

import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * The stack's view of a NIC: the small interface through which it receives and transmits Ethernet frames. The
 * virtio-net driver implements it ({@link VirtioNetLink}); tests use fakes.
 *
 * <p>Confined to the stack's thread. Receive and transmit are zero-copy: frames are handed over in place, and the
 * stack writes outgoing frames straight into the device's transmit buffers. Nothing here allocates.
 */
public interface NetDevice {
    /** The device completes partial TCP/UDP checksums on transmit (virtio-net CSUM). */
    int CAP_TX_CSUM = 1;
    /** Received frames may come flagged {@link #RX_CSUM_OK} (virtio-net GUEST_CSUM). */
    int CAP_RX_CSUM = 2;

    /** Receive flag: the transport checksum was verified by the device, or is partial from a trusted peer. */
    int RX_CSUM_OK = 1;

    /** MAC address, low 48 bits, first octet most significant. */
    long mac();

    /** Largest IP packet the link carries (the MTU, without the Ethernet header). */
    int mtu();

    /** {@link #CAP_TX_CSUM} and {@link #CAP_RX_CSUM} bits. */
    int capabilities();

    /** Hands up to {@code budget} received frames to {@code handler}; returns how many. */
    int receive(FrameHandler handler, int budget);

    /** A free transmit buffer's id, or -1 when all are in flight (back-pressure: try after the next poll). */
    int txAcquire();

    /** The segment transmit buffers live in. */
    MemorySegment txSegment();

    /** Where the frame of buffer {@code id} starts in {@link #txSegment()}. */
    long txFrameOffset(int id);

    /** Largest frame a transmit buffer holds. */
    int txFrameCapacity();

    /**
     * Queues buffer {@code id} holding a frame of {@code frameLength} bytes. With {@code csumStart >= 0} the device
     * completes the checksum from {@code csumStart} (frame offset) and stores it at {@code csumStart + csumOffset}
     * (requires {@link #CAP_TX_CSUM}); the field must hold the folded pseudo-header sum.
     *
     * @return 0, or a negative code when the device refused (the buffer is released either way)
     */
    int txSubmit(int id, int frameLength, int csumStart, int csumOffset);

    /** Releases buffer {@code id} without sending it. */
    void txAbort(int id);

    /** Makes queued frames and re-posted receive buffers visible to the device; returns whether it was notified. */
    boolean flush();

    /** Asks for a wake-up on new work; returns true if work is already pending (then poll instead of sleeping). */
    boolean enableInterrupts();

    void disableInterrupts();

    /** True when the device needs a reset (it reported DEVICE_NEEDS_RESET or a queue broke). */
    boolean needsReset();

    /** Why {@link #needsReset()} is true, or null. */
    String resetReason();

    /** Resets and re-initializes the device; frames in flight are lost (TCP retransmits them). */
    void reinitialize();

    /** Device and driver counters by name. */
    Map<String, Long> counters();
}
