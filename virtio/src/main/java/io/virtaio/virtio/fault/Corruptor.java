package io.virtaio.virtio.fault;

import io.virtaio.virtio.net.InternetChecksum;
import io.virtaio.virtio.net.VirtioNet;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Chooses and applies bit flips ({@link Corruption}), and settles checksum offload before a frame is damaged.
 * Positions are frame offsets (0 = first byte of the Ethernet header) and bits (0 = least significant), packed as
 * {@code byte * 8 + bit}. Allocation-free; one per direction.
 */
final class Corruptor {
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort LE16 = VirtioNet.LE16;

    /** Bit positions within a 16-bit word (15 = most significant bit of the first byte), drawn without repeats. */
    private final int[] wordBits = new int[16];

    /**
     * Payload-mode positions for the frame seen by {@code f}: {@code flips} bits inside its IPv4 packet, at
     * distinct positions modulo 16 within the checksums' 16-bit words — a ones' complement sum changes by
     * {@code Σ ±2^k} over distinct k < 16, which is never 0 mod 0xFFFF, so the IPv4 header checksum or the
     * transport checksum always sees the damage (RFC 1071 §2; words start at even offsets from the IPv4 header,
     * which starts at frame offset 14).
     *
     * @param hdrFlags the frame's virtio-net header flags: a partial checksum (NEEDS_CSUM) is completed before
     *                 the damage, so it counts as present
     * @return the number of positions written to {@code out}, or -1 if no checksum protects the packet (the
     *     caller then treats the frame as FCS-damaged)
     */
    int choosePayload(FrameView f, int hdrFlags, SplittableRandom rng, int flips, int[] out) {
        if (!protectedByChecksums(f, hdrFlags)) {
            return -1;
        }
        int start = FrameView.ETH_HEADER;
        int length = f.ipTotalLength();
        int words = (length + 1) / 2;
        // A UDP checksum flipped to 0 would read as "no checksum" (RFC 768) and hide the other flips: with more
        // than one flip, the field's two bytes are left alone.
        int avoid = f.protocol() == FrameView.PROTO_UDP && flips > 1 ? f.ipHeaderLength() + 6 : -2;
        for (int i = 0; i < 16; i++) {
            wordBits[i] = i;
        }
        for (int n = 0; n < flips; n++) {
            // Partial Fisher–Yates: wordBits[n] becomes a bit position not used before.
            int j = n + rng.nextInt(16 - n);
            int k = wordBits[j];
            wordBits[j] = wordBits[n];
            wordBits[n] = k;
            int byteInWord = k >= 8 ? 0 : 1;
            int offset;
            do {
                offset = 2 * rng.nextInt(words) + byteInWord;
            } while (offset >= length || offset == avoid || offset == avoid + 1);
            out[n] = (start + offset) * 8 + (k & 7);
        }
        return flips;
    }

    /** True iff an IPv4 checksum covers every byte of the packet: unfragmented TCP, UDP with a checksum, ICMP. */
    private static boolean protectedByChecksums(FrameView f, int hdrFlags) {
        if (!f.isIpv4() || f.isFragment()) {
            return false;
        }
        int l4 = f.transportOffset();
        return switch (f.protocol()) {
            case FrameView.PROTO_TCP -> f.isTcp();
            case FrameView.PROTO_ICMP -> f.isIcmp();
            // RFC 768: a zero checksum field means the sender computed none (unless NEEDS_CSUM will fill it in).
            case FrameView.PROTO_UDP -> f.isUdp() && ((hdrFlags & VirtioNet.HDR_F_NEEDS_CSUM) != 0
                    || f.segment().get(BE16, f.offset() + l4 + 6) != 0);
            default -> false;
        };
    }

    /** Wire-mode positions: {@code flips} bits anywhere in a frame of {@code length} bytes. */
    static int chooseAnywhere(int length, SplittableRandom rng, int flips, int[] out) {
        for (int n = 0; n < flips; n++) {
            out[n] = rng.nextInt(length) * 8 + rng.nextInt(8);
        }
        return flips;
    }

    /** Inverts the bits at {@code positions[from, from + n)} of the frame at {@code frame[off]}. */
    static void apply(MemorySegment frame, long off, int[] positions, int from, int n) {
        for (int i = from; i < from + n; i++) {
            long at = off + (positions[i] >>> 3);
            byte b = frame.get(ValueLayout.JAVA_BYTE, at);
            frame.set(ValueLayout.JAVA_BYTE, at, (byte) (b ^ (1 << (positions[i] & 7))));
        }
    }

    /**
     * Makes a copy's checksums final before it is damaged, as the sending NIC would have before the frame left
     * (virtio 1.2 §5.1.6.2): a partial checksum (NEEDS_CSUM) is completed and the flag cleared, and DATA_VALID is
     * cleared — no one may vouch for a damaged frame's checksum (§5.1.6.4.1).
     *
     * @param hdr   the copy's 12-byte virtio-net header at offset {@code hdrOff}
     * @param frame the copy's frame at {@code off}
     */
    static void settleChecksum(MemorySegment hdr, long hdrOff, MemorySegment frame, long off, int length) {
        int flags = hdr.get(ValueLayout.JAVA_BYTE, hdrOff + VirtioNet.HDR_FLAGS) & 0xFF;
        if ((flags & VirtioNet.HDR_F_NEEDS_CSUM) != 0) {
            int start = Short.toUnsignedInt(hdr.get(LE16, hdrOff + VirtioNet.HDR_CSUM_START));
            int csumOffset = Short.toUnsignedInt(hdr.get(LE16, hdrOff + VirtioNet.HDR_CSUM_OFFSET));
            int field = start + csumOffset;
            if (field + 2 <= length) {
                // The field holds the pseudo-header sum; the sum from csum_start to the end includes it (RFC 1071).
                int sum = InternetChecksum.checksum(frame, off + start, length - start);
                frame.set(BE16, off + field, (short) InternetChecksum.completedField(sum, csumOffset));
            }
            hdr.set(LE16, hdrOff + VirtioNet.HDR_CSUM_START, (short) 0);
            hdr.set(LE16, hdrOff + VirtioNet.HDR_CSUM_OFFSET, (short) 0);
        }
        hdr.set(ValueLayout.JAVA_BYTE, hdrOff + VirtioNet.HDR_FLAGS,
                (byte) (flags & ~(VirtioNet.HDR_F_NEEDS_CSUM | VirtioNet.HDR_F_DATA_VALID)));
    }
}
