package io.virtaio.netstack.ip;

import static io.virtaio.netstack.testing.Host.IP;
import static io.virtaio.netstack.testing.Host.MAC;
import static io.virtaio.netstack.testing.Host.PEER_IP;
import static io.virtaio.netstack.testing.Host.PEER_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.testing.FakeNetDevice;
import io.virtaio.netstack.testing.Frames;
import io.virtaio.netstack.testing.Host;
import io.virtaio.netstack.link.EthernetSender;
import io.virtaio.netstack.testing.SentFrame;
import io.virtaio.netstack.udp.UdpSocket;
import io.virtaio.netstack.wire.ArpOperation;
import io.virtaio.netstack.wire.ArpPacket;
import io.virtaio.netstack.wire.ArpRepr;
import io.virtaio.netstack.wire.EtherType;
import io.virtaio.netstack.wire.EthernetFrame;
import io.virtaio.netstack.wire.IpProtocol;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.netstack.wire.Ipv4Packet;
import io.virtaio.netstack.wire.MacAddress;
import io.virtaio.netstack.wire.UdpDatagram;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

class Ipv4OutputTest {
    private static final int GATEWAY = Ipv4Address.of(198, 18, 0, 254);
    private static final long GATEWAY_MAC = 0x02_00_00_00_00_FEL;
    private static final int REMOTE = Ipv4Address.of(203, 0, 113, 5);
    private static final MemorySegment DATA = MemorySegment.ofArray(new byte[] {1, 2, 3});

    private static long ethDst(SentFrame f) {
        return new EthernetFrame().wrap(f.segment(), 0, f.length()).dst();
    }

    @Test
    void writesAHeaderWithDfTtl64AndAFreshIdentification() {
        Host h = Host.create();
        h.learnPeer();
        UdpSocket s = h.stack.udpSocket();
        s.sendTo(DATA, 0, 3, PEER_IP, 9);
        s.sendTo(DATA, 0, 3, PEER_IP, 9);
        List<SentFrame> sent = h.sent();
        Ipv4Packet first = Frames.ipv4Of(sent.get(0).bytes());
        Ipv4Packet second = Frames.ipv4Of(sent.get(1).bytes());
        assertEquals(20, first.headerLength());
        assertEquals(20 + 8 + 3, first.totalLength());
        assertTrue(first.dontFragment());
        assertFalse(first.isFragment());
        assertEquals(64, first.ttl());
        assertEquals(IpProtocol.UDP, first.protocol());
        assertEquals(IP, first.src());
        assertEquals(PEER_IP, first.dst());
        assertTrue(first.verifyChecksum());
        assertEquals((first.identification() + 1) & 0xFFFF, second.identification());
        assertEquals(MAC, new EthernetFrame().wrap(sent.get(0).segment(), 0, 14).src());
    }

    @Test
    void sendsOffLinkDestinationsToTheGateway() {
        Host h = Host.create(StackConfig.of(IP, 24).withGateway(GATEWAY), FakeNetDevice.create(MAC));
        UdpSocket s = h.stack.udpSocket();
        assertEquals(3, s.sendTo(DATA, 0, 3, REMOTE, 9));
        h.poll();
        SentFrame request = h.sent().get(0);
        ArpPacket arp = new ArpPacket().wrap(request.segment(), 14, request.length() - 14);
        assertEquals(GATEWAY, arp.targetIp(), "it resolves the gateway, not the destination");
        h.receive(Frames.arp(new ArpRepr(ArpOperation.REPLY, GATEWAY_MAC, GATEWAY, MAC, IP)));
        SentFrame f = h.sent().get(0);
        assertEquals(GATEWAY_MAC, ethDst(f));
        assertEquals(REMOTE, Frames.ipv4Of(f.bytes()).dst());
    }

    @Test
    void withoutAGatewayOffLinkIsNetworkUnreachable() {
        Host h = Host.create();
        UdpSocket s = h.stack.udpSocket();
        assertEquals(-Errno.ENETUNREACH, s.sendTo(DATA, 0, 3, REMOTE, 9));
        assertEquals(-Errno.ENETUNREACH, h.stack.ping(REMOTE, 1, 1, 0));
        assertEquals(-Errno.ENETUNREACH, s.sendTo(DATA, 0, 3, 0, 9), "0.0.0.0 is no destination");
        h.poll();
        assertTrue(h.sent().isEmpty());
        assertEquals(3, h.counter("ipv4.tx.drop.no_route"));
    }

    @Test
    void aGatewayMustBeOnLink() {
        StackConfig bad = StackConfig.of(IP, 24).withGateway(REMOTE);
        assertThrows(IllegalArgumentException.class, () -> Host.create(bad, FakeNetDevice.create(MAC)));
    }

    @Test
    void broadcastsGoToTheBroadcastAddressWithoutArp() {
        Host h = Host.create();
        UdpSocket s = h.stack.udpSocket();
        assertEquals(-Errno.EACCES, s.sendTo(DATA, 0, 3, Ipv4Address.BROADCAST, 9), "needs SO_BROADCAST");
        assertEquals(0, s.setOption(UdpSocket.SO_BROADCAST, 1));
        assertEquals(3, s.sendTo(DATA, 0, 3, Ipv4Address.BROADCAST, 9));
        assertEquals(3, s.sendTo(DATA, 0, 3, Ipv4Address.of(198, 18, 0, 255), 9));
        List<SentFrame> sent = h.sent();
        assertEquals(2, sent.size());
        for (SentFrame f : sent) {
            assertEquals(MacAddress.BROADCAST, ethDst(f));
            assertEquals(EtherType.IPV4, Frames.etherType(f.bytes()));
        }
    }

    @Test
    void multicastMapsToItsMacAddress() {
        Host h = Host.create();
        assertEquals(3, h.stack.udpSocket().sendTo(DATA, 0, 3, Ipv4Address.of(239, 129, 2, 3), 9));
        assertEquals(0x01_00_5E_01_02_03L, ethDst(h.sent().get(0)), "RFC 1112 6.4: low 23 bits");
    }

    @Test
    void runsOutOfTransmitBuffersWithEnobufs() {
        Host h = Host.create(StackConfig.of(IP, 24), FakeNetDevice.builder(MAC).txBuffers(2).build());
        h.learnPeer();
        UdpSocket s = h.stack.udpSocket();
        assertEquals(3, s.sendTo(DATA, 0, 3, PEER_IP, 9));
        assertEquals(3, s.sendTo(DATA, 0, 3, PEER_IP, 9));
        assertEquals(-Errno.ENOBUFS, s.sendTo(DATA, 0, 3, PEER_IP, 9));
        assertEquals(1, h.counter("ipv4.tx.drop.no_buffer"));
        h.sent();
        assertEquals(3, s.sendTo(DATA, 0, 3, PEER_IP, 9), "room again once the device sent them");
    }

    /** The output alone, over a fake device, with a neighbour table that knows the peer. */
    private static Ipv4Sender sender(FakeNetDevice dev) {
        EthernetSender tx = new EthernetSender(dev);
        NeighborResolver neighbors = new NeighborResolver() {
            @Override
            public long lookup(int addr) {
                return addr == PEER_IP ? PEER_MAC : UNRESOLVED;
            }

            @Override
            public boolean resolve(int addr) {
                return true;
            }
        };
        PendingQueue pending = new PendingQueue(4, 1514, tx, (type, code, mtu, quoted) -> { });
        return new Ipv4Sender(new Routing(IP, 24, 0), tx, neighbors, pending,
                new LoopbackQueue(LoopbackQueue.DEFAULT_CAPACITY), 1500, 0, 0);
    }

    @Test
    void buildsOnePacketAtATimeWithinWhatWasReserved() {
        FakeNetDevice dev = FakeNetDevice.create(MAC);
        Ipv4Sender ip = sender(dev);
        assertEquals(1500 - 20, ip.maxL4Length(PEER_IP));
        assertEquals(LoopbackQueue.MTU - 20, ip.maxL4Length(IP));
        assertThrows(IllegalArgumentException.class, () -> ip.begin(PEER_IP, IpProtocol.UDP, 1481));
        TxPacket p = ip.begin(PEER_IP, IpProtocol.UDP, 100);
        assertNotNull(p);
        assertEquals(IP, p.src());
        assertEquals(100, p.l4Capacity());
        assertThrows(IllegalStateException.class, () -> ip.begin(PEER_IP, IpProtocol.UDP, 10));
        assertThrows(IllegalArgumentException.class, () -> ip.commit(p, 101, UdpDatagram.CHECKSUM_OFFSET));
        assertThrows(IllegalArgumentException.class, () -> ip.commit(p, 8, 7), "checksum field past the end");
        ip.abort(p);
        assertThrows(IllegalStateException.class, () -> ip.commit(p, 10, UdpDatagram.CHECKSUM_OFFSET));
        assertEquals(0, dev.txAcquired(), "the aborted buffer went back to the device");
        assertEquals(0, dev.txPending());
        assertEquals(Routing.LOOPBACK_SOURCE, ip.sourceFor(Ipv4Address.of(127, 0, 0, 9)));
        assertEquals(IP, ip.sourceFor(PEER_IP));
    }

    @Test
    void anUnresolvedNextHopHoldsNoDeviceBuffer() {
        FakeNetDevice dev = FakeNetDevice.create(MAC);
        Ipv4Sender ip = sender(dev);
        TxPacket p = ip.begin(Ipv4Address.of(198, 18, 0, 3), IpProtocol.UDP, 8);
        assertNotNull(p);
        assertEquals(0, dev.txAcquired());
        ip.commit(p, 8, UdpDatagram.CHECKSUM_OFFSET);
        assertEquals(0, dev.txPending());
    }
}
