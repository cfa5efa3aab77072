package io.virtaio.netstack.udp;

import static io.virtaio.netstack.testing.Host.IP;
import static io.virtaio.netstack.testing.Host.MAC;
import static io.virtaio.netstack.testing.Host.PEER_IP;
import static io.virtaio.netstack.testing.Host.PEER_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.testing.FakeNetDevice;
import io.virtaio.netstack.testing.Frames;
import io.virtaio.netstack.testing.Host;
import io.virtaio.netstack.testing.TwoHosts;
import io.virtaio.netstack.wire.Ipv4Address;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UdpSocketTest {
    private static final int OTHER_IP = Ipv4Address.of(198, 18, 0, 3);

    private static MemorySegment bytes(String s) {
        return MemorySegment.ofArray(s.getBytes());
    }

    private static String recv(UdpSocket s) {
        byte[] buf = new byte[2000];
        int n = s.recvFrom(MemorySegment.ofArray(buf), 0, buf.length);
        return n < 0 ? Errno.name(n) : new String(buf, 0, n);
    }

    private static int send(UdpSocket s, String text, int dst, int port) {
        return s.sendTo(bytes(text), 0, text.length(), dst, port);
    }

    @Test
    void echoesBothWaysBetweenTwoStacks() {
        TwoHosts net = TwoHosts.create();
        UdpSocket server = net.b.udpSocket();
        assertEquals(0, server.bind(0, 7));
        UdpSocket client = net.a.udpSocket();
        for (int i = 0; i < 10; i++) {
            assertEquals(5 + i, send(client, "ping-" + "x".repeat(i), PEER_IP, 7));
            net.run();
            String got = recv(server);
            assertEquals("ping-" + "x".repeat(i), got);
            assertEquals(IP, server.lastSourceAddress());
            assertEquals(client.localPort(), server.lastSourcePort());
            assertEquals(got.length(), send(server, got, server.lastSourceAddress(), server.lastSourcePort()));
            net.run();
            assertEquals(got, recv(client));
            assertEquals(PEER_IP, client.lastSourceAddress());
            assertEquals(7, client.lastSourcePort());
        }
        assertEquals(10, server.counters().get("rx.datagrams"));
        assertEquals(10, client.counters().get("tx.datagrams"));
    }

    @Test
    void bindRules() {
        Host h = Host.create();
        UdpSocket a = h.stack.udpSocket();
        UdpSocket b = h.stack.udpSocket();
        assertEquals(0, a.bind(0, 5000));
        assertEquals(5000, a.localPort());
        assertEquals(-Errno.EINVAL, a.bind(0, 5001), "already bound");
        assertEquals(-Errno.EADDRINUSE, b.bind(0, 5000));
        assertEquals(-Errno.EADDRINUSE, b.bind(IP, 5000), "one socket per port");
        assertEquals(-Errno.EADDRNOTAVAIL, b.bind(OTHER_IP, 5001));
        assertEquals(-Errno.EINVAL, b.bind(0, 65536));
        assertEquals(-Errno.EINVAL, b.bind(0, -1));
        assertEquals(0, b.bind(Ipv4Address.of(127, 0, 0, 1), 5001));
        a.close();
        UdpSocket c = h.stack.udpSocket();
        assertEquals(0, c.bind(0, 5000), "close released the port");
    }

    @Test
    void ephemeralPortsComeFromTheRangeAndTheSeed() {
        int[] first = new int[2];
        for (int run = 0; run < 2; run++) {
            Host h = Host.create(StackConfig.of(IP, 24).withSeed(99), FakeNetDevice.create(MAC));
            UdpSocket s = h.stack.udpSocket();
            assertEquals(0, s.bind(0, 0));
            assertTrue(s.localPort() >= 32768 && s.localPort() <= 60999, "port " + s.localPort());
            first[run] = s.localPort();
        }
        assertEquals(first[0], first[1], "same seed, same port");
        Host other = Host.create(StackConfig.of(IP, 24).withSeed(100), FakeNetDevice.create(MAC));
        UdpSocket s = other.stack.udpSocket();
        s.bind(0, 0);
        assertNotEquals(first[0], s.localPort());
    }

    @Test
    void sendingFromAnUnboundSocketBindsAnEphemeralPort() {
        Host h = Host.create();
        h.learnPeer();
        UdpSocket s = h.stack.udpSocket();
        assertEquals(0, s.localPort());
        assertEquals(2, send(s, "hi", PEER_IP, 9));
        assertTrue(s.localPort() >= 32768);
    }

    @Test
    void aConnectedSocketOnlyHearsItsPeer() {
        Host h = Host.create();
        h.learnPeer();
        UdpSocket s = h.stack.udpSocket();
        s.bind(0, 7);
        assertEquals(0, s.connect(PEER_IP, 9));
        h.receive(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 10, 7, "wrong port".getBytes()));
        h.learn(OTHER_IP, 0x02_00_00_00_00_03L);
        h.receive(Frames.udpFrame(MAC, 0x02_00_00_00_00_03L, OTHER_IP, IP, 9, 7, "wrong host".getBytes()));
        h.receive(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 9, 7, "right".getBytes()));
        assertEquals("right", recv(s));
        assertEquals("EAGAIN", recv(s));
        assertEquals(2, h.counter("udp.rx.drop.no_port"));
        assertEquals(0, s.connect(0, 0), "dissolve the association");
        h.receive(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 10, 7, "anyone".getBytes()));
        assertEquals("anyone", recv(s));
    }

    @Test
    void aDatagramMustFitOnePacket() {
        Host h = Host.create();
        h.learnPeer();
        UdpSocket s = h.stack.udpSocket();
        int max = 1500 - 20 - 8;
        assertEquals(-Errno.EMSGSIZE, s.sendTo(MemorySegment.ofArray(new byte[max + 1]), 0, max + 1, PEER_IP, 9));
        assertEquals(max, s.sendTo(MemorySegment.ofArray(new byte[max]), 0, max, PEER_IP, 9));
        assertEquals(1514, h.sent().get(0).length());
    }

    @Test
    void argumentsAreCheckedAsC() {
        Host h = Host.create();
        UdpSocket s = h.stack.udpSocket();
        MemorySegment four = MemorySegment.ofArray(new byte[4]);
        assertEquals(-Errno.EFAULT, s.sendTo(four, 1, 4, PEER_IP, 9));
        assertEquals(-Errno.EFAULT, s.sendTo(four, -1, 1, PEER_IP, 9));
        assertEquals(-Errno.EFAULT, s.recvFrom(four, 0, 5));
        assertEquals(-Errno.EINVAL, s.sendTo(four, 0, -1, PEER_IP, 9));
        assertEquals(-Errno.EINVAL, s.sendTo(four, 0, 4, PEER_IP, 0));
        assertEquals(-Errno.EINVAL, s.connect(PEER_IP, 0));
        assertEquals(-Errno.EDESTADDRREQ, s.send(four, 0, 4));
        assertEquals(-Errno.ENOPROTOOPT, s.setOption(12345, 1));
        assertEquals(0, s.close());
        assertEquals(-Errno.EBADF, s.close());
        assertEquals(-Errno.EBADF, s.sendTo(four, 0, 4, PEER_IP, 9));
        assertEquals(-Errno.EBADF, s.recvFrom(four, 0, 4));
        assertEquals(-Errno.EBADF, s.bind(0, 1));
        assertEquals(0, s.readiness());
    }

    @Test
    void aFullReceiveQueueDropsAndCounts() {
        Host h = Host.create(StackConfig.of(IP, 24).withUdpReceiveQueueBytes(4096), FakeNetDevice.create(MAC));
        h.learnPeer();
        UdpSocket s = h.stack.udpSocket();
        s.bind(0, 7);
        byte[] payload = new byte[1000];
        for (int i = 0; i < 6; i++) {
            payload[0] = (byte) i;
            h.receive(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 9, 7, payload));
        }
        assertEquals(4, s.queuedDatagrams(), "4 x (8 + 1000) fit in 4096, a fifth does not");
        assertEquals(2, s.counters().get("rx.drop.queue_full"));
        assertEquals(2, h.counter("udp.rx.drop.queue_full"));
        assertTrue(h.sent().isEmpty(), "a full queue is not a closed port");
        byte[] buf = new byte[1000];
        for (int i = 0; i < 4; i++) {
            assertEquals(1000, s.recvFrom(MemorySegment.ofArray(buf), 0, 1000));
            assertEquals(i, buf[0], "the oldest are kept");
        }
    }

    @Test
    void soRcvbufSetsTheBoundAndGrowsTheQueue() {
        Host h = Host.create(StackConfig.of(IP, 24).withUdpReceiveQueueBytes(4096), FakeNetDevice.create(MAC));
        h.learnPeer();
        UdpSocket s = h.stack.udpSocket();
        s.bind(0, 7);
        assertEquals(4096, s.getOption(UdpSocket.SO_RCVBUF));
        assertEquals(0, s.setOption(UdpSocket.SO_RCVBUF, 1));
        assertEquals(UdpSocket.MIN_RCVBUF, s.getOption(UdpSocket.SO_RCVBUF), "clamped");
        assertEquals(-Errno.EINVAL, s.setOption(UdpSocket.SO_RCVBUF, -5));
        assertEquals(0, s.setOption(UdpSocket.SO_RCVBUF, 100_000));
        for (int i = 0; i < 50; i++) {
            h.receive(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 9, 7, new byte[1400]));
        }
        assertEquals(50, s.queuedDatagrams());
    }

    @Test
    void acceptsAZeroChecksumAndDropsABadOne() {
        Host h = Host.create();
        h.learnPeer();
        UdpSocket s = h.stack.udpSocket();
        s.bind(0, 7);
        byte[] none = Frames.withU16(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 9, 7, "none".getBytes()),
                Frames.L4 + 6, 0);
        h.receive(none);
        assertEquals("none", recv(s), "RFC 768: zero means no checksum");
        byte[] bad = Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 9, 7, "bad".getBytes());
        bad[bad.length - 1] ^= 1;
        h.receive(bad);
        assertEquals("EAGAIN", recv(s));
        assertEquals(1, h.counter("udp.rx.drop.BAD_CHECKSUM"));
        assertTrue(h.sent().isEmpty(), "silently");
    }

    @Test
    void aShortBufferTakesTheStartAndDiscardsTheRest() {
        Host h = Host.create();
        h.learnPeer();
        UdpSocket s = h.stack.udpSocket();
        s.bind(0, 7);
        h.receive(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 9, 7, "abcdef".getBytes()));
        h.receive(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 9, 7, "next".getBytes()));
        byte[] buf = new byte[3];
        assertEquals(3, s.recvFrom(MemorySegment.ofArray(buf), 0, 3));
        assertArrayEquals("abc".getBytes(), buf);
        assertEquals("next", recv(s));
    }

    @Test
    void readinessFollowsTheQueueAndEventsAreRaisedOnArrival() {
        Host h = Host.create();
        h.learnPeer();
        UdpSocket s = h.stack.udpSocket();
        s.bind(0, 7);
        Object tag = new Object();
        s.attach(tag);
        assertEquals(Socket.POLLOUT, s.readiness());
        h.receive(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 9, 7, "x".getBytes()));
        h.receive(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 9, 7, "y".getBytes()));
        Object[] seen = new Object[1];
        assertEquals(1, h.stack.drainEvents((socket, readiness) -> {
            assertEquals(Socket.POLLIN | Socket.POLLOUT, readiness);
            seen[0] = socket.attachment();
        }), "once, however many datagrams");
        assertEquals(tag, seen[0]);
        recv(s);
        recv(s);
        assertEquals(Socket.POLLOUT, s.readiness());
        assertEquals(0, h.stack.drainEvents((socket, readiness) -> { }));
    }

    @Test
    void theSocketTableIsBounded() {
        Host h = Host.create(StackConfig.of(IP, 24).withMaxSockets(2), FakeNetDevice.create(MAC));
        UdpSocket a = h.stack.udpSocket();
        h.stack.udpSocket();
        assertNull(h.stack.udpSocket());
        a.close();
        UdpSocket again = h.stack.udpSocket();
        assertEquals(a.slot(), again.slot());
        assertNotEquals(a.id(), again.id());
    }

    @Test
    void theLastSenderIsReported() {
        TwoHosts net = TwoHosts.create();
        UdpSocket b = net.b.udpSocket();
        b.bind(0, 7);
        UdpSocket a1 = net.a.udpSocket();
        UdpSocket a2 = net.a.udpSocket();
        send(a1, "1", PEER_IP, 7);
        send(a2, "2", PEER_IP, 7);
        net.run();
        int[] ports = new int[2];
        for (int i = 0; i < 2; i++) {
            recv(b);
            ports[i] = b.lastSourcePort();
        }
        assertArrayEquals(new int[] {a1.localPort(), a2.localPort()}, ports);
        assertTrue(Arrays.stream(ports).allMatch(p -> p >= 32768));
    }
}
