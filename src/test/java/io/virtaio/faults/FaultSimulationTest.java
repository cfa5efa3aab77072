package io.virtaio.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.sim.FaultInjection;
import io.virtaio.netstack.sim.Swarm;
import io.virtaio.netstack.sim.TransferScenario;
import io.virtaio.virtio.backend.PcapWriter;
import io.virtaio.virtio.fault.FaultSchedule;
import io.virtaio.virtio.fault.FaultSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The deterministic simulation under faults: two stacks on virtio devices, a fault stage on the link, virtual time.
 * Every byte is checked with SHA-256 by the scenario; these tests check that nothing is lost or corrupted, that a
 * seed replays bit for bit, and that every injected fault is counted.
 */
class FaultSimulationTest {
    /** Every network impairment at once, the link healed after 3 virtual seconds. */
    static final String ALL_FAULTS = "loss=1%,burst=gilbert:0.5%:30%,dup=1%,reorder=2%:3ms,corrupt=0.2%:2:payload,"
            + "delay=1ms~0.3ms,rate=400mbit,down=1s+150ms,[udp]{corrupt=1%:fcs}";

    @ParameterizedTest
    @ValueSource(longs = {11, 22, 33, 44})
    void soakSixtyFourMebibytesOverFourConnectionsThroughEveryFaultArriveIntact(long seed) {
        FaultInjection faults = new FaultInjection(FaultSpec.parse(ALL_FAULTS),
                FaultSchedule.NONE.healAt(3_000_000_000L), 65535, null);
        TransferScenario.Result r = TransferScenario.run(TransferScenario.Options.of(64L << 20).withConnections(4)
                .withMtu(65535).withSeed(seed).withImpairment(faults));
        assertTrue(r.intact(), "seed " + seed + ": " + r.failures());
        assertEquals(64L << 20, r.bytesDelivered());
        Map<String, Long> c = faults.counters();
        for (String kind : new String[] {"loss", "duplicate", "reorder", "delay", "corrupt"}) {
            assertTrue(c.getOrDefault("fault.tx." + kind, 0L) + c.getOrDefault("fault.rx." + kind, 0L) > 0,
                    "seed " + seed + " injected no " + kind + ": " + c);
        }
        assertTrue(r.total("tcp.retransSegs") > 0, "faults must cost retransmissions");
        // Payload corruption never reaches an application: the receiving stacks drop it on the checksum.
        long corrupted = c.getOrDefault("fault.tx.corrupt", 0L) + c.getOrDefault("fault.rx.corrupt", 0L);
        long droppedByChecksum = r.total("tcp.dropChecksum") + r.total("ipv4.rx.drop.BAD_CHECKSUM");
        assertTrue(droppedByChecksum > 0 || corrupted == 0, "corrupted " + corrupted + ", none caught");
    }

    @Test
    void sameSeedGivesByteIdenticalCapturesAndCountersDifferentSeedsDiffer(@TempDir Path dir) throws IOException {
        String spec = "loss=3%,dup=1%,reorder=2%:5ms,corrupt=0.2%,delay=0.5ms~0.2ms";
        Run a = capture(dir.resolve("a.pcapng"), spec, 7);
        Run b = capture(dir.resolve("b.pcapng"), spec, 7);
        Run c = capture(dir.resolve("c.pcapng"), spec, 8);
        assertTrue(a.result.intact() && b.result.intact() && c.result.intact());
        assertArrayEquals(a.pcap, b.pcap, "same seed, same build: the captures must be byte for byte equal");
        assertEquals(a.result.countersA(), b.result.countersA());
        assertEquals(a.result.countersB(), b.result.countersB());
        assertEquals(a.faults, b.faults);
        assertEquals(a.result.virtualNs(), b.result.virtualNs());
        assertFalse(java.util.Arrays.equals(a.pcap, c.pcap), "another seed must draw other faults");
        assertTrue(a.pcap.length > 100_000, "the capture holds the transfer");
    }

    private record Run(TransferScenario.Result result, Map<String, Long> faults, byte[] pcap) {
    }

    private static Run capture(Path file, String spec, long seed) throws IOException {
        FaultInjection faults;
        TransferScenario.Result r;
        try (PcapWriter w = PcapWriter.open(file, PcapWriter.Format.PCAPNG)) {
            faults = new FaultInjection(FaultSpec.parse(spec), FaultSchedule.NONE, 1500, w);
            r = TransferScenario.run(TransferScenario.Options.of(4L << 20).withConnections(2).withMtu(1500)
                    .withSeed(seed).withImpairment(faults));
        }
        return new Run(r, faults.counters(), Files.readAllBytes(file));
    }

    @Test
    void swarmOfFiftySeedsEachDrawingItsOwnFaultsFinishesAfterHealing() {
        List<String> failures = new ArrayList<>();
        int withDeviceFaults = 0;
        for (long seed = 1000; seed < 1050; seed++) {
            Swarm.Case c = Swarm.draw(seed, 30_000_000L);
            if (FaultSpec.parse(c.spec()).hasDeviceFaults()) {
                withDeviceFaults++;
            }
            TransferScenario.Result r = Swarm.run(c, TransferScenario.Options.of(4L << 20).withConnections(2)
                    .withMtu(65535));
            if (!r.intact()) {
                failures.add("seed " + seed + " (" + c.spec() + "): " + r.failures()
                        + " — replay: ./virtaio sim --swarm 1 --seed " + seed + " --fault-phase 30ms --bytes 4M"
                        + " --conns 2");
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(withDeviceFaults > 5, "the swarm should draw device faults too: " + withDeviceFaults);
    }
}
