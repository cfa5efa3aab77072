package io.virtaio.netstack.wire;

import java.lang.foreign.MemorySegment;

/**
 * Drives every view, getter, checksum, option parser and Repr over one input, the way a stack would, without ever
 * stopping at a checksum failure (so mutated inputs reach the deep parsers). Counts how far inputs got.
 */
final class ParseAll {
    enum Reached {
        ETHERNET, ARP, IPV4, IPV4_EMBEDDED, ICMP, ICMP_QUOTE, UDP, TCP, TCP_OPTIONS, TCP_BAD_OPTIONS, CHECKSUM_OK
    }

    private final long[] reached = new long[Reached.values().length];

    private final EthernetFrame ethernet = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ipv4 = new Ipv4Packet();
    private final Ipv4Packet quoted = new Ipv4Packet();
    private final Icmpv4Packet icmp = new Icmpv4Packet();
    private final UdpDatagram udp = new UdpDatagram();
    private final TcpSegment tcp = new TcpSegment();
    private final TcpOptions options = new TcpOptions();
    private long sink;

    /** Each view wrapped directly over the whole input. */
    void everyView(MemorySegment seg) {
        int length = (int) seg.byteSize();
        if (ethernet.wrap(seg, 0, length).check() == WireError.OK) {
            ethernet();
        }
        if (arp.wrap(seg, 0, length).check() == WireError.OK) {
            arp();
        }
        if (ipv4.wrap(seg, 0, length).check() == WireError.OK) {
            ipv4(false);
        }
        if (ipv4.checkEmbedded() == WireError.OK) {
            ipv4Embedded(ipv4);
        }
        if (icmp.wrap(seg, 0, length).check() == WireError.OK) {
            icmp();
        }
        if (udp.wrap(seg, 0, length).check() == WireError.OK) {
            udp(0, 0);
        }
        if (tcp.wrap(seg, 0, length).check() == WireError.OK) {
            tcp(0, 0);
        }
    }

    /** The input as an Ethernet frame, down the layers. */
    void frame(MemorySegment seg) {
        if (ethernet.wrap(seg, 0, (int) seg.byteSize()).check() != WireError.OK) {
            return;
        }
        ethernet();
        switch (ethernet.etherType()) {
            case EtherType.ARP -> {
                if (arp.wrap(seg, ethernet.payloadOffset(), ethernet.payloadLength()).check() == WireError.OK) {
                    arp();
                }
            }
            case EtherType.IPV4 -> {
                if (ipv4.wrap(seg, ethernet.payloadOffset(), ethernet.payloadLength()).check() == WireError.OK) {
                    ipv4(true);
                }
            }
            default -> { }
        }
    }

    private void ethernet() {
        count(Reached.ETHERNET);
        EthernetRepr repr = EthernetRepr.parse(ethernet);
        sink += repr.dst() + repr.src() + ethernet.payloadOffset() + ethernet.payloadLength();
    }

    private void arp() {
        count(Reached.ARP);
        ArpRepr repr = ArpRepr.parse(arp);
        sink += repr.senderMac() + repr.targetIp();
    }

    private void ipv4(boolean descend) {
        count(Reached.IPV4);
        Ipv4Repr repr = Ipv4Repr.parse(ipv4);
        if (ipv4.verifyChecksum()) {
            count(Reached.CHECKSUM_OK);
        }
        sink += repr.hashCode() + ipv4.dscp() + ipv4.ecn() + ipv4.checksum() + ipv4.version();
        if (!descend || ipv4.isFragment()) {
            return;
        }
        MemorySegment seg = ipv4.segment();
        long offset = ipv4.payloadOffset();
        int length = ipv4.payloadLength();
        switch (ipv4.protocol()) {
            case IpProtocol.ICMP -> {
                if (icmp.wrap(seg, offset, length).check() == WireError.OK) {
                    icmp();
                }
            }
            case IpProtocol.UDP -> {
                if (udp.wrap(seg, offset, length).check() == WireError.OK) {
                    udp(ipv4.src(), ipv4.dst());
                }
            }
            case IpProtocol.TCP -> {
                if (tcp.wrap(seg, offset, length).check() == WireError.OK) {
                    tcp(ipv4.src(), ipv4.dst());
                }
            }
            default -> { }
        }
    }

    private void ipv4Embedded(Ipv4Packet packet) {
        count(Reached.IPV4_EMBEDDED);
        sink += packet.src() + packet.dst() + packet.protocol() + packet.payloadLength() + packet.totalLength();
        if (packet.payloadLength() >= 4) {
            sink += Be.u16(packet.segment(), packet.payloadOffset()) + Be.u16(packet.segment(),
                    packet.payloadOffset() + 2);
        }
        if (packet.verifyChecksum()) {
            count(Reached.CHECKSUM_OK);
        }
    }

    private void icmp() {
        count(Reached.ICMP);
        Icmpv4Repr repr = Icmpv4Repr.parse(icmp);
        if (icmp.verifyChecksum()) {
            count(Reached.CHECKSUM_OK);
        }
        sink += repr.hashCode() + icmp.code() + icmp.checksum() + icmp.identifier() + icmp.sequence()
                + icmp.nextHopMtu();
        if (Icmpv4Type.isError(icmp.type())
                && quoted.wrap(icmp.segment(), icmp.dataOffset(), icmp.dataLength()).checkEmbedded() == WireError.OK) {
            count(Reached.ICMP_QUOTE);
            ipv4Embedded(quoted);
        }
    }

    private void udp(int src, int dst) {
        count(Reached.UDP);
        UdpRepr repr = UdpRepr.parse(udp);
        if (udp.verifyChecksum(src, dst)) {
            count(Reached.CHECKSUM_OK);
        }
        sink += repr.hashCode() + udp.payloadOffset() + udp.checksum();
    }

    private void tcp(int src, int dst) {
        count(Reached.TCP);
        if (tcp.verifyChecksum(src, dst)) {
            count(Reached.CHECKSUM_OK);
        }
        sink += tcp.srcPort() + tcp.dstPort() + tcp.seq() + tcp.ack() + tcp.flags() + tcp.window() + tcp.checksum()
                + tcp.urgentPointer() + tcp.payloadOffset() + tcp.payloadLength() + tcp.sequenceLength();
        if (options.parse(tcp) == WireError.OK) {
            count(Reached.TCP_OPTIONS);
            for (int i = 0; i < options.sackCount(); i++) {
                sink += options.sackLeft(i) + options.sackRight(i);
            }
            sink += TcpRepr.parse(tcp, options).hashCode();
        } else {
            count(Reached.TCP_BAD_OPTIONS);
        }
    }

    private void count(Reached r) {
        reached[r.ordinal()]++;
    }

    long reached(Reached r) {
        return reached[r.ordinal()];
    }

    /** Keeps the JIT from discarding reads. */
    long sink() {
        return sink;
    }
}
