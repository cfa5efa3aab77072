package io.virtaio.virtio.fault;

import java.util.Locale;

/**
 * Bit errors: with {@code probability} a frame gets {@code flips} bits inverted, at positions drawn from the seed.
 * Whatever the mode, a corrupted frame never reaches an application as data: either the receiving NIC drops it, or
 * the IP and transport checksums catch it.
 *
 * <p>SPEC: {@code corrupt=P[:FLIPS][:fcs|:payload]}, e.g. {@code corrupt=0.1%}, {@code corrupt=1%:3:payload}.
 *
 * @param probability per frame
 * @param flips       bits inverted per corrupted frame, 1…{@link #MAX_FLIPS}
 * @param mode        where the error happens (below)
 */
public record Corruption(double probability, int flips, Mode mode) {
    /** Most bits flipped in one frame: fewer than 16 keeps every payload-mode error detectable (see {@link Mode}). */
    public static final int MAX_FLIPS = 8;

    /** Where the bits were flipped, which decides who catches the error. */
    public enum Mode {
        /**
         * On the wire (the default, and what a link does): bits anywhere in the frame, which the receiving NIC's
         * CRC-32 frame check sequence rejects (IEEE 802.3 §3.2.9; CRC-32 catches every error of up to 3 bits in a
         * frame of Ethernet size, and every burst of up to 32). The stage drops the frame as that NIC would and
         * counts it {@link FaultKind#FCS_DROP}; a capture shows the damaged bytes with the pcapng CRC error flag.
         */
        FCS,
        /**
         * Inside a router, after the FCS was checked and before a new one was computed (J. Stone and C. Partridge,
         * "When the CRC and TCP checksum disagree", SIGCOMM 2000): bits inside the IPv4 packet, delivered to the
         * receiver, which must catch them with the IPv4 header checksum or the TCP/UDP/ICMP checksum (RFC 1071).
         * A partial checksum left for offload (NEEDS_CSUM) is completed first and DATA_VALID cleared, so the
         * receiving stack verifies in software. The flipped bits take distinct positions modulo 16 in the
         * checksums' 16-bit words, so their effects on a ones' complement sum cannot cancel: every error is
         * detectable. Frames the checksums cannot protect — not IPv4, IPv4 fragments, protocols other than TCP,
         * UDP and ICMP, UDP sent without a checksum (RFC 768) — are treated as in {@link #FCS} mode.
         */
        PAYLOAD;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Corruption {
        GilbertElliott.check(probability, "corruption probability");
        if (flips < 1 || flips > MAX_FLIPS) {
            throw new IllegalArgumentException("flips must be 1.." + MAX_FLIPS + ": " + flips);
        }
        if (mode == null) {
            throw new IllegalArgumentException("mode is required");
        }
    }

    /** One bit per corrupted frame, on the wire. */
    public static Corruption of(double probability) {
        return new Corruption(probability, 1, Mode.FCS);
    }

    @Override
    public String toString() {
        return SpecValues.percent(probability) + (flips != 1 ? ":" + flips : "")
                + (mode != Mode.FCS ? ":" + mode.key() : "");
    }
}
