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

    @Test
    void smallTransferBothWays() {
        Run r = transfer(TcpConfig.defaults(), 1, 0, 1 * MIB, 512 * 1024, 1500);
        assertTrue(r.seconds > 0);
        System.out.printf("1 MiB: %.3f Gbit/s %s%n", r.gbps, r.sim.stats());
    }

    @Test
    void oneMibUnderLoss() {
        Run r = transfer(TcpConfig.defaults(), 7, 0.02, 1 * MIB, 64 * 1024, 1500);
        System.out.printf("1 MiB at 2%%: %.3f Gbit/s %s client %s%n", r.gbps, r.sim.stats(), r.client.socket.info());
    }

    @Test
    void socketReadinessAfterTransfer() {
        Run r = transfer(TcpConfig.defaults(), 3, 0, 100_000, 100_000, 1500);
        int ready = r.client.socket.readiness();
        assertTrue((ready & Socket.POLLIN) != 0, "EOF is readable");
        assertTrue((ready & Socket.POLLRDHUP) != 0);
    }

    @Test
    void probe() {
        String spec = System.getProperty("tcp.probe");
        if (spec == null) {
            return;
        }
        String[] p = spec.split(",");
        double loss = Double.parseDouble(p[0]);
        long mib = Long.parseLong(p[1]);
        TcpConfig cfg = TcpConfig.defaults();
        if (p.length > 2) {
            cfg = cfg.withCongestionControl(p[2]);
        }
        Run r = transfer(cfg, 11, loss, mib * MIB, 0, 1500);
        System.out.printf("PROBE loss=%s %d MiB: %.1f ms virtual, %.3f Gbit/s, wall %d ms, steps %d%n  %s%n  %s%n",
                p[0], mib, r.seconds * 1e3, r.gbps, r.wallMs, r.sim.steps, r.sim.stats(), r.client.socket.info());
        System.out.println(r.sim.a.tcp.counters());
    }
}
