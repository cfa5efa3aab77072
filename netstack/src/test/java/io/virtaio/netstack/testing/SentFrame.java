package io.virtaio.netstack.testing;

import io.virtaio.netstack.wire.Be;
import io.virtaio.netstack.wire.Checksum;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A frame a {@link FakeNetDevice} transmitted, copied out of its transmit buffer, with the checksum request it was
 * submitted with ({@code csumStart < 0}: none).
 */
public final class SentFrame {
    private final byte[] bytes;
    private final int csumStart;
    private final int csumOffset;

    SentFrame(byte[] bytes, int csumStart, int csumOffset) {
        this.bytes = bytes;
        this.csumStart = csumStart;
        this.csumOffset = csumOffset;
    }

    /** The frame as the stack wrote it (a partial checksum left partial). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The frame as a heap segment (a copy). */
    public MemorySegment segment() {
        return MemorySegment.ofArray(bytes.clone());
    }

    public int length() {
        return bytes.length;
    }

    /** True if it was submitted with a checksum for the device to complete (virtio NEEDS_CSUM). */
    public boolean needsChecksum() {
        return csumStart >= 0;
    }

    public int csumStart() {
        return csumStart;
    }

    public int csumOffset() {
        return csumOffset;
    }

    /** The frame as it leaves the device: the checksum completed if one was requested. */
    public byte[] completed() {
        byte[] copy = bytes.clone();
        if (needsChecksum()) {
            completeChecksum(MemorySegment.ofArray(copy), 0, copy.length, csumStart, csumOffset);
        }
        return copy;
    }

    /**
     * Completes a partial checksum in place as a virtio device does (and Linux's {@code skb_checksum_help}): the
     * ones'-complement sum from {@code csumStart} to the end of the frame, complemented, stored at
     * {@code csumStart + csumOffset}; a result of zero is sent as 0xFFFF.
     */
    public static void completeChecksum(MemorySegment seg, long frameOffset, int length, int csumStart,
                                        int csumOffset) {
        int sum = Checksum.sum(seg, frameOffset + csumStart, length - csumStart);
        int c = Checksum.finish(sum);
        Be.set16(seg, frameOffset + csumStart + csumOffset, c == 0 ? 0xFFFF : c);
    }

    @Override
    public String toString() {
        return "SentFrame[" + bytes.length + " bytes" + (needsChecksum() ? ", csum " + csumStart + "+" + csumOffset
                : "") + ": " + HexFormat.of().formatHex(Arrays.copyOf(bytes, Math.min(bytes.length, 64))) + "]";
    }
}
