package io.virtaio.netstack.wire;

import static io.virtaio.netstack.wire.WireTestSupport.copy;
import static io.virtaio.netstack.wire.WireTestSupport.filled;
import static io.virtaio.netstack.wire.WireTestSupport.toHex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real Linux frames (see {@code frames/capture.sh}): each is parsed down every layer with checksums verified, and
 * re-emitted from its Reprs into a buffer of {@code 0xA5}, which must reproduce Linux's bytes exactly, options
 * layout and (partial) checksums included.
 */
class FrameCorpusTest {
    private static final String VALID = "valid";
    private static final String PARTIAL = "partial";

    static List<FrameCorpus.Frame> frames() {
        return FrameCorpus.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void parsesEveryLayerAndReEmitsTheExactBytes(FrameCorpus.Frame frame) {
        int length = frame.bytes().length;
        MemorySegment in = MemorySegment.ofArray(frame.bytes());
        MemorySegment out = filled(length);

        EthernetFrame ethIn = new EthernetFrame().wrap(in, 0, length);
        assertEquals(WireError.OK, ethIn.check());
        EthernetRepr.parse(ethIn).emit(new EthernetFrame().wrap(out, 0, length));
        switch (ethIn.etherType()) {
            case EtherType.ARP -> arp(frame, ethIn, out);
            case EtherType.IPV4 -> ipv4(frame, ethIn, out);
            default -> fail("unexpected EtherType " + EtherType.name(ethIn.etherType()));
        }
        assertEquals(toHex(in), toHex(out));
    }

    private static void arp(FrameCorpus.Frame frame, EthernetFrame eth, MemorySegment out) {
        assertNull(frame.l4Checksum());
        ArpPacket in = new ArpPacket().wrap(eth.segment(), eth.payloadOffset(), eth.payloadLength());
        assertEquals(WireError.OK, in.check());
        ArpRepr.parse(in).emit(new ArpPacket().wrap(out, eth.payloadOffset(), eth.payloadLength()));
        copyTail(eth.segment(), out, eth.payloadOffset() + ArpPacket.LENGTH);
    }

    private static void ipv4(FrameCorpus.Frame frame, EthernetFrame eth, MemorySegment out) {
        MemorySegment seg = eth.segment();
        Ipv4Packet in = new Ipv4Packet().wrap(seg, eth.payloadOffset(), eth.payloadLength());
        assertEquals(WireError.OK, in.check());
        assertTrue(in.verifyChecksum(), "IPv4 header checksum");
        assertEquals(Ipv4Packet.MIN_HEADER_LENGTH, in.headerLength(), "Linux sends no IP options here");
        Ipv4Repr ip = Ipv4Repr.parse(in);
        long payload = in.payloadOffset();
        int payloadLength = in.payloadLength();
        copyTail(seg, out, payload + payloadLength);

        if (in.isFragment()) {
            assertNull(frame.l4Checksum());
            copy(seg, payload, out, payload, payloadLength);
        } else {
            switch (in.protocol()) {
                case IpProtocol.ICMP -> icmp(seg, payload, payloadLength, out);
                case IpProtocol.UDP -> udp(frame, seg, ip, payload, payloadLength, out);
                case IpProtocol.TCP -> tcp(frame, seg, ip, payload, payloadLength, out);
                default -> fail("unexpected protocol " + in.protocol());
            }
        }

        Ipv4Packet ipOut = new Ipv4Packet().wrap(out, eth.payloadOffset(), eth.payloadLength());
        ip.emit(ipOut);
        if (in.dscp() != 0 || in.ecn() != 0) {
            // Ipv4Repr does not carry DSCP/ECN; Linux sends ICMP errors with precedence "internetwork control".
            ipOut.setDscpEcn(in.dscp(), in.ecn());
            ipOut.fillChecksum();
        }
    }

    private static void icmp(MemorySegment seg, long offset, int length, MemorySegment out) {
        Icmpv4Packet in = new Icmpv4Packet().wrap(seg, offset, length);
        assertEquals(WireError.OK, in.check());
        assertTrue(in.verifyChecksum(), "ICMP checksum");
        Icmpv4Repr repr = Icmpv4Repr.parse(in);
        if (repr instanceof Icmpv4Repr.DstUnreachable || repr instanceof Icmpv4Repr.TimeExceeded) {
            Ipv4Packet quoted = new Ipv4Packet().wrap(seg, in.dataOffset(), in.dataLength());
            assertEquals(WireError.OK, quoted.checkEmbedded());
            assertTrue(quoted.verifyChecksum(), "quoted IPv4 header checksum");
            assertTrue(quoted.payloadLength() >= 8, "RFC 792: 64 bits of the original data");
        }
        copy(seg, in.dataOffset(), out, in.dataOffset(), in.dataLength());
        repr.emit(new Icmpv4Packet().wrap(out, offset, length));
    }

    private static void udp(FrameCorpus.Frame frame, MemorySegment seg, Ipv4Repr ip, long offset, int length,
            MemorySegment out) {
        UdpDatagram in = new UdpDatagram().wrap(seg, offset, length);
        assertEquals(WireError.OK, in.check());
        assertEquals(length, in.datagramLength());
        UdpRepr repr = UdpRepr.parse(in);
        copy(seg, in.payloadOffset(), out, in.payloadOffset(), in.payloadLength());
        UdpDatagram udpOut = new UdpDatagram().wrap(out, offset, length);
        repr.emit(udpOut, ip.src(), ip.dst());
        switch (frame.l4Checksum()) {
            case VALID -> assertTrue(in.verifyChecksum(ip.src(), ip.dst()), "UDP checksum");
            case PARTIAL -> {
                assertFalse(in.verifyChecksum(ip.src(), ip.dst()));
                udpOut.fillPartialChecksum(ip.src(), ip.dst());
            }
            default -> fail("UDP frame without a checksum tag");
        }
    }

    private static void tcp(FrameCorpus.Frame frame, MemorySegment seg, Ipv4Repr ip, long offset, int length,
            MemorySegment out) {
        TcpSegment in = new TcpSegment().wrap(seg, offset, length);
        assertEquals(WireError.OK, in.check());
        TcpOptions options = new TcpOptions();
        assertEquals(WireError.OK, options.parse(in));
        TcpRepr repr = TcpRepr.parse(in, options);
        assertEquals(in.headerLength(), repr.headerLength(), "Linux's option layout is ours");
        copy(seg, in.payloadOffset(), out, in.payloadOffset(), in.payloadLength());
        TcpSegment tcpOut = new TcpSegment().wrap(out, offset, length);
        repr.emit(tcpOut, ip.src(), ip.dst());
        switch (frame.l4Checksum()) {
            case VALID -> assertTrue(in.verifyChecksum(ip.src(), ip.dst()), "TCP checksum");
            case PARTIAL -> {
                assertFalse(in.verifyChecksum(ip.src(), ip.dst()));
                tcpOut.fillPartialChecksum(ip.src(), ip.dst());
            }
            default -> fail("TCP frame without a checksum tag");
        }
    }

    /** Copies whatever follows {@code from} (Ethernet padding) unchanged. */
    private static void copyTail(MemorySegment in, MemorySegment out, long from) {
        copy(in, from, out, from, (int) (in.byteSize() - from));
    }

    @ParameterizedTest
    @ValueSource(strings = {"linux-veth.hex", "linux-veth-tx-offload.hex"})
    void eachCaptureCoversEveryFormat(String file) {
        Set<String> seen = new HashSet<>();
        for (FrameCorpus.Frame frame : FrameCorpus.load(file)) {
            seen.add(classify(MemorySegment.ofArray(frame.bytes())));
        }
        assertEquals(Set.of("ARP REQUEST", "ARP REPLY", "ICMP ECHO_REQUEST", "ICMP ECHO_REPLY", "ICMP TIME_EXCEEDED",
                "ICMP DST_UNREACHABLE", "IPv4 fragment", "UDP", "TCP SYN", "TCP SYN|ACK", "TCP ACK", "TCP PSH|ACK",
                "TCP FIN|ACK"), seen);
    }

    private static String classify(MemorySegment seg) {
        EthernetFrame eth = new EthernetFrame().wrap(seg, 0, (int) seg.byteSize());
        if (eth.etherType() == EtherType.ARP) {
            return "ARP " + ArpOperation.name(new ArpPacket().wrap(seg, 14, eth.payloadLength()).operation());
        }
        Ipv4Packet ip = new Ipv4Packet().wrap(seg, 14, eth.payloadLength());
        if (ip.isFragment()) {
            return "IPv4 fragment";
        }
        return switch (ip.protocol()) {
            case IpProtocol.ICMP -> "ICMP " + Icmpv4Type.name(
                    new Icmpv4Packet().wrap(seg, ip.payloadOffset(), ip.payloadLength()).type());
            case IpProtocol.TCP -> "TCP " + TcpFlags.toString(
                    new TcpSegment().wrap(seg, ip.payloadOffset(), ip.payloadLength()).flags());
            default -> IpProtocol.name(ip.protocol());
        };
    }

    @Test
    void linuxHandshakeCarriesMssSackTimestampsAndWindowScale() {
        TcpRepr syn = null;
        TcpRepr synAck = null;
        for (FrameCorpus.Frame frame : FrameCorpus.load("linux-veth.hex")) {
            MemorySegment seg = MemorySegment.ofArray(frame.bytes());
            Ipv4Packet ip = new Ipv4Packet().wrap(seg, 14, frame.bytes().length - 14);
            if (ip.check() != WireError.OK || ip.protocol() != IpProtocol.TCP) {
                continue;
            }
            TcpRepr repr = TcpRepr.parse(new TcpSegment().wrap(seg, ip.payloadOffset(), ip.payloadLength()));
            if (repr.flags() == TcpFlags.SYN) {
                syn = repr;
            } else if (repr.flags() == (TcpFlags.SYN | TcpFlags.ACK)) {
                synAck = repr;
            }
        }
        assertNotNull(syn);
        assertNotNull(synAck);
        for (TcpRepr r : List.of(syn, synAck)) {
            assertEquals(1460, r.mss());                        // 1500 - 40 on the veth
            assertTrue(r.sackPermitted());
            assertTrue(r.hasTimestamps());
            assertTrue(r.windowScale() >= 0 && r.windowScale() <= 14);
            assertEquals(40, r.headerLength());                 // MSS, SACK_PERM, TS, NOP, WS
        }
        assertEquals(0, syn.tsEcr());
        assertEquals(syn.tsVal(), synAck.tsEcr());              // RFC 7323 §3.2: TSecr echoes TSval
        assertEquals(syn.seq() + 1, synAck.ack());
    }
}
