package io.virtaio.netstack.iface;

import io.virtaio.netstack.StackContext;
import io.virtaio.netstack.icmp.IcmpErrorSender;
import io.virtaio.netstack.icmp.IcmpLayer;
import io.virtaio.netstack.ip.Routing;
import io.virtaio.netstack.udp.UdpLayer;
import io.virtaio.netstack.wire.Icmpv4Code;
import io.virtaio.netstack.wire.IpProtocol;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.netstack.wire.Ipv4Packet;
import io.virtaio.netstack.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * IPv4 input (RFC 791 §3.2; RFC 1122 §3.2.1): validates each datagram, keeps those addressed to this host, and hands
 * their payload to ICMP, UDP or TCP; answers other protocols with protocol unreachable.
 *
 * <p>Checked, each failure counted under its own name and silently discarded: the header ({@link Ipv4Packet#check}:
 * version, IHL, total length against the frame; Ethernet padding after the total length is ignored), the header
 * checksum (always in software: virtio never offloads it), TTL 0, the destination (ours, the limited or our subnet's
 * broadcast), a unicast datagram in a link-layer broadcast, and the source (it must name a single host). Options are
 * skipped (the payload starts at IHL*4). Fragments are dropped and counted, not reassembled: why is in
 * {@link io.virtaio.netstack.ip}.
 *
 * <p>Thread: the stack's. Allocation-free.
 */
public final class Ipv4Input {
    private final StackContext ctx;
    private final Routing routing;
    private final IcmpLayer icmp;
    private final IcmpErrorSender icmpErrors;
    private final Transports transports;
    private final Ipv4Packet ip = new Ipv4Packet();

    private final long[] drops = new long[WireError.COUNT];
    private long packets;
    private long ttlZero;
    private long notForUs;
    private long badSource;
    private long unicastInLinkBroadcast;
    private long tcpToBroadcast;
    private long unknownProtocol;
    private long toIcmp;
    private long toUdp;
    private long toTcp;

    public Ipv4Input(StackContext ctx, Routing routing, IcmpLayer icmp, IcmpErrorSender icmpErrors,
                     Transports transports) {
        this.ctx = ctx;
        this.routing = routing;
        this.icmp = icmp;
        this.icmpErrors = icmpErrors;
        this.transports = transports;
    }

    /**
     * An IPv4 datagram: {@code len} bytes at {@code off} (from the device, an Ethernet payload with any padding; from
     * loopback, exactly the packet).
     *
     * @param checksumOk    the device vouched for the transport checksum
     * @param linkBroadcast it came in a link-layer broadcast frame
     * @param loopback      this host sent it to itself
     */
    public void input(MemorySegment seg, long off, int len, boolean checksumOk, boolean linkBroadcast,
                      boolean loopback) {
        packets++;
        int err = ip.wrap(seg, off, len).check();
        if (err != WireError.OK) {
            drops[-err]++;
            return;
        }
        // RFC 1122 §3.2.1.2: "A host MUST verify the IP header checksum on every received datagram and silently
        // discard every datagram that has a bad checksum."
        if (!ip.verifyChecksum()) {
            drops[-WireError.BAD_CHECKSUM]++;
            return;
        }
        // RFC 791 §3.2 "Time to Live": "If this field contains the value zero, then the datagram must be
        // destroyed." A TTL of 1 is fine: RFC 1122 §3.2.1.7, a host "MUST NOT discard a datagram just because it was
        // received with TTL less than 2".
        if (ip.ttl() == 0) {
            ttlZero++;
            return;
        }
        int src = ip.src();
        int dst = ip.dst();
        boolean broadcastDst = false;
        if (!loopback) {
            // RFC 1122 §3.2.1.3 (g): 127.0.0.0/8 "MUST NOT appear outside a host", so it is not ours here either.
            if (routing.isBroadcast(dst)) {
                broadcastDst = true;
            } else if (!routing.isOurs(dst)) {
                notForUs++;
                return;
            }
            // RFC 1122 §3.3.6: "A host SHOULD silently discard a datagram that is received via a link-layer
            // broadcast but does not specify an IP multicast or broadcast destination address."
            if (linkBroadcast && !broadcastDst) {
                unicastInLinkBroadcast++;
                return;
            }
            // RFC 1122 §3.2.1.3: a datagram whose source is not a single host's address (0, broadcast, multicast,
            // loopback, class E), or is our own (a loop, or spoofed), is discarded.
            if (!routing.isSingleHost(src) || routing.isOurs(src)) {
                badSource++;
                return;
            }
        }
        // RFC 1122 §3.3.2 asks hosts to reassemble; this stack does not (see the ip package documentation).
        if (ip.isFragment()) {
            drops[-WireError.FRAGMENT]++;
            return;
        }
        long l4 = ip.payloadOffset();
        int l4Length = ip.payloadLength();
        switch (ip.protocol()) {
            case IpProtocol.ICMP -> {
                toIcmp++;
                icmp.input(src, seg, l4, l4Length, broadcastDst);
            }
            case IpProtocol.UDP -> {
                toUdp++;
                int r = transports.udp().input(src, dst, seg, l4, l4Length, checksumOk, broadcastDst);
                if (r == UdpLayer.NO_PORT) {
                    // RFC 1122 §4.1.3.1: "If a datagram arrives addressed to a UDP port for which there is no
                    // pending LISTEN call, UDP SHOULD send an ICMP Port Unreachable message."
                    icmpErrors.unreachable(Icmpv4Code.PORT_UNREACHABLE, ip, broadcastDst, linkBroadcast, loopback);
                }
            }
            case IpProtocol.TCP -> {
                // RFC 1122 §4.2.3.10: a SYN to a broadcast or multicast address MUST be discarded; no TCP segment
                // has a use there.
                if (broadcastDst || Ipv4Address.isMulticast(dst)) {
                    tcpToBroadcast++;
                    return;
                }
                toTcp++;
                transports.tcpOrCreate().input(src, dst, seg, l4, l4Length, checksumOk, ctx.nowNs());
            }
            default -> {
                unknownProtocol++;
                // RFC 1122 §3.2.2.1: a host SHOULD send Protocol Unreachable "when the designated transport
                // protocol is not supported".
                icmpErrors.unreachable(Icmpv4Code.PROTOCOL_UNREACHABLE, ip, broadcastDst, linkBroadcast, loopback);
            }
        }
    }

    /** Adds the {@code ipv4.rx.*} counters to {@code into}. */
    public void putCounters(Map<String, Long> into) {
        into.put("ipv4.rx.packets", packets);
        into.put("ipv4.rx.drop.TRUNCATED", drops[-WireError.TRUNCATED]);
        into.put("ipv4.rx.drop.BAD_VERSION", drops[-WireError.BAD_VERSION]);
        into.put("ipv4.rx.drop.BAD_HEADER_LENGTH", drops[-WireError.BAD_HEADER_LENGTH]);
        into.put("ipv4.rx.drop.BAD_TOTAL_LENGTH", drops[-WireError.BAD_TOTAL_LENGTH]);
        into.put("ipv4.rx.drop.BAD_CHECKSUM", drops[-WireError.BAD_CHECKSUM]);
        into.put("ipv4.rx.drop.FRAGMENT", drops[-WireError.FRAGMENT]);
        into.put("ipv4.rx.drop.ttl_zero", ttlZero);
        into.put("ipv4.rx.drop.not_for_us", notForUs);
        into.put("ipv4.rx.drop.bad_source", badSource);
        into.put("ipv4.rx.drop.unicast_in_link_broadcast", unicastInLinkBroadcast);
        into.put("ipv4.rx.drop.tcp_to_broadcast", tcpToBroadcast);
        into.put("ipv4.rx.drop.unknown_protocol", unknownProtocol);
        into.put("ipv4.rx.icmp", toIcmp);
        into.put("ipv4.rx.udp", toUdp);
        into.put("ipv4.rx.tcp", toTcp);
    }
}
