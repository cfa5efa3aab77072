package io.virtaio.netstack.icmp;

import static io.virtaio.netstack.testing.Host.IP;
import static io.virtaio.netstack.testing.Host.MAC;
import static io.virtaio.netstack.testing.Host.PEER_IP;
import static io.virtaio.netstack.testing.Host.PEER_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.StackContext;
import io.virtaio.netstack.ip.Routing;
import io.virtaio.netstack.testing.FakeNetDevice;
import io.virtaio.netstack.testing.Frames;
import io.virtaio.netstack.testing.Host;
import io.virtaio.netstack.testing.TwoHosts;
import io.virtaio.netstack.udp.UdpSocket;
import io.virtaio.netstack.wire.EtherType;
import io.virtaio.netstack.wire.Icmpv4Code;
import io.virtaio.netstack.wire.Icmpv4Packet;
import io.virtaio.netstack.wire.Icmpv4Repr;
import io.virtaio.netstack.wire.Icmpv4Type;
import io.virtaio.netstack.wire.IpProtocol;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.netstack.wire.Ipv4Packet;
import io.virtaio.netstack.wire.MacAddress;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IcmpTest {
    private static final long SECOND = 1_000_000_000L;

    private record Reply(int from, int ident, int seq, int length) {}

    private static Icmpv4Packet icmpOf(byte[] frame) {
        Ipv4Packet ip = Frames.ipv4Of(frame);
        assertEquals(IpProtocol.ICMP, ip.protocol());
        Icmpv4Packet icmp = new Icmpv4Packet().wrap(ip.segment(), ip.payloadOffset(), ip.payloadLength());
        assertTrue(icmp.verifyChecksum());
        return icmp;
    }

    @Test
    void pingsBothWaysBetweenTwoStacks() {
        TwoHosts net = TwoHosts.create();
        List<Reply> atA = new ArrayList<>();
        List<Reply> atB = new ArrayList<>();
        net.a.onEchoReply((from, ident, seq, len, now) -> atA.add(new Reply(from, ident, seq, len)));
        net.b.onEchoReply((from, ident, seq, len, now) -> atB.add(new Reply(from, ident, seq, len)));
        assertEquals(0, net.a.ping(PEER_IP, 0x1234, 1, 56));
        assertEquals(0, net.b.ping(IP, 0x4321, 9, 0));
        net.run();
        assertEquals(List.of(new Reply(PEER_IP, 0x1234, 1, 56)), atA);
        assertEquals(List.of(new Reply(IP, 0x4321, 9, 0)), atB);
        assertEquals(1, net.a.counters().get("icmp.tx.echo_replies"));
        assertEquals(1, net.b.counters().get("icmp.tx.echo_replies"));
    }

    @Test
    void answersAnEchoRequestWithTheSameDataFromTheAddressItWasSentTo() {
        Host h = Host.create();
        h.learnPeer();
        byte[] data = Frames.pattern(1000);
        h.receive(Frames.icmpFrame(MAC, PEER_MAC, PEER_IP, IP, new Icmpv4Repr.EchoRequest(77, 5, data.length), data));
        byte[] reply = h.sent().get(0).bytes();
        Ipv4Packet ip = Frames.ipv4Of(reply);
        assertEquals(IP, ip.src());
        assertEquals(PEER_IP, ip.dst());
        Icmpv4Packet icmp = icmpOf(reply);
        assertEquals(Icmpv4Type.ECHO_REPLY, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(77, icmp.identifier());
        assertEquals(5, icmp.sequence());
        assertArrayEquals(data, Frames.tail(reply, Frames.L4 + 8));
    }

    @Test
    void pingChecksItsArguments() {
        Host h = Host.create();
        assertEquals(-Errno.EINVAL, h.stack.ping(PEER_IP, 0x10000, 0, 0));
        assertEquals(-Errno.EINVAL, h.stack.ping(PEER_IP, 0, -1, 0));
        assertEquals(-Errno.EINVAL, h.stack.ping(PEER_IP, 0, 0, -1));
        assertEquals(-Errno.EMSGSIZE, h.stack.ping(PEER_IP, 0, 0, 1500 - 28 + 1));
        assertEquals(0, h.stack.ping(PEER_IP, 0, 0, 1500 - 28));
    }

    @Test
    void pingsItselfThroughLoopback() {
        Host h = Host.create();
        List<Reply> replies = new ArrayList<>();
        h.stack.onEchoReply((from, ident, seq, len, now) -> replies.add(new Reply(from, ident, seq, len)));
        assertEquals(0, h.stack.ping(Ipv4Address.of(127, 0, 0, 1), 1, 2, 3));
        h.advance(0);
        assertEquals(List.of(new Reply(Ipv4Address.of(127, 0, 0, 1), 1, 2, 3)), replies);
    }

    @Test
    void ignoresEchoRequestsToABroadcastAddress() {
        Host h = Host.create();
        h.receive(Frames.icmpFrame(MacAddress.BROADCAST, PEER_MAC, PEER_IP, Ipv4Address.BROADCAST,
                new Icmpv4Repr.EchoRequest(1, 1, 0), new byte[0]));
        assertTrue(h.sent().isEmpty());
        assertEquals(1, h.counter("icmp.rx.drop.broadcast_echo"));
    }

    @Test
    void dropsMessagesWithABadChecksum() {
        Host h = Host.create();
        h.learnPeer();
        byte[] f = Frames.icmpFrame(MAC, PEER_MAC, PEER_IP, IP, new Icmpv4Repr.EchoRequest(1, 1, 0), new byte[0]);
        f[Frames.L4 + 2] ^= 1;
        h.receive(f);
        assertTrue(h.sent().isEmpty());
        assertEquals(1, h.counter("icmp.rx.drop.BAD_CHECKSUM"));
    }

    private static byte[] toClosedPort(int i) {
        return Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 5000 + i, 9, new byte[] {(byte) i});
    }

    @Test
    void answersAClosedUdpPortWithPortUnreachableQuotingTheDatagram() {
        Host h = Host.create();
        h.learnPeer();
        byte[] datagram = toClosedPort(0);
        h.receive(datagram);
        byte[] reply = h.sent().get(0).bytes();
        Ipv4Packet ip = Frames.ipv4Of(reply);
        assertEquals(PEER_IP, ip.dst());
        assertEquals(IP, ip.src());
        Icmpv4Packet icmp = icmpOf(reply);
        assertEquals(Icmpv4Type.DST_UNREACHABLE, icmp.type());
        assertEquals(Icmpv4Code.PORT_UNREACHABLE, icmp.code());
        assertArrayEquals(Frames.tail(datagram, Frames.IP), Frames.tail(reply, Frames.L4 + 8));
        assertEquals(1, h.counter("udp.rx.drop.no_port"));
    }

    @Test
    void rateLimitsErrorsToTheConfiguredRate() {
        Host h = Host.create(StackConfig.of(IP, 24).withIcmpErrorsPerSecond(10), FakeNetDevice.builder(MAC)
                .rxQueue(256).txBuffers(256).build());
        h.learnPeer();
        for (int i = 0; i < 100; i++) {
            h.device.inject(toClosedPort(i));
        }
        h.poll();
        assertEquals(10, h.sent().size(), "a burst of one second's worth");
        assertEquals(90, h.counter("icmp.tx.errors_rate_limited"));
        h.advance(SECOND / 2);
        for (int i = 0; i < 100; i++) {
            h.device.inject(toClosedPort(i));
        }
        h.poll();
        assertEquals(5, h.sent().size(), "half a second earns half as many");
    }

    @Test
    void neverAnswersAnErrorBroadcastOrLinkBroadcastWithAnError() {
        Host h = Host.create();
        h.learnPeer();
        // An ICMP error about something we never sent: no error about an error, and not delivered anywhere.
        byte[] quoted = Frames.ipv4(IP, PEER_IP, IpProtocol.UDP, Frames.udp(IP, PEER_IP, 1, 2, new byte[4]));
        h.receive(Frames.icmpFrame(MAC, PEER_MAC, PEER_IP, IP, new Icmpv4Repr.DstUnreachable(3, 0, quoted.length),
                quoted));
        // A datagram to a closed port sent to the subnet broadcast, and one in a link-layer broadcast.
        h.receive(Frames.udpFrame(MacAddress.BROADCAST, PEER_MAC, PEER_IP, Ipv4Address.of(198, 18, 0, 255), 1, 9,
                new byte[1]));
        // A datagram with an unknown protocol, to the limited broadcast.
        h.receive(Frames.ethernet(MacAddress.BROADCAST, PEER_MAC, EtherType.IPV4,
                Frames.ipv4(PEER_IP, Ipv4Address.BROADCAST, 200, new byte[8])));
        assertTrue(h.sent().isEmpty());
        assertEquals(2, h.counter("icmp.tx.errors_suppressed"));
        assertEquals(1, h.counter("icmp.rx.errors"));
        assertEquals(0, h.counter("icmp.tx.errors"));
    }

    @Test
    void theRulesOfRfc1122() {
        IcmpErrorSender sender = new IcmpErrorSender(new StackContext(StackConfig.of(IP, 24), 0),
                new Routing(IP, 24, 0), 0);
        byte[] udp = Frames.ipv4(PEER_IP, IP, IpProtocol.UDP, Frames.udp(PEER_IP, IP, 1, 2, new byte[0]));
        assertTrue(sender.permitted(view(udp), false, false, false));
        assertTrue(!sender.permitted(view(udp), true, false, false), "to a broadcast");
        assertTrue(!sender.permitted(view(udp), false, true, false), "in a link-layer broadcast");
        byte[] fragment = udp.clone();
        fragment[7] = 1;
        assertTrue(!sender.permitted(view(fragment), false, false, false), "a non-initial fragment");
        byte[] fromZero = Frames.ipv4(0, IP, IpProtocol.UDP, new byte[8]);
        assertTrue(!sender.permitted(view(fromZero), false, false, false), "source 0.0.0.0");
        byte[] classE = Frames.ipv4(Ipv4Address.of(250, 0, 0, 1), IP, IpProtocol.UDP, new byte[8]);
        assertTrue(!sender.permitted(view(classE), false, false, false), "a class E source");
        byte[] errorAboutSomething = Frames.ipv4(PEER_IP, IP, IpProtocol.ICMP,
                Frames.icmp(new Icmpv4Repr.TimeExceeded(0, 28), new byte[28]));
        assertTrue(!sender.permitted(view(errorAboutSomething), false, false, false), "an ICMP error");
        byte[] echo = Frames.ipv4(PEER_IP, IP, IpProtocol.ICMP, Frames.icmp(new Icmpv4Repr.EchoRequest(1, 1, 0),
                new byte[0]));
        assertTrue(sender.permitted(view(echo), false, false, false), "ICMP queries may be answered with errors");
        byte[] fromLocalhost = Frames.ipv4(Ipv4Address.of(127, 0, 0, 1), IP, IpProtocol.UDP, new byte[8]);
        assertTrue(sender.permitted(view(fromLocalhost), false, false, true), "this host, over loopback");
    }

    private static Ipv4Packet view(byte[] packet) {
        Ipv4Packet ip = new Ipv4Packet().wrap(MemorySegment.ofArray(packet), 0, packet.length);
        assertEquals(0, ip.check());
        return ip;
    }

    @Test
    void aConnectedSocketHearsConnectionRefused() {
        TwoHosts net = TwoHosts.create();
        UdpSocket a = net.a.udpSocket();
        assertEquals(0, a.connect(PEER_IP, 9));
        assertEquals(1, a.send(MemorySegment.ofArray(new byte[1]), 0, 1));
        net.run();
        assertEquals(Socket.POLLERR | Socket.POLLOUT, a.readiness());
        List<Integer> events = new ArrayList<>();
        net.a.drainEvents((s, readiness) -> events.add(readiness));
        assertEquals(List.of(Socket.POLLERR | Socket.POLLOUT), events);
        assertEquals(-Errno.ECONNREFUSED, a.recvFrom(MemorySegment.ofArray(new byte[8]), 0, 8));
        assertEquals(-Errno.EAGAIN, a.recvFrom(MemorySegment.ofArray(new byte[8]), 0, 8), "reported once");
        assertEquals(1, a.send(MemorySegment.ofArray(new byte[1]), 0, 1));
        net.run();
        assertEquals(-Errno.ECONNREFUSED, a.send(MemorySegment.ofArray(new byte[1]), 0, 1), "or by the next send");
    }

    @Test
    void anUnconnectedSocketIsNotTold() {
        TwoHosts net = TwoHosts.create();
        UdpSocket a = net.a.udpSocket();
        assertEquals(1, a.sendTo(MemorySegment.ofArray(new byte[1]), 0, 1, PEER_IP, 9));
        net.run();
        assertEquals(Socket.POLLOUT, a.readiness());
        assertEquals(1, net.a.counters().get("udp.errors.unmatched"));
    }

    @Test
    void errorsQuotingSomeoneElsesPacketAreIgnored() {
        Host h = Host.create();
        h.learnPeer();
        UdpSocket s = h.stack.udpSocket();
        s.connect(PEER_IP, 9);
        byte[] theirs = Frames.ipv4(PEER_IP, IP, IpProtocol.UDP, Frames.udp(PEER_IP, IP, 9, s.localPort(),
                new byte[0]));
        h.receive(Frames.icmpFrame(MAC, PEER_MAC, PEER_IP, IP, new Icmpv4Repr.DstUnreachable(3, 0, theirs.length),
                theirs));
        assertEquals(Socket.POLLOUT, s.readiness());
        assertEquals(1, h.counter("icmp.rx.errors_not_ours"));
        assertTrue(h.sent().isEmpty());
    }
}
