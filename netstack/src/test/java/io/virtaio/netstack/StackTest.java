package io.virtaio.netstack;

import static io.virtaio.netstack.testing.Host.IP;
import static io.virtaio.netstack.testing.Host.MAC;
import static io.virtaio.netstack.testing.Host.PEER_IP;
import static io.virtaio.netstack.testing.Host.PEER_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.testing.FakeNetDevice;
import io.virtaio.netstack.testing.Frames;
import io.virtaio.netstack.testing.Host;
import io.virtaio.netstack.udp.UdpSocket;
import io.virtaio.netstack.wire.ArpRepr;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackTest {
    private static final long SECOND = 1_000_000_000L;
    private static final MemorySegment ONE = MemorySegment.ofArray(new byte[1]);

    @Test
    void anIdleStackNeedsNoTime() {
        Host h = Host.create();
        assertEquals(Long.MAX_VALUE, h.poll());
        assertFalse(h.stack.hasPendingWork());
    }

    @Test
    void aResolutionInProgressAsksForTheRetryTime() {
        Host h = Host.create();
        h.stack.udpSocket().sendTo(ONE, 0, 1, PEER_IP, 9);
        h.sent();
        long deadline = h.poll();
        // The wheel may wake the loop early to cascade a far timer, never late.
        assertTrue(deadline > 0 && deadline <= SECOND + 1024, "up to the ARP retry: " + deadline);
        while (h.sent().isEmpty()) {
            assertTrue(deadline < SECOND + 1024, "the retry is due by now");
            h.advance(deadline - h.now());
            deadline = h.poll();
        }
        assertTrue(h.now() >= SECOND, "not before the retry interval");
    }

    @Test
    void aFullReceiveBudgetMeansWorkRemainsNow() {
        Host h = Host.create(StackConfig.of(IP, 24).withRxBudget(4), FakeNetDevice.create(MAC));
        for (int i = 0; i < 9; i++) {
            h.device.inject(Frames.arp(ArpRepr.request(PEER_MAC, PEER_IP, 1)));
        }
        assertEquals(h.now(), h.poll());
        assertEquals(5, h.device.rxPending());
        assertEquals(h.now(), h.poll());
        assertEquals(Long.MAX_VALUE, h.poll(), "the last poll got one frame, under the budget");
        assertEquals(0, h.device.rxPending());
    }

    @Test
    void recoversADeviceThatNeedsAReset() {
        Host h = Host.create();
        h.learnPeer();
        h.device.requestReset("queue broken");
        h.poll();
        assertFalse(h.device.needsReset());
        assertEquals(1, h.counter("stack.device_resets"));
        assertEquals(1, h.counter("dev.resets"));
        UdpSocket s = h.stack.udpSocket();
        assertEquals(1, s.sendTo(ONE, 0, 1, PEER_IP, 9), "the stack works on after the reset");
        assertEquals(1, h.sent().size());
    }

    @Test
    void countersIncludeEveryLayerAndTheDevice() {
        Host h = Host.create();
        Map<String, Long> c = h.stack.counters();
        for (String prefix : List.of("eth.rx.", "eth.tx.", "arp.", "arp.pending.", "ipv4.rx.", "ipv4.tx.",
                "ipv4.loopback.", "icmp.", "udp.", "stack.", "dev.")) {
            assertTrue(c.keySet().stream().anyMatch(k -> k.startsWith(prefix)), prefix);
        }
        assertEquals(1, c.get("dev.tx_frames"));
        assertEquals(1, c.get("arp.tx.announcements"));
        assertThrows(UnsupportedOperationException.class, () -> c.put("x", 1L));
    }

    @Test
    void tcpIsNotBuiltUntilNeeded() {
        Host h = Host.create();
        h.stack.udpSocket();
        h.poll();
        assertTrue(h.stack.counters().keySet().stream().noneMatch(k -> k.startsWith("tcp.")));
    }

    @Test
    void closeReleasesEverySocketAndLaterCallsAreMisuse() {
        Host h = Host.create();
        UdpSocket a = h.stack.udpSocket();
        UdpSocket b = h.stack.udpSocket();
        a.bind(0, 7);
        b.sendTo(ONE, 0, 1, PEER_IP, 9);
        h.stack.close();
        assertTrue(a.isClosed());
        assertTrue(b.isClosed());
        assertEquals(0, h.counter("stack.sockets"));
        assertEquals(0, h.counter("arp.pending.waiting"));
        assertEquals(0, h.counter("stack.timers_armed"));
        assertFalse(h.stack.hasPendingWork());
        assertThrows(IllegalStateException.class, () -> h.stack.poll(0));
        assertThrows(IllegalStateException.class, h.stack::udpSocket);
        h.stack.close();
    }

    @Test
    void drainEventsHandsEachSocketOnceAndLeavesLaterEventsForTheNextDrain() {
        Host h = Host.create();
        h.learnPeer();
        UdpSocket a = h.stack.udpSocket();
        UdpSocket b = h.stack.udpSocket();
        a.bind(0, 7);
        b.bind(0, 8);
        h.device.inject(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 9, 7, new byte[1]));
        h.device.inject(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 9, 8, new byte[1]));
        h.device.inject(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 9, 7, new byte[1]));
        h.poll();
        List<Socket> seen = new ArrayList<>();
        int n = h.stack.drainEvents((s, readiness) -> {
            seen.add(s);
            h.stack.udpSocket().bind(0, 0);     // does not queue events: unrelated
            if (s == a) {
                h.device.inject(Frames.udpFrame(MAC, PEER_MAC, PEER_IP, IP, 9, 7, new byte[1]));
            }
        });
        assertEquals(2, n);
        assertEquals(List.of(a, b), seen);
    }

    @Test
    void rejectsADeviceWhoseBuffersCannotHoldItsMtu() {
        FakeNetDevice tiny = FakeNetDevice.builder(MAC).mtu(60).build();
        assertThrows(IllegalArgumentException.class, () -> new Stack(tiny, StackConfig.of(IP, 24), 0));
    }

    @Test
    void flushSendsWithoutReceiving() {
        Host h = Host.create();
        h.learnPeer();
        h.device.inject(Frames.arp(ArpRepr.request(PEER_MAC, PEER_IP, IP)));
        h.stack.udpSocket().sendTo(ONE, 0, 1, PEER_IP, 9);
        h.stack.flush(h.now());
        assertEquals(1, h.device.rxPending(), "flush does not receive");
        assertEquals(1, h.sent().size());
    }
}
