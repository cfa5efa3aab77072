package io.virtaio.virtio.net;

import static io.virtaio.virtio.net.VirtioNet.HDR_CSUM_OFFSET;
import static io.virtaio.virtio.net.VirtioNet.HDR_CSUM_START;
import static io.virtaio.virtio.net.VirtioNet.HDR_FLAGS;
import static io.virtaio.virtio.net.VirtioNet.HDR_F_DATA_VALID;
import static io.virtaio.virtio.net.VirtioNet.HDR_F_NEEDS_CSUM;
import static io.virtaio.virtio.net.VirtioNet.HDR_F_RSC_INFO;
import static io.virtaio.virtio.net.VirtioNet.HDR_GSO_SIZE;
import static io.virtaio.virtio.net.VirtioNet.HDR_GSO_TYPE;
import static io.virtaio.virtio.net.VirtioNet.HDR_HDR_LEN;
import static io.virtaio.virtio.net.VirtioNet.HDR_NUM_BUFFERS;
import static io.virtaio.virtio.net.VirtioNet.LE16;

import io.virtaio.virtio.Virtio;
import io.virtaio.virtio.net.DeviceCounters.Drop;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The device's rules for {@code virtio_net_hdr} (virtio 1.2 §5.1.6): checking a transmitted header, checking a
 * header that arrives for the receive path, writing the receive header, and completing a partial checksum.
 *
 * <p>Static and allocation-free; every method works on a header the device already copied out of shared memory
 * (or that a backend handed over as a stable copy), never on bytes the driver can still change.
 */
final class NetHeaders {
    private NetHeaders() {
    }

    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    static int flags(MemorySegment hdr) {
        return hdr.get(ValueLayout.JAVA_BYTE, HDR_FLAGS) & 0xFF;
    }

    static int gsoType(MemorySegment hdr) {
        return hdr.get(ValueLayout.JAVA_BYTE, HDR_GSO_TYPE) & 0xFF;
    }

    static int csumStart(MemorySegment hdr) {
        return Short.toUnsignedInt(hdr.get(LE16, HDR_CSUM_START));
    }

    static int csumOffset(MemorySegment hdr) {
        return Short.toUnsignedInt(hdr.get(LE16, HDR_CSUM_OFFSET));
    }

    /** Where the checksum goes, from the frame's first byte: csum_start + csum_offset. */
    static int checksumPosition(MemorySegment hdr) {
        return csumStart(hdr) + csumOffset(hdr);
    }

    /** True iff NEEDS_CSUM names a 2-byte field inside a frame of {@code frameLength} bytes. */
    private static boolean checksumFits(MemorySegment hdr, long frameLength) {
        return (long) checksumPosition(hdr) + 2 <= frameLength;
    }

    /**
     * Checks the copy of a transmitted header and rewrites it into the canonical form the backend receives (flags
     * reduced to NEEDS_CSUM, fields that mean nothing zeroed), or says why the frame is dropped.
     *
     * @return null to send, else the drop reason
     */
    static Drop checkTransmit(MemorySegment hdr, long frameLength, long features, int mtu) {
        int flags = flags(hdr);
        int gso = gsoType(hdr);
        if (frameLength < VirtioNet.ETH_HEADER) {
            return Drop.TX_RUNT;
        }
        if (gso != VirtioNet.GSO_NONE) {
            // HOST_TSO4/6 and HOST_UFO are not offered, so no gso_type but NONE can have been negotiated
            // (§5.1.6.2.1: the driver MUST NOT use a gso_type whose feature it did not negotiate).
            return Drop.TX_GSO_NOT_NEGOTIATED;
        }
        if (frameLength > VirtioNet.maxFrame(mtu)) {
            return Drop.TX_OVERSIZE;
        }
        // §5.1.6.2.1: "The driver MUST NOT set the VIRTIO_NET_HDR_F_DATA_VALID and VIRTIO_NET_HDR_F_RSC_INFO bits
        // in flags." Other unknown bits are ignored (§5.1.6.2.2: the device MUST ignore flag bits it does not
        // recognize).
        if ((flags & (HDR_F_DATA_VALID | HDR_F_RSC_INFO)) != 0) {
            return Drop.TX_BAD_FLAGS;
        }
        boolean needsCsum = (flags & HDR_F_NEEDS_CSUM) != 0;
        if (needsCsum) {
            // §5.1.6.2.1: without VIRTIO_NET_F_CSUM "the driver MUST set flags to zero".
            if (!Virtio.has(features, VirtioNet.F_CSUM)) {
                return Drop.TX_CSUM_NOT_NEGOTIATED;
            }
            if (!checksumFits(hdr, frameLength)) {
                return Drop.TX_BAD_CSUM_OFFSETS;
            }
        }
        hdr.set(ValueLayout.JAVA_BYTE, HDR_FLAGS, (byte) (needsCsum ? HDR_F_NEEDS_CSUM : 0));
        hdr.set(LE16, HDR_HDR_LEN, (short) 0);
        hdr.set(LE16, HDR_GSO_SIZE, (short) 0);
        if (!needsCsum) {
            // §5.1.6.2.2: without NEEDS_CSUM the device MUST NOT use csum_start and csum_offset.
            hdr.set(LE16, HDR_CSUM_START, (short) 0);
            hdr.set(LE16, HDR_CSUM_OFFSET, (short) 0);
        }
        hdr.set(LE16, HDR_NUM_BUFFERS, (short) 0);
        return null;
    }

    /**
     * True iff a header arriving for the receive path can be honoured for a frame of {@code frameLength} bytes: an
     * Ethernet header at least, no GSO (no GUEST_TSO/UFO is offered, so none can be negotiated), and checksum
     * offsets inside the frame when NEEDS_CSUM is set. The backend may be a kernel or a fault stage: trust nothing.
     */
    static boolean checkReceive(MemorySegment hdr, int frameLength) {
        if (frameLength < VirtioNet.ETH_HEADER || gsoType(hdr) != VirtioNet.GSO_NONE) {
            return false;
        }
        return (flags(hdr) & HDR_F_NEEDS_CSUM) == 0 || checksumFits(hdr, frameLength);
    }

    /**
     * Writes into {@code out} the header the driver receives for a frame that arrived with {@code in}
     * (§5.1.6.4): num_buffers 1 (no MRG_RXBUF); with GUEST_CSUM, NEEDS_CSUM and its offsets and DATA_VALID pass
     * through as they came; without it, flags are zero (§5.1.6.3.1) and the device completes the checksum.
     */
    static void writeReceiveHeader(MemorySegment out, MemorySegment in, long features) {
        int flags = 0;
        int start = 0;
        int offset = 0;
        if (Virtio.has(features, VirtioNet.F_GUEST_CSUM)) {
            int inFlags = flags(in);
            flags = inFlags & (HDR_F_NEEDS_CSUM | HDR_F_DATA_VALID);
            if ((inFlags & HDR_F_NEEDS_CSUM) != 0) {
                start = csumStart(in);
                offset = csumOffset(in);
            }
        }
        out.set(ValueLayout.JAVA_BYTE, HDR_FLAGS, (byte) flags);
        out.set(ValueLayout.JAVA_BYTE, HDR_GSO_TYPE, (byte) VirtioNet.GSO_NONE);
        out.set(LE16, HDR_HDR_LEN, (short) 0);
        out.set(LE16, HDR_GSO_SIZE, (short) 0);
        out.set(LE16, HDR_CSUM_START, (short) start);
        out.set(LE16, HDR_CSUM_OFFSET, (short) offset);
        out.set(LE16, HDR_NUM_BUFFERS, (short) 1);
    }

    /** True iff the device must complete the checksum: NEEDS_CSUM arrived and the driver lacks GUEST_CSUM. */
    static boolean needsCompletion(MemorySegment in, long features) {
        return (flags(in) & HDR_F_NEEDS_CSUM) != 0 && !Virtio.has(features, VirtioNet.F_GUEST_CSUM);
    }

    /**
     * Completes a partial checksum, writing the 2-byte big-endian result into {@code out}: the ones' complement sum
     * from csum_start to the end of the frame — which includes the partial (pseudo-header) sum the sender stored in
     * the field — complemented (§5.1.6.2, RFC 1071). A result of 0 is sent as 0xFFFF for UDP only
     * ({@link InternetChecksum#completedField}).
     */
    static void completeChecksum(MemorySegment in, MemorySegment frame, long frameOffset, int frameLength,
                                 MemorySegment out) {
        int start = csumStart(in);
        int sum = InternetChecksum.checksum(frame, frameOffset + start, frameLength - start);
        out.set(BE16, 0, (short) InternetChecksum.completedField(sum, csumOffset(in)));
    }
}
