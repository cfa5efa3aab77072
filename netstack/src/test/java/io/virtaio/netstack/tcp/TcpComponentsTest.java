package io.virtaio.netstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The building blocks on their own: SipHash, ISNs, the assembler, the sent log, tables, congestion control. */
class TcpComponentsTest {
    @Test
    void sipHashMatchesTheReferenceVectors() {
        // SipHash-2-4 paper, Appendix A: key 00..0f; messages 00 01 02 ... of length 0..15.
        long k0 = 0x0706050403020100L;
        long k1 = 0x0f0e0d0c0b0a0908L;
        long[] expected = {
            0x726fdb47dd0e0e31L, 0x74f839c593dc67fdL, 0x0d6c8009d9a94f5aL, 0x85676696d7fb7e2dL,
            0xcf2794e0277187b7L, 0x18765564cd99a68dL, 0xcbc9466e58fee3ceL, 0xab0200f58b01d137L,
            0x93f5f5799a932462L, 0x9e0082df0ba9e4b0L, 0x7a5dbbc594ddb9f3L, 0xf4b32f46226bada7L,
            0x751e8fbc860ee5fbL, 0x14ea5627c0843d90L, 0xf723ca908e7af2eeL, 0xa129ca6149be45e5L,
        };
        for (int len = 0; len < 16; len++) {
            long m0 = 0;
            long m1 = 0;
            for (int i = 0; i < len; i++) {
                if (i < 8) {
                    m0 |= (long) i << (8 * i);
                } else {
                    m1 |= (long) i << (8 * (i - 8));
                }
            }
            assertEquals(expected[len], SipHash.hash(k0, k1, m0, m1, len), "length " + len);
        }
    }

    @Test
    void isnAdvancesWithTheFourMicrosecondClockAndDependsOnTheTuple() {
        Isn isn = new Isn(11, 22);
        int a = isn.isn(1, 80, 2, 4000, 0);
        assertEquals(a + 250, isn.isn(1, 80, 2, 4000, 1_000_000), "RFC 6528: M ticks every 4 µs");
        assertNotEquals(a, isn.isn(1, 80, 2, 4001, 0));
        assertNotEquals(a, new Isn(11, 23).isn(1, 80, 2, 4000, 0), "keyed");
    }

    @Test
    void assemblerMergesBoundsAndAdvances() {
        Assembler as = new Assembler(3);
        assertTrue(as.add(10, 20));
        assertTrue(as.add(30, 40));
        assertTrue(as.add(50, 60));
        assertFalse(as.add(70, 80), "a fourth range exceeds the bound");
        assertTrue(as.add(20, 30), "filling a gap merges instead of adding");
        assertEquals(2, as.count());
        assertEquals(10, as.start(0));
        assertEquals(40, as.end(0));
        assertTrue(as.add(5, 55), "one segment covering several ranges");
        assertEquals(1, as.count());
        assertEquals(0, as.advance(0), "a range that does not touch the in-order end stays");
        assertEquals(60, as.advance(5));
        assertTrue(as.isEmpty());
    }

    @Test
    void assemblerReportsMostRecentBlocksFirst() {
        Assembler as = new Assembler(8);
        as.add(100, 200);
        as.add(300, 400);
        as.add(500, 600);
        as.add(150, 250);            // extends the first range: now the most recent
        long[] s = new long[4];
        long[] e = new long[4];
        assertEquals(3, as.sackBlocks(s, e, 3));
        assertEquals(100, s[0]);
        assertEquals(250, e[0]);
        assertEquals(500, s[1]);
        assertEquals(300, s[2]);
    }

    @Test
    void sentLogFindsAndSplits() {
        SentLog log = new SentLog(16);
        for (int i = 0; i < 16; i++) {
            log.add(-5000 + i * 1000, -5000 + (i + 1) * 1000, i, 0);       // crosses zero
        }
        assertTrue(log.isFull());
        assertEquals(5, log.find(0));
        assertEquals(-1, log.find(11_000));
        log.removeFirst();
        assertTrue(log.split(2, -1500));
        assertEquals(-2000, log.start(2));
        assertEquals(-1500, log.end(2));
        assertEquals(-1500, log.start(3));
        assertEquals(-1000, log.end(3));
        assertEquals(-1000, log.start(4));
        assertEquals(16, log.size());
        assertFalse(log.split(0, -3500), "no room to split");
    }

    @Test
    void connectionTableSurvivesChurn() {
        ConnectionTable table = new ConnectionTable(64, 5);
        Connection[] live = new Connection[64];
        SplittableRandom r = new SplittableRandom(3);
        TcpScript t = new TcpScript(TcpConfig.defaults());
        for (int round = 0; round < 5000; round++) {
            int i = r.nextInt(64);
            if (live[i] == null) {
                live[i] = new Connection(t.tcp, 1, 80, r.nextInt(4) + 100, 1000 + i, false, t.tcp.config, 1024,
                        1024, 0);
                assertTrue(table.insert(live[i]));
            } else {
                table.remove(live[i]);
                assertNull(table.find(1, 80, live[i].remoteAddr, live[i].remotePort));
                live[i] = null;
            }
            for (Connection c : live) {
                if (c != null) {
                    assertSame(c, table.find(1, 80, c.remoteAddr, c.remotePort));
                }
            }
        }
    }

    @Test
    void tupleIndexSurvivesChurn() {
        TupleIndex idx = new TupleIndex(100, 9);
        SplittableRandom r = new SplittableRandom(4);
        boolean[] present = new boolean[100];
        for (int round = 0; round < 20_000; round++) {
            int i = r.nextInt(100);
            if (present[i]) {
                idx.remove(7, 80, i % 7, i, i);
            } else {
                idx.put(7, 80, i % 7, i, i);
            }
            present[i] = !present[i];
            int j = r.nextInt(100);
            assertEquals(present[j] ? j : -1, idx.get(7, 80, j % 7, j));
        }
    }

    @Test
    void cubicFollowsTheCubicCurveAndFastConvergence() {
        Cubic c = new Cubic();
        int mss = 1000;
        c.init(100_000);
        c.onLoss(100_000, mss, 0);
        assertEquals(70_000, c.cwnd(), "RFC 9438 §4.6: beta 0.7");
        assertEquals(100.0, c.wMax(), 1e-9);
        // Congestion avoidance starts an epoch; K = cbrt(W_max (1 - beta) / C) = cbrt(75) s.
        c.onAck(mss, mss, 1, 100_000_000, true);
        assertEquals(Math.cbrt(30 / 0.4), c.k(), 1e-9);
        long t = (long) (c.k() * 1e9);
        // With a long RTT (500 ms) the cubic curve, not the Reno-friendly estimate, drives the window: concave
        // below W_max, reaching it at t = K.
        long ns = 1;
        long rtt = 500_000_000;
        long previous = c.cwnd();
        while (ns < t) {
            ns += rtt;
            c.onAck(c.cwnd(), mss, ns, rtt, true);
            assertTrue(c.cwnd() >= previous && c.cwnd() <= 101_000, "concave approach, got " + c.cwnd());
            previous = c.cwnd();
        }
        assertEquals(100_000, c.cwnd(), 2_500, "cwnd is back near W_max at t = K");
        // A loss below the previous W_max releases bandwidth (RFC 9438 §4.7).
        c.setCwnd(80_000);
        c.onLoss(80_000, mss, ns);
        assertEquals(80 * (1 + Cubic.BETA) / 2, c.wMax(), 1e-9);
    }

    @Test
    void cubicIsRenoFriendlyOnShortRtts() {
        Cubic c = new Cubic();
        int mss = 1000;
        c.init(20_000);
        c.onLoss(20_000, mss, 0);
        long start = c.cwnd();
        // 100 round trips of 200 µs: W_cubic barely moves, W_est (alpha 0.53/RTT) must carry the growth.
        long ns = 0;
        for (int rtt = 0; rtt < 100; rtt++) {
            ns += 200_000;
            c.onAck(c.cwnd(), mss, ns, 200_000, true);
        }
        double segments = (c.cwnd() - start) / (double) mss;
        assertTrue(segments > 40 && segments < 110, "Reno-friendly growth, got " + segments + " segments");
    }

    @Test
    void newRenoHalvesAndGrowsLinearly() {
        NewReno r = new NewReno();
        r.init(10_000);
        r.onAck(5_000, 1000, 0, 0, true);
        assertEquals(15_000, r.cwnd(), "slow start");
        r.onLoss(15_000, 1000, 0);
        assertEquals(7_500, r.ssthresh());
        r.onAck(7_500, 1000, 0, 0, true);
        assertEquals(8_500, r.cwnd(), "one SMSS per window");
        r.onAck(100, 1000, 0, 0, false);
        assertEquals(8_500, r.cwnd(), "no growth when application-limited");
        r.onTimeout(8_000, 1000, 0);
        assertEquals(1000, r.cwnd());
        assertEquals(4_000, r.ssthresh());
    }

    @Test
    void rttEstimatorBacksOffAndCaps() {
        RttEstimator e = new RttEstimator(1_000_000_000L, 200_000_000L, 2_000_000_000L);
        assertEquals(1_000_000_000L, e.rtoNs());
        e.backOff();
        assertEquals(2_000_000_000L, e.rtoNs());
        e.backOff();
        assertEquals(2_000_000_000L, e.rtoNs(), "capped");
        e.sample(50_000_000L);
        assertEquals(200_000_000L, e.rtoNs(), "a sample resets the backoff; the minimum applies");
    }

    @Test
    void bufferPoolRecyclesAndRespectsItsLimit() {
        try (BufferPool p = new BufferPool(3 * 4096)) {
            var a = p.allocate(3000);
            assertEquals(4096, a.byteSize());
            var b = p.allocate(4096);
            var c = p.allocate(4096);
            assertNull(p.allocate(1024), "limit reached");
            p.release(b);
            assertSame(b, p.allocate(4000), "recycled");
            assertEquals(3 * 4096, p.reservedBytes());
            assertTrue(a != null && c != null);
        }
    }
}
