package io.virtaio.netstack.ip;

import static io.virtaio.netstack.testing.Host.IP;
import static io.virtaio.netstack.testing.Host.MAC;
import static io.virtaio.netstack.testing.Host.PEER_IP;
import static io.virtaio.netstack.testing.Host.PEER_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.link.NetDevice;
import io.virtaio.netstack.testing.FakeNetDevice;
import io.virtaio.netstack.testing.Frames;
import io.virtaio.netstack.testing.Host;
import io.virtaio.netstack.testing.SentFrame;
import io.virtaio.netstack.testing.TwoHosts;
import io.virtaio.netstack.udp.UdpSocket;
import io.virtaio.netstack.wire.Be;
import io.virtaio.netstack.wire.Checksum;
import io.virtaio.netstack.wire.Icmpv4Packet;
import io.virtaio.netstack.wire.Icmpv4Repr;
import io.virtaio.netstack.wire.IpProtocol;
import io.virtaio.netstack.wire.Ipv4Packet;
import io.virtaio.netstack.wire.UdpDatagram;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Transport checksums with and without the device's help, on transmit (virtio CSUM) and receive (GUEST_CSUM). */
class ChecksumOffloadTest {
    private static final byte[] DATA = "odd-length".getBytes();      // 10 bytes + header: an even UDP length
    private static final byte[] ODD = "odd".getBytes();

    private static Host host(int capabilities) {
        Host h = Host.create(StackConfig.of(IP, 24), FakeNetDevice.builder(MAC).capabilities(capabilities).build());
        h.learnPeer();
        return h;
    }

    private static SentFrame sendUdp(Host h, byte[] data) {
        assertEquals(data.length, h.stack.udpSocket().sendTo(MemorySegment.ofArray(data), 0, data.length, PEER_IP,
                53));
        return h.sent().get(0);
    }

    private static UdpDatagram udpOf(byte[] frame) {
        Ipv4Packet ip = Frames.ipv4Of(frame);
        return new UdpDatagram().wrap(ip.segment(), ip.payloadOffset(), ip.payloadLength());
    }

    @Test
    void withTxOffloadTheFrameLeavesWithThePseudoHeaderSumAtVirtiosOffsets() {
        Host h = host(NetDevice.CAP_TX_CSUM);
        for (byte[] data : new byte[][] {DATA, ODD}) {
            SentFrame f = sendUdp(h, data);
            assertTrue(f.needsChecksum());
            assertEquals(34, f.csumStart(), "Ethernet 14 + IPv4 20");
            assertEquals(6, f.csumOffset(), "UDP checksum field");
            int udpLength = 8 + data.length;
            assertEquals(Checksum.pseudoHeader(IP, PEER_IP, IpProtocol.UDP, udpLength),
                    Be.u16(MemorySegment.ofArray(f.bytes()), 34 + 6), "folded, not complemented");
            assertFalse(udpOf(f.bytes()).verifyChecksum(IP, PEER_IP), "partial is not valid on its own");
            assertTrue(udpOf(f.completed()).verifyChecksum(IP, PEER_IP), "a device completing it makes it valid");
        }
    }

    @Test
    void withoutTxOffloadTheChecksumIsCompleteInSoftware() {
        Host h = host(0);
        for (byte[] data : new byte[][] {DATA, ODD, new byte[0]}) {
            SentFrame f = sendUdp(h, data);
            assertFalse(f.needsChecksum());
            UdpDatagram udp = udpOf(f.bytes());
            assertTrue(udp.checksum() != 0, "a computed checksum is never sent as zero (RFC 768)");
            assertTrue(udp.verifyChecksum(IP, PEER_IP));
        }
    }

    @Test
    void icmpIsNeverOffloaded() {
        Host h = host(NetDevice.CAP_TX_CSUM);
        h.receive(Frames.icmpFrame(MAC, PEER_MAC, PEER_IP, IP, new Icmpv4Repr.EchoRequest(1, 1, 3), ODD));
        SentFrame reply = h.sent().get(0);
        assertFalse(reply.needsChecksum());
        Ipv4Packet ip = Frames.ipv4Of(reply.bytes());
        assertTrue(new Icmpv4Packet().wrap(ip.segment(), ip.payloadOffset(), ip.payloadLength()).verifyChecksum());
    }

    private static byte[] badChecksumDatagram() {
        byte[] f = Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 5000, 7, DATA);
        f[Frames.L4 + 6] ^= 0x10;
        return f;
    }

    @Test
    void rxCsumOkSkipsVerification() {
        Host h = host(NetDevice.CAP_RX_CSUM);
        UdpSocket s = h.stack.udpSocket();
        s.bind(0, 7);
        h.receive(badChecksumDatagram(), NetDevice.RX_CSUM_OK);
        assertEquals(DATA.length, s.recvFrom(MemorySegment.ofArray(new byte[64]), 0, 64), "the device vouched");
        h.receive(badChecksumDatagram());
        assertEquals(-Errno.EAGAIN, s.recvFrom(MemorySegment.ofArray(new byte[64]), 0, 64));
        assertEquals(1, h.counter("udp.rx.drop.BAD_CHECKSUM"));
    }

    /** A sender offloading to a receiver that takes partial checksums, and to one that verifies in software. */
    @Test
    void endToEndBetweenDevicesWithAndWithoutOffloads() {
        for (int receiverCaps : new int[] {NetDevice.CAP_RX_CSUM, 0}) {
            TwoHosts net = TwoHosts.create(FakeNetDevice.builder(MAC).capabilities(NetDevice.CAP_TX_CSUM),
                    FakeNetDevice.builder(PEER_MAC).capabilities(receiverCaps));
            UdpSocket a = net.a.udpSocket();
            UdpSocket b = net.b.udpSocket();
            b.bind(0, 7);
            a.sendTo(MemorySegment.ofArray(ODD), 0, ODD.length, PEER_IP, 7);
            net.run();
            byte[] buf = new byte[16];
            int n = b.recvFrom(MemorySegment.ofArray(buf), 0, 16);
            assertArrayEquals(ODD, Arrays.copyOf(buf, Math.max(n, 0)), "receiver capabilities " + receiverCaps);
            assertEquals(0, net.b.counters().get("udp.rx.drop.BAD_CHECKSUM"));
        }
    }
}
