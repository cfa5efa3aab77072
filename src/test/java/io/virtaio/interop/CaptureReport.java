package io.virtaio.interop;

import java.util.List;

/**
 * What tshark found in a capture (see {@link Tshark#analyze}).
 *
 * @param frames              every frame
 * @param inbound             frames marked inbound (from the TAP towards our device), pcapng only
 * @param outbound            frames marked outbound (from our device)
 * @param malformed           frames a dissector could not parse ({@code _ws.malformed})
 * @param badChecksums        frames whose own IPv4, ICMP, UDP or TCP checksum is wrong
 * @param quotedBadChecksums  ICMP errors whose quoted UDP/TCP header has a checksum that does not verify: the
 *                            quote of a datagram received with a partial checksum (NEEDS_CSUM) carries the
 *                            pseudo-header sum, as Linux's icmp_send quotes a CHECKSUM_PARTIAL skb. Not a fault of
 *                            the frame; counted apart so that it can be asserted on knowingly
 * @param goodChecksums       frames with at least one checksum verified good: proof the checking was on
 * @param warnings            frames with expert info of severity warning or error, quoted checksums excluded
 * @param tcpRetransmissions  {@code tcp.analysis.retransmission} (fast retransmissions included)
 * @param tcpFastRetransmissions {@code tcp.analysis.fast_retransmission}
 * @param tcpLostSegments     {@code tcp.analysis.lost_segment}: a gap in what the capture saw
 * @param problems            "frame N: info" of the malformed, bad-checksum and warning frames, for messages
 */
record CaptureReport(int frames, int inbound, int outbound, int malformed, int badChecksums, int quotedBadChecksums,
                     int goodChecksums, int warnings, int tcpRetransmissions, int tcpFastRetransmissions,
                     int tcpLostSegments, List<String> problems) {
    CaptureReport {
        problems = List.copyOf(problems);
    }

    /** True if no frame is malformed, has a bad checksum of its own or carries a warning. */
    boolean clean() {
        return malformed == 0 && badChecksums == 0 && warnings == 0;
    }
}
