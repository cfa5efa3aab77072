package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Duplication, reordering, delay with jitter and the token bucket: where each frame goes out, and when. */
class TimingImpairmentsTest {
    static final long US = 1_000;
    static final long MS = 1_000_000;

    static StageRig sendAll(String spec, long seed, int frames, long spacingNs, int length) {
        StageRig rig = new StageRig(spec, seed);
        for (int i = 0; i < frames; i++) {
            long t = i * spacingNs;
            rig.runUntil(t);
            rig.send(t, Packets.raw(length, i));
        }
        rig.runUntil(frames * spacingNs + 10_000 * MS);
        return rig;
    }

    static void assertWithin(double expected, double sd, double actual, String what) {
        assertTrue(Math.abs(actual - expected) <= 5 * sd, what + ": " + actual + ", expected " + expected
                + " ± 5 × " + sd);
    }

    /** Tags of the frames the stage's events name for {@code kind}. */
    static Set<Integer> eventFrames(StageRig rig, FaultKind kind) {
        Set<Integer> s = new HashSet<>();
        for (FaultEvent e : rig.stage.events()) {
            if (e.kind() == kind) {
                s.add((int) e.frame() - 1);
            }
        }
        return s;
    }

    @Test
    void duplicatesFollowRightBehindTheirOriginal() {
        int n = 20_000;
        StageRig rig = sendAll("dup=10%", 5, n, US, 60);
        List<Integer> tags = rig.inner.out.tags();
        long dups = rig.tx().faults(FaultKind.DUPLICATE);
        assertEquals(n + dups, tags.size());
        assertWithin(n * 0.1, Math.sqrt(n * 0.1 * 0.9), dups, "duplicates");
        int pairs = 0;
        for (int i = 1; i < tags.size(); i++) {
            assertTrue(tags.get(i) >= tags.get(i - 1), "order kept, a copy right behind its original");
            if (tags.get(i).equals(tags.get(i - 1))) {
                pairs++;
                assertEquals(rig.egressOut().get(i - 1).nowNs(), rig.egressOut().get(i).nowNs(), "same instant");
                assertTrue(java.util.Arrays.equals(rig.egressOut().get(i - 1).frame(), rig.egressOut().get(i).frame()),
                        "an exact copy");
            }
        }
        assertEquals(dups, pairs);
        assertEquals(eventFrames(rig, FaultKind.DUPLICATE).size(), dups, "one event per duplicate");
    }

    @Test
    void aDuplicateWithATimeGapArrivesThatMuchLater() {
        StageRig rig = sendAll("dup=100%:2ms", 1, 10, 10 * MS, 60);
        List<StageRig.Out> out = rig.egressOut();
        assertEquals(20, out.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(i, out.get(2 * i).tag());
            assertEquals(i * 10 * MS, out.get(2 * i).nowNs());
            assertEquals(i, out.get(2 * i + 1).tag());
            assertEquals(i * 10 * MS + 2 * MS, out.get(2 * i + 1).nowNs());
        }
    }

    @Test
    void aDuplicateWithAFrameGapFollowsTheThirdLaterFrame() {
        StageRig rig = sendAll("dup=100%:3", 1, 8, US, 60);
        // Copies wait for 3 later frames that are not themselves waiting; the last copies run into the 100 ms limit.
        assertEquals(List.of(0, 1, 2, 3, 0, 4, 1, 5, 2, 6, 3, 7, 4, 5, 6, 7), rig.inner.out.tags());
        List<StageRig.Out> out = rig.egressOut();
        assertEquals(7 * US + Gap.DEFAULT_FRAME_LIMIT_NS, out.get(15).nowNs(), "the last copy at its time limit");
    }

    @Test
    void timeReorderingHoldsAFrameBackWhileLaterOnesPass() {
        int n = 10_000;
        StageRig rig = sendAll("reorder=3%:5ms", 11, n, MS, 60);
        Set<Integer> held = eventFrames(rig, FaultKind.REORDER);
        assertWithin(n * 0.03, Math.sqrt(n * 0.03 * 0.97), held.size(), "frames reordered");
        assertEquals(held.size(), rig.tx().faults(FaultKind.REORDER));
        Map<Integer, Long> at = new HashMap<>();
        List<Integer> tags = rig.inner.out.tags();
        for (StageRig.Out o : rig.egressOut()) {
            at.put(o.tag(), o.nowNs());
        }
        assertEquals(n, at.size(), "nothing lost");
        for (int k = 0; k < n; k++) {
            assertEquals(k * MS + (held.contains(k) ? 5 * MS : 0), at.get(k), "frame " + k);
        }
        // RFC 4737 §3.3: a frame is reordered if it arrives after one with a higher number. Those are exactly the
        // held ones, each overtaken by the 4 frames sent within its 5 ms (5 ms later, it leaves just before the 5th).
        int max = -1;
        Set<Integer> late = new HashSet<>();
        for (int t : tags) {
            if (t < max) {
                late.add(t);
            }
            max = Math.max(max, t);
        }
        assertEquals(held, late);
        for (int k : held) {
            if (k + 5 < n && !held.contains(k + 5)) {
                assertEquals(tags.indexOf(k) + 1, tags.indexOf(k + 5), "frame " + k + " leaves just before " + (k + 5));
            }
        }
    }

    @Test
    void frameReorderingLetsExactlyNFramesOvertake() {
        int n = 5_000;
        StageRig rig = sendAll("reorder=2%:3", 4, n, US, 60);
        Set<Integer> held = eventFrames(rig, FaultKind.REORDER);
        List<Integer> tags = rig.inner.out.tags();
        assertEquals(n, tags.size());
        int checked = 0;
        for (int k : held) {
            boolean isolated = true;
            for (int j = k - 4; j <= k + 4; j++) {
                isolated &= j == k || !held.contains(j);
            }
            if (isolated && k + 3 < n) {
                assertEquals(tags.indexOf(k + 3) + 1, tags.indexOf(k), "frame " + k + " right behind " + (k + 3));
                assertEquals((k + 3) * US, rig.egressOut().get(tags.indexOf(k)).nowNs(), "and at its time");
                checked++;
            }
        }
        assertTrue(checked > 50, "isolated reorderings checked: " + checked);
    }

    @Test
    void aFrameWaitingForFollowersLeavesAtItsTimeLimitWhenTrafficStops() {
        StageRig rig = new StageRig("reorder=100%:3/1ms", 1);
        rig.send(0, Packets.raw(60, 0));
        rig.send(10 * US, Packets.raw(60, 1));
        assertEquals(2, rig.stage.held(Direction.EGRESS), "both wait: neither overtakes the other");
        assertEquals(1 * MS, rig.stage.poll(10 * US), "the first limit is the next deadline");
        rig.runUntil(5 * MS);
        assertEquals(List.of(0, 1), rig.inner.out.tags());
        assertEquals(1 * MS, rig.egressOut().get(0).nowNs());
        assertEquals(1 * MS + 10 * US, rig.egressOut().get(1).nowNs());
    }

    @Test
    void constantDelayShiftsEveryFrameAndKeepsOrder() {
        StageRig rig = sendAll("delay=2ms", 1, 1000, 100 * US, 60);
        List<StageRig.Out> out = rig.egressOut();
        assertEquals(1000, out.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, out.get(i).tag());
            assertEquals(i * 100 * US + 2 * MS, out.get(i).nowNs());
        }
        assertEquals(1000, rig.tx().faults(FaultKind.DELAY));
    }

    /** Per-frame delay (out - in) by tag. */
    static long[] delays(StageRig rig, int n, long spacing) {
        long[] d = new long[n];
        for (StageRig.Out o : rig.egressOut()) {
            d[o.tag()] = o.nowNs() - o.tag() * spacing;
        }
        return d;
    }

    @Test
    void uniformJitterThatMayReorderDrawsEachDelayInItsInterval() {
        int n = 20_000;
        StageRig rig = sendAll("delay=1ms~300us:reorder", 3, n, 50 * US, 60);
        long[] d = delays(rig, n, 50 * US);
        double mean = 0;
        for (long x : d) {
            assertTrue(x >= 700 * US && x <= 1300 * US, "delay " + x + " in [0.7, 1.3] ms");
            mean += x / (double) n;
        }
        double sd = 300 * US / Math.sqrt(3);
        assertWithin(1 * MS, sd / Math.sqrt(n), mean, "mean delay");
        assertTrue(inversions(rig.inner.out.tags()) > 0, "jitter reorders frames 50 µs apart");
    }

    @Test
    void fifoJitterNeverReordersAndNeverShortensTheDrawnDelay() {
        int n = 20_000;
        StageRig rig = sendAll("delay=1ms~300us", 3, n, 50 * US, 60);
        assertEquals(0, inversions(rig.inner.out.tags()), "one path: no reordering");
        long[] fifo = delays(rig, n, 50 * US);
        long[] own = delays(sendAll("delay=1ms~300us:reorder", 3, n, 50 * US, 60), n, 50 * US);
        for (int i = 0; i < n; i++) {
            assertTrue(fifo[i] >= own[i], "a frame waits for the one ahead, never less than its own draw");
            assertTrue(fifo[i] <= 1300 * US);
        }
    }

    @Test
    void normalJitterHasTheGivenStandardDeviation() {
        int n = 20_000;
        StageRig rig = sendAll("delay=20ms~2ms:normal:reorder", 8, n, 50 * US, 60);
        long[] d = delays(rig, n, 50 * US);
        double mean = 0;
        for (long x : d) {
            mean += x / (double) n;
        }
        double var = 0;
        for (long x : d) {
            var += (x - mean) * (x - mean) / (n - 1);
        }
        assertWithin(20 * MS, 2.0 * MS / Math.sqrt(n), mean, "mean");
        // The sample variance of a normal has sd σ²·sqrt(2/(n-1)).
        assertWithin(4.0 * MS * MS, 4.0 * MS * MS * Math.sqrt(2.0 / (n - 1)), var, "variance");
    }

    static int inversions(List<Integer> tags) {
        int n = 0;
        for (int i = 1; i < tags.size(); i++) {
            n += tags.get(i) < tags.get(i - 1) ? 1 : 0;
        }
        return n;
    }

    @Test
    void tokenBucketPassesTheBurstThenPacesAndTailDropsBeyondTheQueue() {
        // 10 Mbit/s, 3028-byte burst, 64 KiB queue; 100 frames of 1000 bytes at once.
        StageRig rig = new StageRig("rate=10mbit", 1);
        for (int i = 0; i < 100; i++) {
            rig.send(0, Packets.raw(1000, i));
        }
        rig.runUntil(1_000 * MS);
        List<StageRig.Out> out = rig.egressOut();
        // 3 frames fit the burst; 65 wait (65,000 bytes <= 65,536); the other 32 find the queue full.
        assertEquals(68, out.size());
        assertEquals(32, rig.tx().faults(FaultKind.RATE_DROP));
        assertEquals(65, rig.tx().faults(FaultKind.RATE_QUEUED));
        for (int i = 0; i < 3; i++) {
            assertEquals(0, out.get(i).nowNs());
        }
        // Frame 3 waits for 972 bytes of tokens (777.6 µs), each next one for 1000 bytes (800 µs) at 10 Mbit/s.
        assertEquals(777_600, out.get(3).nowNs());
        for (int i = 4; i < 68; i++) {
            assertEquals(out.get(i - 1).nowNs() + 800_000, out.get(i).nowNs(), "frame " + i);
            assertEquals(i, out.get(i).tag(), "FIFO");
        }
    }

    @Test
    void tokenBucketThroughputConvergesOnTheRate() {
        // Offered 20 Mbit/s (1250-byte frames every 500 µs) into 10 Mbit/s for 2 s: half goes through.
        StageRig rig = sendAll("rate=10mbit:16kib:32kib", 1, 4000, 500 * US, 1250);
        long bytesOut = rig.tx().bytesOut();
        long lastOut = rig.egressOut().getLast().nowNs();
        double bitsPerSecond = bytesOut * 8.0 / (lastOut / 1e9);
        assertTrue(Math.abs(bitsPerSecond - 10e6) < 10e6 * 0.01, "throughput " + bitsPerSecond);
        assertTrue(rig.tx().faults(FaultKind.RATE_DROP) > 1900, "the excess is dropped");
    }

    @Test
    void aPolicerWithoutQueueDropsWhatCannotLeaveAtOnce() {
        StageRig rig = new StageRig("rate=1mbit:2kib:0b", 1);
        for (int i = 0; i < 5; i++) {
            rig.send(i * US, Packets.raw(1000, i));
        }
        assertEquals(List.of(0, 1), rig.inner.out.tags(), "2048 bytes of burst: two frames, the rest dropped");
        assertEquals(3, rig.tx().faults(FaultKind.RATE_DROP));
        rig.send(20 * MS, Packets.raw(1000, 9));
        assertEquals(List.of(0, 1, 9), rig.inner.out.tags(), "refilled after 2048 bytes at 1 Mbit/s ≈ 16 ms");
    }

    @Test
    void rateDelayAndJitterCompose() {
        // Shaping first (a bottleneck), then propagation: frame k leaves the bucket at k × 800 µs, arrives 5 ms on.
        StageRig rig = new StageRig("rate=10mbit:1514b,delay=5ms", 1);
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rig.send(0, Packets.raw(1000, i));
        }
        rig.runUntil(100 * MS);
        long depart = 0;
        for (int i = 0; i < 10; i++) {
            expected.add(depart + 5 * MS);
            // After frame 0, 514 bytes of tokens are left: frame 1 waits for 486 more (388.8 µs).
            depart = i == 0 ? 388_800 : depart + 800_000;
        }
        assertEquals(expected, rig.egressOut().stream().map(StageRig.Out::nowNs).toList());
    }
}
