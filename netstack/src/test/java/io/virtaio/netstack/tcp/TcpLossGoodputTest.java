package io.virtaio.netstack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bulk goodput under seeded random loss, both directions, over the default simulated link (1 Gbit/s, 100 µs one
 * way, 256 KiB queue), for a 64 KiB MTU (what Linux puts on a veth: GSO super-packets, each dropped whole) and a
 * 1500-byte MTU. Every run must deliver every byte intact with every queue within its bound; the goodput relative
 * to the loss-free run, the retransmission timeouts and the probes are printed, never asserted (no performance
 * assertions in tests: the figures go in the report).
 *
 * <p>Goodput counts from the moment the connection is established to the moment the receiver has every byte, so
 * a lost SYN (a 1 s initial RTO, RFC 6298 §2.1) does not hide what loss recovery does. At 1500 bytes and 1% or
 * more loss per packet, any standard AIMD controller is capped near 1.22/sqrt(p) segments per round trip (Mathis
 * et al.), with a bandwidth-delay product of about 17 segments here: ≈0.7× at 1%, ≈0.3× at 5%.
 */
class TcpLossGoodputTest {
    static final long BYTES = 64L << 20;
    static final long[] SEEDS = {21, 22, 23};

    /** One transfer's outcome. */
    record Result(double seconds, long rtos, long probes, long fastRetrans, long wallMs) {
    }

    static Result run(TcpConfig cfg, int mtu, double loss, long seed) {
        long wallStart = System.nanoTime();
        LinkSim sim = new LinkSim(cfg, cfg, seed, 1_000_000_000L, 100_000, 256 * 1024, mtu, 16);
        sim.loss(loss);
        TcpSocket listener = sim.b.tcp.newSocket();
        assertEquals(0, listener.bind(0, 5001));
        assertEquals(0, listener.listen(4));
        StreamApp[] server = new StreamApp[1];
        sim.b.app = s -> {
            if (s == listener) {
                TcpSocket c;
                while ((c = listener.accept()) != null) {
                    server[0] = new StreamApp(c, 0, seed + 2);
                    server[0].onEvent(sim.now);
                }
            } else if (s.attachment() instanceof StreamApp app) {
                app.onEvent(sim.now);
            }
        };
        StreamApp client = new StreamApp(sim.a.tcp.newSocket(), BYTES, seed + 1);
        sim.a.app = s -> {
            if (s.attachment() instanceof StreamApp app) {
                app.onEvent(sim.now);
            }
        };
        assertEquals(-Errno.EINPROGRESS, client.socket.connect(sim.b.address, 5001));
        sim.run(() -> client.done() && server[0] != null && server[0].done(), 3_600_000L * LinkSim.MS);
        assertNotNull(server[0]);
        assertEquals(0, client.error, "client error");
        assertEquals(0, server[0].error, "server error");
        assertEquals(BYTES, server[0].received);
        assertArrayEquals(client.sentHash(), server[0].receivedHash(), "bytes intact");
        TcpTransferTest.assertBounded(new TcpTransferTest.Run(0, 0, 0, sim, client, server[0]));
        assertTrue(client.establishedAtNs >= 0 && server[0].doneAtNs > client.establishedAtNs);
        var counters = sim.a.tcp.counters();
        return new Result((server[0].doneAtNs - client.establishedAtNs) / 1e9, counters.get("tcp.rtoExpirations"),
                counters.get("tcp.tlpProbes"), counters.get("tcp.retransFast"),
                (System.nanoTime() - wallStart) / 1_000_000);
    }

    static String table(TcpConfig cfg, int mtu, double[] losses) {
        StringBuilder out = new StringBuilder();
        double clean = 0;
        for (double loss : losses) {
            List<Result> rs = new ArrayList<>();
            for (long seed : loss == 0 ? new long[] {SEEDS[0]} : SEEDS) {
                rs.add(run(cfg, mtu, loss, seed));
            }
            double mean = rs.stream().mapToDouble(Result::seconds).average().orElseThrow();
            if (loss == 0) {
                clean = mean;
            }
            StringBuilder perSeed = new StringBuilder();
            for (Result r : rs) {
                perSeed.append(String.format(" %.2fx/%drto/%dtlp", clean / r.seconds(), r.rtos(), r.probes()));
            }
            out.append(String.format("MTU %5d, %4.1f%% loss: %7.1f ms, %.3f Gbit/s, goodput %.2fx of loss-free "
                            + "(seeds:%s), wall %d ms%n", mtu, loss * 100, mean * 1e3, BYTES * 8 / mean / 1e9,
                    clean / mean, perSeed, rs.stream().mapToLong(Result::wallMs).sum()));
        }
        return out.toString();
    }

    @Test
    void sixtyFourMibUnderLossWithJumboFrames() {
        System.out.print(table(TcpConfig.defaults(), 65_535, new double[] {0, 0.001, 0.01, 0.05}));
    }

    @Test
    void sixtyFourMibUnderLossWithEthernetFrames() {
        System.out.print(table(TcpConfig.defaults(), 1500, new double[] {0, 0.001, 0.01, 0.05}));
    }
}
