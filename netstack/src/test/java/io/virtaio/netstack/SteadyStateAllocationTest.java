package io.virtaio.netstack;

import static io.virtaio.netstack.testing.Host.MAC;
import static io.virtaio.netstack.testing.Host.PEER_IP;
import static io.virtaio.netstack.testing.Host.PEER_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.link.NetDevice;
import io.virtaio.netstack.testing.FakeNetDevice;
import io.virtaio.netstack.testing.TwoHosts;
import io.virtaio.netstack.udp.UdpSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md principle 4: once warm, sending, receiving, echoing and looping back allocate nothing. Measured with the
 * JVM's per-thread allocation counter around whole exchanges (send, poll both stacks, move the frames, receive,
 * drain events), so any allocation anywhere on the path shows.
 */
class SteadyStateAllocationTest {
    private static final int WARM_UP = 30_000;
    private static final int MEASURED = 10_000;

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private int events;
    private final SocketEventHandler onEvent = (socket, readiness) -> events++;
    private final Stack.EchoListener onReply = (from, ident, seq, len, now) -> events++;

    @Test
    void udpEchoPingAndLoopbackAllocateNothing() {
        TwoHosts net = TwoHosts.create(
                FakeNetDevice.builder(MAC).nativeMemory(true).capabilities(NetDevice.CAP_TX_CSUM),
                FakeNetDevice.builder(PEER_MAC).nativeMemory(true));
        UdpSocket client = net.a.udpSocket();
        UdpSocket server = net.b.udpSocket();
        UdpSocket local = net.b.udpSocket();
        assertEquals(0, server.bind(0, 7));
        assertEquals(0, local.bind(0, 8));
        net.a.onEchoReply(onReply);
        MemorySegment buf = Arena.ofAuto().allocate(1500);
        run(net, client, server, local, buf, WARM_UP);
        // Until the JIT has settled, a late compilation or deoptimization may allocate once (rematerializing
        // what escape analysis removed inside the JDK); a whole round at zero shows the steady state.
        List<Long> rounds = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            run(net, client, server, local, buf, MEASURED);
            rounds.add(threads.getCurrentThreadAllocatedBytes() - before);
            if (rounds.getLast() == 0) {
                break;
            }
        }
        assertEquals(0, rounds.getLast(), "bytes allocated per round of " + MEASURED + " exchanges: " + rounds);
        assertEquals(0, net.a.counters().get("udp.rx.drop.queue_full") + net.b.counters().get("udp.rx.drop.no_port"));
        assertTrue(events > MEASURED, "events and echo replies were delivered");
    }

    private void run(TwoHosts net, UdpSocket client, UdpSocket server, UdpSocket local, MemorySegment buf, int n) {
        for (int i = 0; i < n; i++) {
            int len = 1 + (i % 1400);
            check(client.sendTo(buf, 0, len, PEER_IP, 7), len);
            check(net.a.ping(PEER_IP, 1, i & 0xFFFF, 32), 0);
            net.run();
            check(server.recvFrom(buf, 0, 1500), len);
            check(server.sendTo(buf, 0, len, server.lastSourceAddress(), server.lastSourcePort()), len);
            check(server.sendTo(buf, 0, 100, PEER_IP, 8), 100);             // to its own address: loopback
            net.run();
            check(client.recvFrom(buf, 0, 1500), len);
            check(local.recvFrom(buf, 0, 1500), 100);
            net.a.drainEvents(onEvent);
            net.b.drainEvents(onEvent);
        }
    }

    /** assertEquals without boxing its arguments. */
    private static void check(int actual, int expected) {
        if (actual != expected) {
            throw new AssertionError("expected " + expected + " but was " + actual);
        }
    }
}
