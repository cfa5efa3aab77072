package io.virtaio.netstack.iface;

import static io.virtaio.netstack.testing.Host.IP;
import static io.virtaio.netstack.testing.Host.MAC;
import static io.virtaio.netstack.testing.Host.PEER_IP;
import static io.virtaio.netstack.testing.Host.PEER_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.testing.Frames;
import io.virtaio.netstack.testing.Host;
import io.virtaio.netstack.testing.SentFrame;
import io.virtaio.netstack.udp.UdpSocket;
import io.virtaio.netstack.wire.EtherType;
import io.virtaio.netstack.wire.Icmpv4Code;
import io.virtaio.netstack.wire.Icmpv4Packet;
import io.virtaio.netstack.wire.Icmpv4Type;
import io.virtaio.netstack.wire.IpProtocol;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.netstack.wire.Ipv4Packet;
import io.virtaio.netstack.wire.MacAddress;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What IPv4 input keeps and what it drops, one reason at a time; every drop is counted under its name. */
class Ipv4InputTest {
    private static final int PORT = 7;
    private static final byte[] DATA = {1, 2, 3, 4, 5};
    private static final int IP_OFF = Frames.IP;

    private Host h;
    private UdpSocket socket;

    @BeforeEach
    void setUp() {
        h = Host.create();
        h.learnPeer();
        socket = h.stack.udpSocket();
        assertEquals(0, socket.bind(0, PORT));
    }

    private static byte[] datagram() {
        return Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 5000, PORT, DATA);
    }

    private int received() {
        byte[] buf = new byte[100];
        int n = socket.recvFrom(MemorySegment.ofArray(buf), 0, buf.length);
        if (n > 0) {
            assertArrayEquals(DATA, Arrays.copyOf(buf, n));
        }
        return n;
    }

    private void assertDroppedAs(String counter, byte[] frame) {
        Map<String, Long> before = h.stack.counters();
        h.receive(frame);
        assertEquals(before.get(counter) + 1, h.counter(counter), counter);
        assertTrue(received() < 0, "nothing delivered");
        assertTrue(h.sent().isEmpty(), "nothing answered");
    }

    @Test
    void deliversAWellFormedDatagram() {
        h.receive(datagram());
        assertEquals(DATA.length, received());
        assertEquals(PEER_IP, socket.lastSourceAddress());
        assertEquals(5000, socket.lastSourcePort());
        assertEquals(1, h.counter("ipv4.rx.udp"));
    }

    @Test
    void dropsABadHeaderChecksum() {
        byte[] f = datagram();
        f[IP_OFF + 10] ^= 1;
        assertDroppedAs("ipv4.rx.drop.BAD_CHECKSUM", f);
    }

    @Test
    void dropsAVersionOtherThanFour() {
        assertDroppedAs("ipv4.rx.drop.BAD_VERSION", Frames.withByte(datagram(), IP_OFF, 0x65));
    }

    @Test
    void dropsAHeaderLengthBelowFiveWords() {
        assertDroppedAs("ipv4.rx.drop.BAD_HEADER_LENGTH", Frames.withByte(datagram(), IP_OFF, 0x44));
    }

    @Test
    void dropsATotalLengthBeyondTheFrame() {
        byte[] f = datagram();
        assertDroppedAs("ipv4.rx.drop.TRUNCATED", Frames.withU16(f, IP_OFF + 2, f.length - IP_OFF + 1));
    }

    @Test
    void dropsATotalLengthShorterThanTheHeader() {
        assertDroppedAs("ipv4.rx.drop.BAD_TOTAL_LENGTH", Frames.withU16(datagram(), IP_OFF + 2, 19));
    }

    @Test
    void dropsAnOversizedLengthField() {
        assertDroppedAs("ipv4.rx.drop.TRUNCATED", Frames.withU16(datagram(), IP_OFF + 2, 0xFFFF));
    }

    @Test
    void dropsTtlZeroButKeepsTtlOne() {
        assertDroppedAs("ipv4.rx.drop.ttl_zero", Frames.withByte(datagram(), IP_OFF + 8, 0));
        h.receive(Frames.withByte(datagram(), IP_OFF + 8, 1));
        assertEquals(DATA.length, received(), "RFC 1122 3.2.1.7: a host keeps TTL 1");
    }

    @Test
    void everyTruncationOfAFrameIsDroppedAndCounted() {
        byte[] f = datagram();
        for (int len = 0; len < f.length; len++) {
            h.receive(Arrays.copyOf(f, len));
        }
        assertTrue(received() < 0);
        Map<String, Long> c = h.stack.counters();
        assertEquals(14, c.get("eth.rx.drop.TRUNCATED"));
        long dropped = c.get("ipv4.rx.drop.TRUNCATED") + c.get("udp.rx.drop.TRUNCATED");
        assertEquals(f.length - 14, dropped, "each shorter frame is dropped by IPv4 (or by UDP's own length)");
    }

    @Test
    void ignoresEthernetPaddingAfterTheTotalLength() {
        byte[] f = datagram();
        byte[] padded = Arrays.copyOf(f, 60 + 40);
        Arrays.fill(padded, f.length, padded.length, (byte) 0xEE);
        h.receive(padded);
        assertEquals(DATA.length, received(), "the datagram ends at its total length");
    }

    @Test
    void skipsOptions() {
        byte[] udp = Frames.udp(PEER_IP, IP, 5000, PORT, DATA);
        byte[] ip = new byte[24 + udp.length];
        byte[] plain = Frames.ipv4(PEER_IP, IP, IpProtocol.UDP, udp);
        System.arraycopy(plain, 0, ip, 0, 20);
        ip[20] = 1;                                  // NOP, NOP, NOP, End of Option List
        ip[21] = 1;
        ip[22] = 1;
        System.arraycopy(udp, 0, ip, 24, udp.length);
        ip[0] = 0x46;
        ip[2] = 0;
        ip[3] = (byte) ip.length;
        h.receive(Frames.fixIpChecksum(Frames.ethernet(MAC, PEER_MAC, EtherType.IPV4, ip)));
        assertEquals(DATA.length, received());
    }

    @ParameterizedTest(name = "flags/offset 0x{0}")
    @ValueSource(ints = {0x2000, 0x0001, 0x2001, 0x6000 + 0x0002})
    void dropsFragmentsAndCountsThem(int flagsAndOffset) {
        assertDroppedAs("ipv4.rx.drop.FRAGMENT", Frames.withU16(datagram(), IP_OFF + 6, flagsAndOffset));
    }

    @Test
    void dropsDatagramsForOtherAddresses() {
        byte[] f = Frames.udpFrame(MAC, PEER_MAC, PEER_IP, Ipv4Address.of(198, 18, 0, 9), 5000, PORT, DATA);
        assertDroppedAs("ipv4.rx.drop.not_for_us", f);
        byte[] loop = Frames.udpFrame(MAC, PEER_MAC, PEER_IP, Ipv4Address.of(127, 0, 0, 1), 5000, PORT, DATA);
        assertDroppedAs("ipv4.rx.drop.not_for_us", loop);
    }

    @Test
    void acceptsTheLimitedAndTheSubnetBroadcast() {
        h.receive(Frames.udpFrame(MacAddress.BROADCAST, PEER_MAC, PEER_IP, Ipv4Address.BROADCAST, 5000, PORT, DATA));
        assertEquals(DATA.length, received());
        int subnet = Ipv4Address.of(198, 18, 0, 255);
        h.receive(Frames.udpFrame(MacAddress.BROADCAST, PEER_MAC, PEER_IP, subnet, 5000, PORT, DATA));
        assertEquals(DATA.length, received());
    }

    @Test
    void dropsAUnicastDatagramInALinkLayerBroadcast() {
        assertDroppedAs("ipv4.rx.drop.unicast_in_link_broadcast",
                Frames.udpFrame(MacAddress.BROADCAST, PEER_MAC, PEER_IP, IP, 5000, PORT, DATA));
    }

    @ParameterizedTest(name = "source {0}")
    @ValueSource(strings = {"0.0.0.0", "255.255.255.255", "198.18.0.255", "224.0.0.1", "127.0.0.1", "240.0.0.1",
            "198.18.0.1"})
    void dropsSourcesThatAreNotAnotherSingleHost(String source) {
        int src = Ipv4Address.parse(source);
        assertDroppedAs("ipv4.rx.drop.bad_source", Frames.udpFrame(MAC, PEER_MAC, src, IP, 5000, PORT, DATA));
    }

    @Test
    void dropsFramesForAnotherMacOrOfAnotherEtherType() {
        byte[] f = datagram();
        assertDroppedAs("eth.rx.drop.not_for_us", Frames.withU16(f.clone(), 4, 0x0099));
        assertDroppedAs("eth.rx.drop.bad_ethertype", Frames.withU16(f.clone(), 12, EtherType.IPV6));
        assertDroppedAs("eth.rx.drop.bad_ethertype", Frames.withU16(f.clone(), 12, EtherType.VLAN));
        assertDroppedAs("eth.rx.drop.bad_source", Frames.withByte(f.clone(), 6, 0x03));
    }

    @Test
    void answersAnUnknownProtocolWithProtocolUnreachable() {
        byte[] f = Frames.ethernet(MAC, PEER_MAC, EtherType.IPV4, Frames.ipv4(PEER_IP, IP, 253, DATA));
        h.receive(f);
        List<SentFrame> sent = h.sent();
        assertEquals(1, sent.size());
        byte[] reply = sent.get(0).bytes();
        Ipv4Packet ip = Frames.ipv4Of(reply);
        assertEquals(IpProtocol.ICMP, ip.protocol());
        assertEquals(PEER_IP, ip.dst());
        Icmpv4Packet icmp = new Icmpv4Packet().wrap(ip.segment(), ip.payloadOffset(), ip.payloadLength());
        assertEquals(Icmpv4Type.DST_UNREACHABLE, icmp.type());
        assertEquals(Icmpv4Code.PROTOCOL_UNREACHABLE, icmp.code());
        assertTrue(icmp.verifyChecksum());
        assertArrayEquals(Frames.tail(f, IP_OFF), Frames.tail(reply, Frames.L4 + 8), "quotes the whole datagram");
        assertEquals(1, h.counter("ipv4.rx.drop.unknown_protocol"));
    }
}
