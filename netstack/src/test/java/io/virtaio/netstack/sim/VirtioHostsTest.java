package io.virtaio.netstack.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.host.VirtioHost;
import io.virtaio.netstack.udp.UdpSocket;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.virtio.backend.LinkModel;
import io.virtaio.virtio.backend.Wire;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two stacks on real virtio-net devices joined by a modelled wire, stepped by the simulation in virtual time. */
class VirtioHostsTest {
    static final int IP_A = Ipv4Address.parse("198.18.0.1");
    static final int IP_B = Ipv4Address.parse("198.18.0.2");

    Simulation sim;
    VirtioHost a;
    VirtioHost b;

    @BeforeEach
    void setUp() {
        Wire wire = Wire.create(LinkModel.DEFAULT);
        sim = new Simulation(0);
        a = sim.add(new VirtioHost(VirtioNetDevice.Config.defaults().withMac(0x02_00_00_00_00_01L),
                VirtioNetDriver.Config.defaults(), StackConfig.of(IP_A, 24), wire.a(), 0));
        b = sim.add(new VirtioHost(VirtioNetDevice.Config.defaults().withMac(0x02_00_00_00_00_02L),
                VirtioNetDriver.Config.defaults(), StackConfig.of(IP_B, 24), wire.b(), 0));
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
    }

    @Test
    void pingCrossesTheWireBothWaysWithTheLinkDelay() {
        List<long[]> replies = new ArrayList<>();
        a.stack().onEchoReply((from, ident, seq, len, now) -> replies.add(new long[] {from, seq, now}));
        b.stack().onEchoReply((from, ident, seq, len, now) -> replies.add(new long[] {from, seq, now}));
        assertEquals(0, a.stack().ping(IP_B, 7, 1, 56));
        assertEquals(Simulation.Outcome.DONE, sim.run(now -> replies.size() == 1, 1_000_000_000L));
        assertEquals(IP_B, (int) replies.get(0)[0]);
        // Resolution (B's gratuitous ARP, or request and reply) then the echo: at least three trips of 100 µs.
        assertTrue(replies.get(0)[2] >= 300_000, "reply at " + replies.get(0)[2] + " ns");
        long sent = sim.nowNs();
        assertEquals(0, b.stack().ping(IP_A, 8, 2, 1000));
        assertEquals(Simulation.Outcome.DONE, sim.run(now -> replies.size() == 2, sent + 1_000_000_000L));
        assertEquals(IP_A, (int) replies.get(1)[0]);
        // The neighbour is known by now: one round trip of 2 x (100 µs + serialization).
        long rtt = replies.get(1)[2] - sent;
        assertTrue(rtt >= 200_000 && rtt < 300_000, "rtt " + rtt + " ns");
    }

    @Test
    void aHostWithTheLargestMtuHasGuestMemoryForEveryBuffer() {
        // Default driver configuration: a transmit buffer per descriptor, each taking a 64 KiB frame.
        Wire wire = Wire.create(LinkModel.UNLIMITED);
        try (VirtioHost big = new VirtioHost(VirtioNetDevice.Config.defaults().withMtu(65_535),
                VirtioNetDriver.Config.defaults(), StackConfig.of(IP_A, 24), wire.a(), 0)) {
            assertEquals(65_535, big.driver().mtu());
        }
    }

    @Test
    void udpEchoOverVirtioWithChecksumOffload() {
        UdpSocket server = b.stack().udpSocket();
        assertEquals(0, server.bind(0, 7));
        UdpSocket client = a.stack().udpSocket();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(1200);
            for (int i = 0; i < out.byteSize(); i++) {
                out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 31));
            }
            MemorySegment in = arena.allocate(2048);
            assertEquals(1200, client.sendTo(out, 0, 1200, IP_B, 7));
            int[] got = {-1};
            assertEquals(Simulation.Outcome.DONE, sim.run(now -> {
                int n = server.recvFrom(in, 0, 2048);
                if (n > 0) {
                    assertEquals(n, server.sendTo(in, 0, n, server.lastSourceAddress(), server.lastSourcePort()));
                }
                int r = client.recvFrom(in, 0, 2048);
                if (r > 0) {
                    got[0] = r;
                    return true;
                }
                return false;
            }, 1_000_000_000L));
            assertEquals(1200, got[0]);
            assertEquals(-1, in.asSlice(0, 1200).mismatch(out));
        }
        // The trusted in-process path: partial checksums handed to the device, never computed in software.
        assertTrue(a.driver().has(io.virtaio.virtio.net.VirtioNet.F_CSUM));
        assertEquals(0, a.stack().counters().getOrDefault("udp.rx.drop.bad_checksum", 0L));
    }
}
