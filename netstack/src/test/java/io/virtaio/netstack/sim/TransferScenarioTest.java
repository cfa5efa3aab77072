package io.virtaio.netstack.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TransferScenarioTest {
    @Test
    void oneMebibyteArrivesIntactOverTheDefaultLink() {
        TransferScenario.Result r = TransferScenario.run(TransferScenario.Options.of(1 << 20));
        assertTrue(r.intact(), r.failures().toString());
        assertFalse(r.stalled());
        assertEquals(1 << 20, r.bytesDelivered());
        // 1 MiB at 1 Gbit/s is 8.4 ms of serialization; the handshake and slow start add a few round trips.
        assertTrue(r.virtualNs() > 8_000_000 && r.virtualNs() < 50_000_000, "virtual " + r.virtualNs());
    }

    @Test
    void hundredMebibytesEachWayAtOnceArriveIntact() {
        TransferScenario.Result r = TransferScenario.run(TransferScenario.Options.of(100L << 20).withBothWays(true)
                .withMtu(65535));
        assertTrue(r.intact(), r.failures().toString());
        assertEquals(200L << 20, r.bytesDelivered());
    }

    @Test
    void thousandConcurrentConnectionsEachExchangeDataAndClose() {
        TransferScenario.Options o = TransferScenario.Options.of(1000L * 8192).withConnections(1000).withBothWays(true)
                .withTcp(io.virtaio.netstack.tcp.TcpConfig.defaults().withBuffers(16 * 1024, 16 * 1024)
                        .withTimeWait(1_000_000_000L));
        TransferScenario.Result r = TransferScenario.run(o, run -> { });
        assertTrue(r.intact(), r.failures().toString());
        assertEquals(2L * 1000 * 8192, r.bytesDelivered());
        assertEquals(1000, r.countersA().getOrDefault("tcp.activeOpens", 0L));
        assertEquals(1000, r.countersB().getOrDefault("tcp.passiveOpens", 0L));
    }

    @Test
    void transferWithOnePercentLossEachWayCompletesIntact() {
        TransferScenario.Result r = TransferScenario.run(TransferScenario.Options.of(8L << 20).withMtu(1500)
                .withImpairment(FaultInjection.of("loss=1%", 1500)));
        assertTrue(r.intact(), r.failures().toString());
        assertTrue(r.total("tcp.retransSegs") > 0, "1% loss must cost retransmissions");
    }

    @Test
    void sameSeedSameRunDifferentSeedDifferentPayload() {
        TransferScenario.Options o = TransferScenario.Options.of(200_000).withConnections(3);
        TransferScenario.Result r1 = TransferScenario.run(o);
        TransferScenario.Result r2 = TransferScenario.run(o);
        TransferScenario.Result r3 = TransferScenario.run(o.withSeed(2));
        assertTrue(r1.intact() && r2.intact() && r3.intact());
        assertEquals(r1.digest(), r2.digest());
        assertEquals(r1.virtualNs(), r2.virtualNs());
        assertEquals(r1.countersA(), r2.countersA());
        assertFalse(r1.digest().equals(r3.digest()));
    }
}
