package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.backend.PcapWriter;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One seed determines everything; one impairment's randomness never leaks into another's. */
class DeterminismTest {
    static final String BUSY = "loss=3%,burst=gilbert:1%:40%,corrupt=2%:2:payload,dup=3%:2,rate=50mbit:16kib:256kib,"
            + "tx.delay=2ms~500us:normal,reorder=3%:1ms,[tcp nth=4]{drop},rx.delay=1ms~1ms:reorder";

    /** Everything observable about one run. */
    record Run(List<String> egress, List<String> ingress, long digest, byte[] pcap, Map<String, Long> counters) {
    }

    static Run run(String spec, long seed) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StageRig rig = new StageRig(FaultPlan.parse(spec), seed,
                FaultStage.Options.defaults().withEventLogSize(1 << 16));
        try (PcapWriter w = new PcapWriter(Channels.newChannel(bytes), PcapWriter.Format.PCAPNG)) {
            rig.stage.capture(w);
            // Traffic from a fixed generator (not the stage's seed): mixed protocols and sizes.
            SplittableRandom traffic = new SplittableRandom(99);
            long t = 0;
            for (int i = 0; i < 5000; i++) {
                t += traffic.nextLong(1, 50_000);
                rig.runUntil(t);
                byte[] frame = switch (traffic.nextInt(4)) {
                    case 0 -> Packets.udp(1000, 2000, traffic.nextInt(1400), i);
                    case 1 -> Packets.tcp(Packets.A, 80, Packets.B, 4000 + i % 7, i, FrameView.ACK,
                            traffic.nextInt(1400), i);
                    case 2 -> Packets.ping(traffic.nextInt(100), i);
                    default -> Packets.raw(60 + traffic.nextInt(1000), i);
                };
                if (traffic.nextBoolean()) {
                    rig.send(t, frame);
                } else {
                    rig.deliver(t, frame);
                }
            }
            rig.runUntil(t + 1_000_000_000L);
            rig.stage.capture(null);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        Map<String, Long> counters = new HashMap<>();
        rig.tx().toMap().forEach((k, v) -> counters.put("tx." + k, v));
        rig.rx().toMap().forEach((k, v) -> counters.put("rx." + k, v));
        return new Run(describe(rig.egressOut()), describe(rig.ingressOut()), rig.stage.digest(), bytes.toByteArray(),
                counters);
    }

    static List<String> describe(List<StageRig.Out> out) {
        List<String> s = new ArrayList<>();
        for (StageRig.Out o : out) {
            s.add(o.nowNs() + " " + Arrays.hashCode(o.frame()) + " " + Arrays.toString(o.hdr()));
        }
        return s;
    }

    @Test
    void theSameSeedGivesTheSameFramesTimesCountersAndCaptureBytes() {
        Run a = run(BUSY, 2024);
        Run b = run(BUSY, 2024);
        assertEquals(a.egress(), b.egress());
        assertEquals(a.ingress(), b.ingress());
        assertEquals(a.counters(), b.counters());
        assertEquals(a.digest(), b.digest());
        assertEquals(-1, Arrays.mismatch(a.pcap(), b.pcap()), "pcapng byte for byte");
        // The run did exercise the faults.
        for (String k : List.of("tx.loss", "tx.burst_loss", "tx.corrupt", "tx.duplicate", "tx.rate_queued",
                "tx.delay", "tx.reorder", "rx.delay")) {
            assertTrue(a.counters().get(k) > 0, k + " = 0 in " + a.counters());
        }
    }

    @Test
    void aDifferentSeedGivesADifferentRun() {
        Run a = run(BUSY, 2024);
        Run c = run(BUSY, 2025);
        assertNotEquals(a.digest(), c.digest());
        assertNotEquals(a.egress(), c.egress());
        assertTrue(Arrays.mismatch(a.pcap(), c.pcap()) >= 0);
    }

    /** Frame numbers per fault kind, and corruption positions by frame, in one direction of a run. */
    static Map<FaultKind, Set<Long>> decisions(String spec, long seed, Map<Long, List<Long>> positions) {
        StageRig rig = new StageRig(FaultPlan.parse(spec), seed,
                FaultStage.Options.defaults().withEventLogSize(1 << 16));
        for (int i = 0; i < 20_000; i++) {
            rig.runUntil(i * 10_000L);
            rig.send(i * 10_000L, Packets.udp(1000, 2000, 100, i));
        }
        rig.runUntil(1_000_000_000_000L);
        Map<FaultKind, Set<Long>> m = new HashMap<>();
        for (FaultEvent e : rig.stage.events()) {
            m.computeIfAbsent(e.kind(), k -> new HashSet<>()).add(e.frame());
            if (e.kind() == FaultKind.CORRUPT) {
                positions.computeIfAbsent(e.frame(), k -> new ArrayList<>()).add(e.a() * 8 + e.b());
            }
        }
        return m;
    }

    @Test
    void changingOneImpairmentLeavesTheOthersDecisionsAsTheyWere() {
        String others = "corrupt=5%:2:payload,dup=5%,delay=1ms~500us:reorder,reorder=5%:3";
        Map<Long, List<Long>> posWithout = new HashMap<>();
        Map<Long, List<Long>> posWith = new HashMap<>();
        Map<FaultKind, Set<Long>> without = decisions(others, 77, posWithout);
        Map<FaultKind, Set<Long>> with = decisions("loss=20%," + others, 77, posWith);
        Set<Long> lost = with.get(FaultKind.LOSS);
        assertTrue(lost.size() > 3000);
        for (FaultKind k : List.of(FaultKind.CORRUPT, FaultKind.DUPLICATE, FaultKind.DELAY, FaultKind.REORDER)) {
            Set<Long> expected = new HashSet<>(without.get(k));
            expected.removeAll(lost);
            assertEquals(expected, with.get(k), k + ": the same frames, except those now lost");
        }
        for (Map.Entry<Long, List<Long>> e : posWith.entrySet()) {
            assertEquals(posWithout.get(e.getKey()), e.getValue(), "frame " + e.getKey() + " damaged alike");
        }
    }
}
