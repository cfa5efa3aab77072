package io.virtaio.netstack.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.sim.Simulation;
import io.virtaio.virtio.fault.Direction;
import io.virtaio.virtio.fault.FaultCounters;
import io.virtaio.virtio.fault.FaultKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two stacks on virtio devices behind fault stages, in virtual time: what the faults do to real traffic. */
class NetworkFaultsEndToEndTest {
    static final long US = 1_000;
    static final long MS = 1_000_000;
    static final long LIMIT = 10_000 * MS;

    @Test
    void udpThroughACorruptingStageIsNeverDeliveredCorrupted() {
        // Router-style corruption of A's UDP, 3 bits a time: the frames reach B, whose checksums must catch them.
        // A hands its checksums to the device (NEEDS_CSUM): the stage completes them before the damage.
        try (FaultyPair p = FaultyPair.network("[udp]{corrupt=10%:3:payload}", "none", 42, 20 * US)) {
            Traffic t = new Traffic(p, 3000, 20 * US, 5 * MS);
            assertEquals(Simulation.Outcome.DONE, p.sim.run(t, LIMIT));
            assertEquals(List.of(), t.damaged, "no corrupted datagram reached the application");
            FaultCounters tx = p.stageA.counters(Direction.EGRESS);
            long corrupted = tx.faults(FaultKind.CORRUPT);
            assertTrue(corrupted > 200, "corrupted: " + corrupted);
            assertEquals(0, tx.faults(FaultKind.FCS_DROP), "every one was delivered to B's stack");
            assertEquals(3000 - corrupted, t.received.size(), "all the others arrived");
            long ipDrops = FaultyPair.sum(p.b, "ipv4.rx.drop.");
            long udpDrops = FaultyPair.sum(p.b, "udp.rx.drop.");
            assertEquals(corrupted, ipDrops + udpDrops, "B dropped exactly the damaged ones and counted them");
            assertTrue(FaultyPair.counter(p.b, "ipv4.rx.drop.BAD_CHECKSUM") > 0, "header damage: IPv4 checksum");
            assertTrue(FaultyPair.counter(p.b, "udp.rx.drop.BAD_CHECKSUM") > 0, "payload damage: UDP checksum");
            assertTrue(p.a.driver().has(io.virtaio.virtio.net.VirtioNet.F_CSUM), "offload was in use");
        }
    }

    @Test
    void pingThroughLossDuplicationAndReordering() {
        // On each host's transmit side only (unprefixed settings would impair each frame twice: as it leaves A's
        // stage and as it enters B's).
        String spec = "tx.loss=10%,tx.dup=10%,tx.reorder=10%:2,[arp]{none}";
        try (FaultyPair p = FaultyPair.network(spec, spec, 7, 100 * US)) {
            List<Integer> replies = new ArrayList<>();
            p.a.stack().onEchoReply((from, ident, seq, len, now) -> replies.add(seq));
            int[] sent = {0};
            Simulation.Outcome o = p.sim.run(now -> {
                while (sent[0] < 500 && now >= sent[0] * 100 * US) {
                    assertEquals(0, p.a.stack().ping(FaultyPair.IP_B, 1, sent[0]++, 56));
                }
                return sent[0] == 500 && now > 500 * 100 * US + 20 * MS;
            }, LIMIT);
            assertEquals(Simulation.Outcome.DONE, o);
            Map<Integer, Integer> seen = new HashMap<>();
            int reordered = 0;
            int max = -1;
            for (int seq : replies) {
                seen.merge(seq, 1, Integer::sum);
                reordered += seq < max ? 1 : 0;
                max = Math.max(max, seq);
            }
            // A request and its reply must both survive 10% loss: ~81% answered, plus a little from duplicates.
            assertTrue(seen.size() > 500 * 0.75 && seen.size() < 500 * 0.90, "answered " + seen.size());
            assertTrue(seen.values().stream().anyMatch(n -> n > 1), "duplicated requests or replies seen twice");
            assertTrue(reordered > 0, "reordered replies");
            assertTrue(seen.keySet().stream().allMatch(s -> s >= 0 && s < 500));
            assertEquals(0, FaultyPair.counter(p.a, "icmp.rx.drop.BAD_CHECKSUM"));
            assertTrue(p.stageA.counters(Direction.EGRESS).faults(FaultKind.LOSS) > 0);
            assertTrue(p.stageB.counters(Direction.EGRESS).faults(FaultKind.DUPLICATE) > 0);
        }
    }

    @Test
    void theSameSeedReplaysTheSameRunAcrossBothHosts() {
        String spec = "loss=5%,burst=gilbert:1%:40%,dup=3%,reorder=5%:300us,corrupt=3%:2:payload,"
                + "delay=200us~100us:normal,[arp]{none}";
        List<Object> first = replay(spec, 11);
        assertEquals(first, replay(spec, 11));
        assertTrue(!first.equals(replay(spec, 12)), "another seed, another run");
    }

    private static List<Object> replay(String spec, long seed) {
        try (FaultyPair p = FaultyPair.network(spec, spec, seed, 50 * US)) {
            Traffic t = new Traffic(p, 1000, 50 * US, 5 * MS);
            assertEquals(Simulation.Outcome.DONE, p.sim.run(t, LIMIT));
            assertEquals(List.of(), t.damaged);
            return List.of(t.received, t.receivedAt, p.stageA.digest(), p.stageB.digest(), p.a.counters(),
                    p.b.counters(), p.sim.polls());
        }
    }
}
