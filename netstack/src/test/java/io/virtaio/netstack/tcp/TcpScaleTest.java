package io.virtaio.netstack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.netstack.wire.TcpFlags;
import io.virtaio.netstack.wire.TcpRepr;
import io.virtaio.netstack.wire.TcpSegment;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Many connections at once, and a SYN flood against a listener that must still serve a real client. */
class TcpScaleTest {
    @Test
    void thousandConcurrentConnectionsExchangeDataAndClose() {
        TcpConfig cfg = TcpConfig.defaults().withBuffers(32 * 1024, 32 * 1024).withTimeWait(5_000 * TcpConfig.MS);
        LinkSim sim = new LinkSim(cfg, cfg, 77, 1_000_000_000L, 100_000, 1 << 20, 1500, 4096);
        sim.loss(0.001);
        TcpSocket listener = sim.b.tcp.newSocket();
        assertEquals(0, listener.bind(0, 80));
        assertEquals(0, listener.listen(1024));
        List<StreamApp> servers = new ArrayList<>();
        sim.b.app = s -> {
            if (s == listener) {
                TcpSocket c;
                while ((c = listener.accept()) != null) {
                    StreamApp app = new StreamApp(c, 16 * 1024, servers.size());
                    app.closeWhenDone = true;
                    servers.add(app);
                    app.onEvent(sim.now);
                }
            } else if (s.attachment() instanceof StreamApp app) {
                app.onEvent(sim.now);
            }
        };
        List<StreamApp> clients = new ArrayList<>();
        // Ten new connections every 100 µs: all 1000 are open at once, but the first bursts do not arrive as a
        // single 16 MB wave that the link queue would tail-drop.
        sim.extraDeadline = () -> clients.size() < 1000 ? clients.size() / 10 * 100_000L : Long.MAX_VALUE;
        sim.extraWork = () -> {
            while (clients.size() < 1000 && clients.size() / 10 * 100_000L <= sim.now) {
                TcpSocket c = sim.a.tcp.newSocket();
                StreamApp app = new StreamApp(c, 64 * 1024, 10_000 + clients.size());
                app.closeWhenDone = true;
                clients.add(app);
                sim.a.ctx.setNow(sim.now);
                assertEquals(-Errno.EINPROGRESS, c.connect(sim.b.address, 80));
            }
        };
        sim.a.app = s -> {
            if (s.attachment() instanceof StreamApp app) {
                app.onEvent(sim.now);
            }
        };
        try {
            sim.run(() -> servers.size() == 1000 && clients.size() == 1000 && clients.stream().allMatch(StreamApp::done)
                    && servers.stream().allMatch(StreamApp::done), 600_000 * TcpConfig.MS);
        } catch (AssertionError e) {
            System.out.println("servers " + servers.size() + " " + sim.b.tcp.counters());
            System.out.println(sim.a.tcp.counters());
            clients.stream().filter(c -> !c.done()).limit(5).forEach(c -> System.out.println("client " + c.sent
                    + " " + c.received + " eof " + c.eof + " shut " + c.shut + " err " + c.error + " "
                    + c.socket.state() + " " + c.socket.info()));
            servers.stream().filter(c -> !c.done()).limit(5).forEach(c -> System.out.println("server " + c.sent
                    + " " + c.received + " eof " + c.eof + " shut " + c.shut + " err " + c.error + " "
                    + c.socket.state() + " " + c.socket.info()));
            throw e;
        }
        for (StreamApp c : clients) {
            assertEquals(0, c.error);
            assertEquals(16 * 1024, c.received);
        }
        long totalServerReceived = 0;
        for (StreamApp s : servers) {
            assertEquals(0, s.error);
            totalServerReceived += s.received;
        }
        assertEquals(1000L * 64 * 1024, totalServerReceived);
        // Everything winds down: closes complete, TIME_WAIT expires, every buffer returns to the pool.
        sim.run(() -> sim.a.tcp.table.size() == 0 && sim.b.tcp.table.size() == 0
                && sim.a.tcp.timeWait.size() == 0 && sim.b.tcp.timeWait.size() == 0, sim.now + 120_000 * TcpConfig.MS);
        assertEquals(0, sim.a.tcp.pool.inUseBytes());
        assertEquals(0, sim.b.tcp.pool.inUseBytes());
        assertEquals(1, sim.b.ctx.socketCount(), "only the listener is left");
        assertEquals(0, sim.a.ctx.socketCount());
        System.out.printf("1000 connections: done at %.1f ms virtual, %d steps, %s%n", sim.now / 1e6, sim.steps,
                sim.stats());
    }

    @Test
    void synFloodFromSpoofedAddressesNeitherGrowsMemoryNorStopsARealClient() {
        TcpConfig cfg = TcpConfig.defaults();
        LinkSim sim = LinkSim.gigabit(cfg, 99);
        TcpSocket listener = sim.b.tcp.newSocket();
        assertEquals(0, listener.bind(0, 80));
        assertEquals(0, listener.listen(128));
        StreamApp[] server = new StreamApp[1];
        sim.b.app = s -> {
            if (s == listener) {
                TcpSocket c;
                while ((c = listener.accept()) != null) {
                    server[0] = new StreamApp(c, 1 << 20, 5);
                    server[0].onEvent(sim.now);
                }
            } else if (s.attachment() instanceof StreamApp app) {
                app.onEvent(sim.now);
            }
        };
        // 100,000 SYNs from random spoofed sources over one second (100k/s), starting before the client.
        SplittableRandom rnd = new SplittableRandom(1234);
        int total = 100_000;
        long spacingNs = 10_000;
        int[] sent = {0};
        int[] maxSynQueue = {0};
        long[] maxPool = {0};
        TcpSegment view = new TcpSegment();
        sim.extraDeadline = () -> sent[0] < total ? sent[0] * spacingNs : Long.MAX_VALUE;
        sim.extraWork = () -> {
            while (sent[0] < total && sent[0] * spacingNs <= sim.now) {
                int src = Ipv4Address.of(100, rnd.nextInt(256), rnd.nextInt(256), 1 + rnd.nextInt(254));
                TcpRepr r = TcpRepr.of(1024 + rnd.nextInt(60000), 80, rnd.nextInt(), 0, TcpFlags.SYN, 64240, 0)
                        .withMss(1460).withSackPermitted().withTimestamps(rnd.nextInt(), 0).withWindowScale(7);
                MemorySegment m = MemorySegment.ofArray(new byte[r.bufferLength()]);
                r.emit(view.wrap(m, 0, r.bufferLength()), src, sim.b.address);
                sim.b.ctx.setNow(sim.now);
                sim.b.tcp.input(src, sim.b.address, m, 0, r.bufferLength(), false, sim.now);
                sent[0]++;
            }
            maxSynQueue[0] = Math.max(maxSynQueue[0], sim.b.tcp.synQueue.size());
            maxPool[0] = Math.max(maxPool[0], sim.b.tcp.pool.inUseBytes());
        };
        TcpSocket cs = sim.a.tcp.newSocket();
        StreamApp client = new StreamApp(cs, 1 << 20, 6);
        sim.a.app = s -> {
            if (s.attachment() instanceof StreamApp app) {
                app.onEvent(sim.now);
            }
        };
        // Connect in the middle of the flood.
        sim.run(() -> sent[0] >= total / 2, 10_000 * TcpConfig.MS);
        assertEquals(-Errno.EINPROGRESS, cs.connect(sim.b.address, 80));
        sim.run(() -> client.done() && server[0] != null && server[0].done() && sent[0] == total,
                60_000 * TcpConfig.MS);
        assertEquals(0, client.error);
        assertArrayEquals(client.sentHash(), server[0].receivedHash());
        assertArrayEquals(server[0].sentHash(), client.receivedHash());
        var counters = sim.b.tcp.counters();
        System.out.printf("SYN flood: %d SYNs, SYN queue max %d (limit %d per listener, %d stack-wide), "
                        + "cookies sent %d validated %d, buffer bytes in use max %d, table %d, done at %.1f ms%n",
                total, maxSynQueue[0], cfg.synQueueLimit(), sim.b.tcp.synQueue.capacity(),
                counters.get("tcp.cookiesSent"), counters.get("tcp.cookiesValidated"), maxPool[0],
                sim.b.tcp.table.size(), sim.now / 1e6);
        assertTrue(maxSynQueue[0] <= cfg.synQueueLimit(), "the listener's SYN queue stays within its limit");
        assertTrue(counters.get("tcp.cookiesSent") > total - 2L * cfg.synQueueLimit(), "the rest got cookies");
        assertTrue(maxPool[0] <= (long) cfg.sendBufferMaxBytes() + cfg.receiveBufferMaxBytes(),
                "buffers only for the real connection (at most what autotuning grows one to)");
        assertTrue(sim.b.tcp.table.size() <= 1, "no connection state for spoofed SYNs");
    }
}
