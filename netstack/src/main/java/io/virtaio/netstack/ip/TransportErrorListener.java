package io.virtaio.netstack.ip;

import io.virtaio.netstack.wire.Ipv4Packet;

/**
 * Receives errors about packets this stack sent, to hand them to the transport that sent them: ICMP errors from the
 * network (RFC 1122 §3.2.2.1: a Destination Unreachable "MUST be reported to the transport layer"), and failures
 * found here, such as a next hop that never answered ARP, reported the same way (as Linux does, by type and code).
 */
public interface TransportErrorListener {
    /**
     * @param type       {@link io.virtaio.netstack.wire.Icmpv4Type#DST_UNREACHABLE} or
     *                   {@link io.virtaio.netstack.wire.Icmpv4Type#TIME_EXCEEDED}
     * @param code       the ICMP code
     * @param nextHopMtu the Next-Hop MTU of a fragmentation-needed error (RFC 1191 §4), else 0
     * @param quoted     the packet we sent, {@code checkEmbedded()} OK, with at least 8 bytes of its payload (the
     *                   ports, and TCP's sequence number); valid only during the call
     */
    void onError(int type, int code, int nextHopMtu, Ipv4Packet quoted);
}
