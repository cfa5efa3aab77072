package io.virtaio.netstack.link;

import java.lang.foreign.MemorySegment;

/** Receives frames from a {@link NetDevice}, in place: the bytes are valid only during the call. */
@FunctionalInterface
public interface FrameHandler {
    /**
     * @param seg   segment holding the frame
     * @param off   offset of the Ethernet header
     * @param len   frame length (no FCS)
     * @param flags {@link NetDevice#RX_CSUM_OK} when the transport checksum needs no verification
     */
    void onFrame(MemorySegment seg, long off, int len, int flags);
}
