package io.virtaio.netstack.arp;

import static io.virtaio.netstack.testing.Host.IP;
import static io.virtaio.netstack.testing.Host.MAC;
import static io.virtaio.netstack.testing.Host.PEER_IP;
import static io.virtaio.netstack.testing.Host.PEER_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import io.virtaio.netstack.Stack;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.testing.FakeNetDevice;
import io.virtaio.netstack.testing.Frames;
import io.virtaio.netstack.testing.Host;
import io.virtaio.netstack.testing.SentFrame;
import io.virtaio.netstack.testing.TwoHosts;
import io.virtaio.netstack.time.TimerWheel;
import io.virtaio.netstack.udp.UdpSocket;
import io.virtaio.netstack.wire.ArpOperation;
import io.virtaio.netstack.wire.ArpPacket;
import io.virtaio.netstack.wire.ArpRepr;
import io.virtaio.netstack.wire.EtherType;
import io.virtaio.netstack.wire.EthernetFrame;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.netstack.wire.MacAddress;
import io.virtaio.netstack.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArpTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1000 * MS;
    /** Timers fire at most one wheel tick (about a microsecond) after their deadline. */
    private static final long TIMER_SLACK = 1 << TimerWheel.DEFAULT_TICK_SHIFT;
    private static final int OTHER_IP = Ipv4Address.of(198, 18, 0, 77);
    private static final long OTHER_MAC = 0x02_00_00_00_00_77L;
    private static final MemorySegment DATA = MemorySegment.ofArray(new byte[] {42});

    private static ArpRepr arp(SentFrame f) {
        assertEquals(EtherType.ARP, Frames.etherType(f.bytes()), "an ARP frame: " + f);
        ArpPacket p = new ArpPacket().wrap(f.segment(), EthernetFrame.HEADER_LENGTH,
                f.length() - EthernetFrame.HEADER_LENGTH);
        assertEquals(WireError.OK, p.check());
        return ArpRepr.parse(p);
    }

    private static long ethDst(SentFrame f) {
        return new EthernetFrame().wrap(f.segment(), 0, f.length()).dst();
    }

    private static void sendOne(UdpSocket s, int dst) {
        assertEquals(1, s.sendTo(DATA, 0, 1, dst, 9));
    }

    @Test
    void announcesItsAddressOnceAtTheFirstPoll() {
        FakeNetDevice dev = FakeNetDevice.create(MAC);
        Stack s = new Stack(dev, StackConfig.of(IP, 24), 0);
        assertEquals(0, dev.txPending(), "nothing is sent before the first poll");
        s.poll(0);
        SentFrame f = dev.takeTx();
        assertEquals(MacAddress.BROADCAST, ethDst(f));
        assertEquals(new ArpRepr(ArpOperation.REQUEST, MAC, IP, 0, IP), arp(f));
        s.poll(SECOND);
        assertEquals(0, dev.txPending());
    }

    @Test
    void theAnnouncementWaitsForATransmitBuffer() {
        FakeNetDevice dev = FakeNetDevice.builder(MAC).txBuffers(1).build();
        Stack s = new Stack(dev, StackConfig.of(IP, 24), 0);
        int taken = dev.txAcquire();
        assertEquals(5, s.poll(5), "work remains while the announcement is not out");
        dev.txAbort(taken);
        s.poll(6);
        assertEquals(IP, arp(dev.takeTx()).targetIp());
    }

    @Test
    void answersARequestForOurAddressToTheRequester() {
        Host h = Host.create();
        h.receive(Frames.arp(ArpRepr.request(PEER_MAC, PEER_IP, IP)));
        List<SentFrame> sent = h.sent();
        assertEquals(1, sent.size());
        assertEquals(PEER_MAC, ethDst(sent.get(0)));
        assertEquals(new ArpRepr(ArpOperation.REPLY, MAC, IP, PEER_MAC, PEER_IP), arp(sent.get(0)));
        assertEquals(1, h.counter("arp.rx.requests_for_us"));
        assertEquals(1, h.counter("arp.tx.replies"));
    }

    @Test
    void learnsTheRequesterSoSendingToItNeedsNoRequest() {
        Host h = Host.create();
        h.learnPeer();
        sendOne(h.stack.udpSocket(), PEER_IP);
        List<SentFrame> sent = h.sent();
        assertEquals(1, sent.size());
        assertEquals(EtherType.IPV4, Frames.etherType(sent.get(0).bytes()));
        assertEquals(PEER_MAC, ethDst(sent.get(0)));
    }

    @Test
    void neighborShowsWhatTheCacheLearnedAndStartsNothing() {
        Host h = Host.create();
        assertEquals(-1, h.stack.neighbor(PEER_IP));
        assertTrue(h.sent().isEmpty(), "a look-up is not a resolution");
        h.receive(Frames.arp(ArpRepr.request(PEER_MAC, PEER_IP, IP)));
        assertEquals(PEER_MAC, h.stack.neighbor(PEER_IP));
        assertEquals(-1, h.stack.neighbor(OTHER_IP));
    }

    @Test
    void ignoresRequestsForOtherAddressesAndLearnsNothingFromThem() {
        Host h = Host.create();
        h.receive(Frames.arp(ArpRepr.request(PEER_MAC, PEER_IP, OTHER_IP)));
        assertTrue(h.sent().isEmpty());
        assertEquals(1, h.counter("arp.rx.not_for_us"));
        sendOne(h.stack.udpSocket(), PEER_IP);
        SentFrame f = h.sent().get(0);
        assertEquals(new ArpRepr(ArpOperation.REQUEST, MAC, IP, 0, PEER_IP), arp(f), "it still has to ask");
    }

    /** RFC 826: the sender of any packet is merged if already known, before looking at the target. */
    @Test
    void updatesAKnownNeighbourFromAPacketForSomeoneElse() {
        Host h = Host.create();
        h.learnPeer();
        h.receive(Frames.arp(ArpRepr.request(OTHER_MAC, PEER_IP, OTHER_IP)));
        sendOne(h.stack.udpSocket(), PEER_IP);
        assertEquals(OTHER_MAC, ethDst(h.sent().get(0)));
    }

    @Test
    void resolvesBothWaysBetweenTwoStacksWithOneRequest() {
        TwoHosts net = TwoHosts.create();
        UdpSocket a = net.a.udpSocket();
        UdpSocket b = net.b.udpSocket();
        assertEquals(0, a.bind(0, 9));
        assertEquals(0, b.bind(0, 9));
        sendOne(a, PEER_IP);
        net.run();
        sendOne(b, IP);
        net.run();
        MemorySegment buf = MemorySegment.ofArray(new byte[8]);
        assertEquals(1, b.recvFrom(buf, 0, 8));
        assertEquals(1, a.recvFrom(buf, 0, 8));
        assertEquals(1, net.a.counters().get("arp.tx.requests"));
        assertEquals(0, net.b.counters().get("arp.tx.requests"), "B learned A from A's request");
    }

    @Test
    void anExpiredEntryIsResolvedAgain() {
        Host h = Host.create();
        h.learnPeer();
        UdpSocket s = h.stack.udpSocket();
        h.advance(59 * SECOND);
        sendOne(s, PEER_IP);
        assertEquals(EtherType.IPV4, Frames.etherType(h.sent().get(0).bytes()));
        h.advance(2 * SECOND);
        sendOne(s, PEER_IP);
        List<SentFrame> sent = h.sent();
        assertEquals(1, sent.size(), "the datagram waits for the answer");
        assertEquals(PEER_IP, arp(sent.get(0)).targetIp());
    }

    @Test
    void retriesThenReportsHostUnreachableToTheWaitingSender() {
        Host h = Host.create();
        UdpSocket s = h.stack.udpSocket();
        assertEquals(0, s.connect(PEER_IP, 9));
        assertEquals(1, s.send(DATA, 0, 1));
        h.poll();
        assertEquals(1, h.sent().size());
        h.advance(SECOND - 1);
        assertTrue(h.sent().isEmpty(), "no second request within the interval (RFC 1122 2.3.2.1)");
        h.advance(TIMER_SLACK);
        assertEquals(PEER_IP, arp(h.sent().get(0)).targetIp());
        h.advance(SECOND + TIMER_SLACK);
        assertEquals(PEER_IP, arp(h.sent().get(0)).targetIp());
        assertEquals(0, s.readiness() & Socket.POLLERR);
        h.advance(SECOND + TIMER_SLACK);
        assertTrue(h.sent().isEmpty(), "three requests, then it gives up");
        assertEquals(Socket.POLLERR, s.readiness() & Socket.POLLERR);
        assertEquals(-Errno.EHOSTUNREACH, s.recvFrom(MemorySegment.ofArray(new byte[8]), 0, 8));
        assertEquals(3, h.counter("arp.tx.requests"));
        assertEquals(1, h.counter("arp.unreachable"));
        assertEquals(1, h.counter("arp.pending.drop.unreachable"));
        assertEquals(-Errno.EHOSTUNREACH, s.send(DATA, 0, 1), "unreachable for one more interval");
        assertTrue(h.sent().isEmpty());
        h.advance(SECOND + TIMER_SLACK);
        assertEquals(1, s.send(DATA, 0, 1));
        assertEquals(PEER_IP, arp(h.sent().get(0)).targetIp(), "then it tries again");
    }

    @Test
    void thePendingQueueKeepsTheNewestPacketsAndCountsTheOldestDropped() {
        Host h = Host.create(StackConfig.of(IP, 24).withArp(60 * SECOND, SECOND, 3, 4), FakeNetDevice.create(MAC));
        UdpSocket s = h.stack.udpSocket();
        for (int i = 0; i < 6; i++) {
            assertEquals(1, s.sendTo(MemorySegment.ofArray(new byte[] {(byte) i}), 0, 1, PEER_IP, 9));
        }
        h.poll();
        assertEquals(1, h.sent().size(), "one request for all of them");
        assertEquals(2, h.counter("arp.pending.drop.overflow"));
        assertEquals(4, h.counter("arp.pending.waiting"));
        h.receive(Frames.arp(new ArpRepr(ArpOperation.REPLY, PEER_MAC, PEER_IP, MAC, IP)));
        List<SentFrame> sent = h.sent();
        assertEquals(4, sent.size());
        for (int i = 0; i < 4; i++) {
            byte[] frame = sent.get(i).bytes();
            assertEquals(PEER_MAC, ethDst(sent.get(i)));
            assertEquals(i + 2, frame[Frames.L4 + 8], "in the order they were sent");
        }
        assertEquals(0, h.counter("arp.pending.waiting"));
        assertEquals(4, h.counter("arp.pending.sent"));
    }

    @Test
    void aReplyReleasesOnlyThePacketsForThatNeighbour() {
        Host h = Host.create();
        UdpSocket s = h.stack.udpSocket();
        sendOne(s, PEER_IP);
        sendOne(s, OTHER_IP);
        sendOne(s, PEER_IP);
        h.poll();
        assertEquals(2, h.sent().size(), "a request for each");
        h.receive(Frames.arp(new ArpRepr(ArpOperation.REPLY, OTHER_MAC, OTHER_IP, MAC, IP)));
        List<SentFrame> sent = h.sent();
        assertEquals(1, sent.size());
        assertEquals(OTHER_MAC, ethDst(sent.get(0)));
        assertEquals(2, h.counter("arp.pending.waiting"));
    }

    @Test
    void releasedPacketsWaitForTransmitBuffersAndGoOutOnALaterPoll() {
        Host h = Host.create(StackConfig.of(IP, 24), FakeNetDevice.builder(MAC).txBuffers(2).build());
        UdpSocket s = h.stack.udpSocket();
        for (int i = 0; i < 3; i++) {
            sendOne(s, PEER_IP);
        }
        h.poll();
        assertEquals(1, h.sent().size());
        int hog = h.device.txAcquire();
        h.receive(Frames.arp(new ArpRepr(ArpOperation.REPLY, PEER_MAC, PEER_IP, MAC, IP)));
        assertEquals(1, h.device.txPending(), "one buffer was free");
        assertEquals(h.now(), h.poll(), "the rest is work to do now");
        h.device.txAbort(hog);
        h.sent();
        h.poll();
        assertEquals(2, h.sent().size());
        assertEquals(3, h.counter("arp.pending.sent"));
    }

    @Test
    void sendersThatAreNotSingleHostsAreNotLearned() {
        Host h = Host.create();
        byte[] multicastSender = Frames.arp(ArpRepr.request(0x01_00_5E_00_00_01L, PEER_IP, IP));
        new EthernetFrame().wrap(MemorySegment.ofArray(multicastSender), 0, multicastSender.length).setSrc(PEER_MAC);
        h.receive(multicastSender);
        assertEquals(1, h.counter("arp.rx.drop.bad_sender"));
        h.receive(Frames.arp(ArpRepr.request(PEER_MAC, IP, IP)));
        assertEquals(1, h.counter("arp.rx.drop.conflict"), "someone else claims our address");
        assertTrue(h.sent().isEmpty());
        // RFC 5227 2.1.1 probe: sender address 0.0.0.0. Answered, not learned.
        h.receive(Frames.arp(ArpRepr.request(PEER_MAC, 0, IP)));
        SentFrame reply = h.sent().get(0);
        assertEquals(new ArpRepr(ArpOperation.REPLY, MAC, IP, PEER_MAC, 0), arp(reply));
        assertEquals(0, h.counter("arp.cache.entries"));
    }

    @Test
    void malformedPacketsAreCountedByReason() {
        Host h = Host.create();
        byte[] good = Frames.arp(ArpRepr.request(PEER_MAC, PEER_IP, IP));
        h.receive(Arrays.copyOf(good, EthernetFrame.HEADER_LENGTH + 20));
        h.receive(Frames.withU16(good.clone(), EthernetFrame.HEADER_LENGTH, 6));         // hardware type 6
        h.receive(Frames.withU16(good.clone(), EthernetFrame.HEADER_LENGTH + 6, 3));     // opcode 3
        assertEquals(1, h.counter("arp.rx.drop.TRUNCATED"));
        assertEquals(2, h.counter("arp.rx.drop.UNSUPPORTED"));
        assertTrue(h.sent().isEmpty());
    }
}
