package io.virtaio.netstack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import org.junit.jupiter.api.Test;

/** Bulk transfers between two TCP layers over the simulated link; integrity by SHA-256, completion asserted. */
class TcpTransferTest {
    static final long MIB = 1024 * 1024;

    /** Result of one transfer run. */
    record Run(double seconds, double gbps, long wallMs, LinkSim sim, StreamApp client, StreamApp server) {
    }

    static Run transfer(TcpConfig cfg, long seed, double loss, long clientToServer, long serverToClient, int mtu) {
        long wallStart = System.nanoTime();
        LinkSim sim = new LinkSim(cfg, cfg, seed, 1_000_000_000L, 100_000, 256 * 1024, mtu, 64);
        sim.loss(loss);
        TcpSocket listener = sim.b.tcp.newSocket();
        assertEquals(0, listener.bind(0, 5001));
        assertEquals(0, listener.listen(8));
        StreamApp[] server = new StreamApp[1];
        sim.b.app = s -> {
            if (s == listener) {
                TcpSocket c;
                while ((c = listener.accept()) != null) {
                    server[0] = new StreamApp(c, serverToClient, seed + 2);
                    server[0].onEvent(sim.now);
                }
            } else if (s.attachment() instanceof StreamApp app) {
                app.onEvent(sim.now);
            }
        };
        TcpSocket cs = sim.a.tcp.newSocket();
        StreamApp client = new StreamApp(cs, clientToServer, seed + 1);
        sim.a.app = s -> {
            if (s.attachment() instanceof StreamApp app) {
                app.onEvent(sim.now);
            }
        };
        assertEquals(-Errno.EINPROGRESS, cs.connect(sim.b.address, 5001));
        sim.run(() -> client.done() && server[0] != null && server[0].done(), 3_600_000L * LinkSim.MS);
        assertNotNull(server[0]);
        assertEquals(0, client.error, "client error");
        assertEquals(0, server[0].error, "server error");
        assertEquals(clientToServer, server[0].received);
        assertEquals(serverToClient, client.received);
        assertArrayEquals(client.sentHash(), server[0].receivedHash(), "client→server bytes intact");
        assertArrayEquals(server[0].sentHash(), client.receivedHash(), "server→client bytes intact");
        long end = Math.max(client.doneAtNs, server[0].doneAtNs);
        double seconds = end / 1e9;
        double gbps = Math.max(clientToServer, serverToClient) * 8 / seconds / 1e9;
        return new Run(seconds, gbps, (System.nanoTime() - wallStart) / 1_000_000, sim, client, server[0]);
    }

    static void assertBounded(Run r) {
        for (TcpSocket sock : new TcpSocket[] {r.client.socket, r.server.socket}) {
            Connection c = sock.layerConnection();
            if (c == null) {
                continue;
            }
            assertTrue(c.rcv.ooo.highWater <= c.rcv.ooo.maxRanges(), "reassembly ranges bounded");
            assertTrue(c.snd.log.highWater <= c.snd.log.capacity(), "segments in flight bounded");
        }
        for (LinkSim.Host h : new LinkSim.Host[] {r.sim.a, r.sim.b}) {
            assertTrue(h.tcp.pool.reservedBytes() <= h.tcp.config.bufferPoolBytes());
        }
        assertTrue(r.sim.ab.maxQueuedBytes <= r.sim.queueLimitBytes && r.sim.ba.maxQueuedBytes <= r.sim.queueLimitBytes);
    }

    static String describe(String what, Run r) {
        TcpInfo i = r.client.socket.info();
        return String.format("%s: %.1f ms virtual, %.3f Gbit/s, wall %d ms; retrans rto/fast/tlp %d/%d/%d, "
                + "recoveries %d; %s", what, r.seconds * 1e3, r.gbps, r.wallMs, i == null ? -1 : i.retransRto(),
                i == null ? -1 : i.retransFast(), i == null ? -1 : i.retransTlp(),
                i == null ? -1 : i.sackRecoveries(), r.sim.stats());
    }

    @Test
    void smallTransferBothWays() {
        Run r = transfer(TcpConfig.defaults(), 1, 0, 1 * MIB, 512 * 1024, 1500);
        assertTrue(r.seconds > 0);
        assertBounded(r);
    }

    @Test
    void hundredMibEachWayAtOnceWithoutLoss() {
        Run r = transfer(TcpConfig.defaults(), 5, 0, 100 * MIB, 100 * MIB, 1500);
        assertBounded(r);
        // Autotuned windows outgrow the link's 256 KiB queue, so CUBIC meets tail drops as on any real path; they
        // are repaired by SACK recovery, never by a timeout.
        assertEquals(0, r.client.socket.info().retransRto());
        assertEquals(0, r.server.socket.info().retransRto());
        System.out.println(describe("100 MiB each way, no loss", r));
    }

    @Test
    void sixtyFourMibUnderRandomLoss() {
        Run clean = transfer(TcpConfig.defaults(), 21, 0, 64 * MIB, 0, 1500);
        assertBounded(clean);
        System.out.println(describe("64 MiB, no loss", clean));
        for (double loss : new double[] {0.001, 0.01, 0.05}) {
            Run r = transfer(TcpConfig.defaults(), 21, loss, 64 * MIB, 0, 1500);
            assertBounded(r);
            System.out.printf("%s%n  goodput %.2fx of loss-free%n", describe("64 MiB at " + loss * 100 + "% loss", r),
                    clean.seconds / r.seconds);
        }
    }

    @Test
    void sixtyFourMibWithJumboSegmentsUnderLoss() {
        Run clean = transfer(TcpConfig.defaults(), 22, 0, 64 * MIB, 0, 65_535);
        System.out.println(describe("64 MiB, 64 KiB MTU, no loss", clean));
        for (double loss : new double[] {0.01, 0.05}) {
            Run r = transfer(TcpConfig.defaults(), 22, loss, 64 * MIB, 0, 65_535);
            assertBounded(r);
            System.out.printf("%s%n  goodput %.2fx of loss-free%n",
                    describe("64 MiB, 64 KiB MTU at " + loss * 100 + "% loss", r), clean.seconds / r.seconds);
        }
    }

    @Test
    void newRenoWithoutSackCompletesUnderLoss() {
        Run r = transfer(TcpConfig.defaults().withCongestionControl("newreno").withExtensions(true, true, false), 9,
                0.01, 8 * MIB, 1 * MIB, 1500);
        assertBounded(r);
        assertTrue(r.client.socket.info() == null || r.client.socket.info().renoRecoveries() > 0);
        System.out.println(describe("8 MiB NewReno, no SACK, 1% loss", r));
    }

    @Test
    void socketReadinessAfterTransfer() {
        Run r = transfer(TcpConfig.defaults(), 3, 0, 100_000, 100_000, 1500);
        int ready = r.client.socket.readiness();
        assertTrue((ready & Socket.POLLIN) != 0, "EOF is readable");
        assertTrue((ready & Socket.POLLRDHUP) != 0);
    }
}
