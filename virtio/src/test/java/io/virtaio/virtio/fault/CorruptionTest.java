package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.net.VirtioNet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bit errors: where they land, and that no damaged frame can pass for a good one. */
class CorruptionTest {
    /** Flip events of the stage by frame number: positions as byte * 8 + bit. */
    static Map<Long, List<Integer>> flips(StageRig rig) {
        Map<Long, List<Integer>> m = new HashMap<>();
        for (FaultEvent e : rig.stage.events()) {
            if (e.kind() == FaultKind.CORRUPT) {
                m.computeIfAbsent(e.frame(), k -> new ArrayList<>()).add((int) (e.a() * 8 + e.b()));
            }
        }
        return m;
    }

    @Test
    void onTheWireTheReceivingNicDropsTheFrameForItsBadFcs() {
        int n = 20_000;
        StageRig rig = new StageRig(FaultPlan.parse("corrupt=5%"), 13,
                FaultStage.Options.defaults().withEventLogSize(1 << 16));
        for (int i = 0; i < n; i++) {
            rig.send(i, Packets.udp(1000, 2000, 100, i));
        }
        long corrupted = rig.tx().faults(FaultKind.CORRUPT);
        assertEquals(corrupted, rig.tx().faults(FaultKind.FCS_DROP), "fcs mode: every damaged frame dropped");
        assertEquals(n - corrupted, rig.inner.out.frames.size());
        assertTrue(Math.abs(corrupted - n * 0.05) < 5 * Math.sqrt(n * 0.05 * 0.95), "corrupted " + corrupted);
        for (StageRig.Out o : rig.egressOut()) {
            assertTrue(Packets.checksumsVerify(o.frame()), "what passes is intact");
        }
        // Positions: uniform over the 142-byte frame; bits uniform over 0..7.
        Map<Long, List<Integer>> f = flips(rig);
        assertEquals(corrupted, f.size());
        int[] bytes = new int[142];
        int[] bits = new int[8];
        for (List<Integer> p : f.values()) {
            assertEquals(1, p.size(), "one flip per frame by default");
            bytes[p.get(0) >>> 3]++;
            bits[p.get(0) & 7]++;
        }
        assertUniform(bits, "bits");
        assertUniform(bytes, "bytes");
    }

    /** Pearson's chi-squared against the uniform distribution, at a 10^-6 significance level (z of 4.75). */
    static void assertUniform(int[] counts, String what) {
        long total = 0;
        for (int c : counts) {
            total += c;
        }
        double expected = (double) total / counts.length;
        double chi2 = 0;
        for (int c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        int df = counts.length - 1;
        // Wilson–Hilferty: (chi2/df)^(1/3) is approximately normal with mean 1 - 2/(9df), variance 2/(9df).
        double z = (Math.cbrt(chi2 / df) - (1 - 2.0 / (9 * df))) / Math.sqrt(2.0 / (9 * df));
        assertTrue(z < 4.75, what + " not uniform: chi2 " + chi2 + " on " + df + " degrees of freedom");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 8})
    void inPayloadModeEveryDamagedPacketFailsAChecksum(int k) {
        int n = 6_000;
        StageRig rig = new StageRig(FaultPlan.parse("corrupt=50%:" + k + ":payload"), k,
                FaultStage.Options.defaults().withEventLogSize(1 << 16));
        for (int i = 0; i < n; i++) {
            byte[] frame = switch (i % 3) {
                case 0 -> Packets.udp(1000, 2000, i % 200, i);
                case 1 -> Packets.tcp(Packets.A, 80, Packets.B, 5000, i, FrameView.ACK, i % 300, i);
                default -> Packets.ping(i % 100, i);
            };
            rig.send(i, frame);
        }
        assertEquals(n, rig.inner.out.frames.size(), "payload mode delivers the damaged frames");
        assertEquals(0, rig.tx().faults(FaultKind.FCS_DROP));
        Map<Long, List<Integer>> f = flips(rig);
        assertEquals(rig.tx().faults(FaultKind.CORRUPT), f.size());
        for (StageRig.Out o : rig.egressOut()) {
            long frameNo = o.tag() + 1;
            List<Integer> p = f.get(frameNo);
            assertEquals(p != null, !Packets.checksumsVerify(o.frame()), "frame " + o.tag() + " flips " + p);
            if (p == null) {
                continue;
            }
            assertEquals(k, p.size());
            Set<Integer> classes = new HashSet<>();
            for (int pos : p) {
                int offset = pos >>> 3;
                assertTrue(offset >= 14, "inside the IP packet: " + offset);
                // Bit class within the 16-bit words the checksums add (words start at even frame offsets).
                classes.add((offset % 2 == 0 ? 8 : 0) + (pos & 7));
            }
            assertEquals(k, classes.size(), "distinct positions modulo 16: effects cannot cancel");
        }
    }

    @Test
    void twoFlipsThatCancelWouldFoolTheChecksumWhichIsWhyTheStageNeverDrawsThem() {
        // The Internet checksum is a ones' complement sum: setting bit 3 of one word and clearing bit 3 of another
        // leaves it unchanged (RFC 1071; Stone & Partridge 2000). Find such a pair in a UDP payload and show it.
        byte[] frame = Packets.udp(1000, 2000, 64, 7);
        int a = -1;
        int b = -1;
        for (int i = 42; i < frame.length; i += 2) {
            if ((frame[i] & 8) == 0 && a < 0) {
                a = i;
            } else if ((frame[i] & 8) != 0 && b < 0) {
                b = i;
            }
        }
        frame[a] ^= 8;
        frame[b] ^= 8;
        assertTrue(Packets.checksumsVerify(frame), "a damaged payload the checksum cannot see");
    }

    @Test
    void aPartialChecksumIsCompletedBeforeTheDamageAndTheOffloadFlagsCleared() {
        for (int protocol : new int[] {17, 6}) {
            byte[] frame = protocol == 17 ? Packets.udp(Packets.A, 1000, Packets.B, 2000, 300, 1, true)
                    : partialTcp();
            StageRig rig = new StageRig("corrupt=100%:3:payload", 5);
            rig.send(0, Packets.needsCsumHeader(protocol), frame);
            StageRig.Out out = rig.egressOut().getFirst();
            assertEquals(0, out.hdr()[VirtioNet.HDR_FLAGS], "NEEDS_CSUM completed and cleared, no DATA_VALID");
            assertEquals(0, out.hdr()[VirtioNet.HDR_CSUM_START]);
            assertFalse(Packets.checksumsVerify(out.frame()), "the receiver's software check catches it");
            // Undo the flips: what is left is the frame with its checksum completed as a NIC would have.
            byte[] repaired = out.frame().clone();
            for (List<Integer> p : flips(rig).values()) {
                for (int pos : p) {
                    repaired[pos >>> 3] ^= (byte) (1 << (pos & 7));
                }
            }
            assertTrue(Packets.checksumsVerify(repaired), "protocol " + protocol + ": completed before the damage");
        }
    }

    private static byte[] partialTcp() {
        byte[] f = Packets.tcp(Packets.A, 80, Packets.B, 5000, 1, FrameView.ACK | FrameView.PSH, 200, 1);
        // Replace the complete checksum by the pseudo-header sum, as a driver leaves it for the device.
        java.lang.foreign.MemorySegment s = java.lang.foreign.MemorySegment.ofArray(f);
        int total = 40 + 200;
        int pseudo = io.virtaio.virtio.net.InternetChecksum.add(
                io.virtaio.virtio.net.InternetChecksum.partial(s, 26, 8, 0),
                io.virtaio.virtio.net.InternetChecksum.add(6, total - 20));
        s.set(Packets.BE16, 50, (short) pseudo);
        return f;
    }

    @Test
    void dataValidNeverSurvivesOnADamagedFrame() {
        byte[] valid = new byte[VirtioNet.HDR_SIZE];
        valid[VirtioNet.HDR_FLAGS] = VirtioNet.HDR_F_DATA_VALID;
        StageRig rig = new StageRig("rx.corrupt=50%:payload", 21);
        for (int i = 0; i < 200; i++) {
            rig.deliver(i, valid, Packets.udp(1000, 2000, 50, i));
        }
        Map<Long, List<Integer>> f = flips(rig);
        assertTrue(f.size() > 50);
        for (StageRig.Out o : rig.ingressOut()) {
            boolean damaged = f.containsKey((long) o.tag() + 1);
            assertEquals(damaged ? 0 : VirtioNet.HDR_F_DATA_VALID, o.hdr()[VirtioNet.HDR_FLAGS], "frame " + o.tag());
        }
    }

    @Test
    void framesNoChecksumProtectsAreDroppedAsOnTheWireEvenInPayloadMode() {
        StageRig rig = new StageRig("corrupt=100%:payload", 2);
        rig.send(0, Packets.udpWithoutChecksum(100, 1));
        rig.send(1, Packets.raw(100, 2));
        byte[] fragment = Packets.udp(1000, 2000, 100, 3);
        fragment[20] = 0x20;                        // MF: the first fragment of a larger datagram
        rig.send(2, fragment);
        rig.send(3, Packets.udp(1000, 2000, 100, 4));
        assertEquals(List.of(4), rig.inner.out.tags());
        assertEquals(4, rig.tx().faults(FaultKind.CORRUPT));
        assertEquals(3, rig.tx().faults(FaultKind.FCS_DROP));
    }

    @Test
    void payloadModePositionsAreUniformOverThePacket() {
        int n = 40_000;
        StageRig rig = new StageRig(FaultPlan.parse("corrupt=100%:payload"), 17,
                FaultStage.Options.defaults().withEventLogSize(1 << 16));
        for (int i = 0; i < n; i++) {
            rig.send(i, Packets.udp(1000, 2000, 92, i));      // a 120-byte IP packet
        }
        int[] offsets = new int[120];
        for (List<Integer> p : flips(rig).values()) {
            offsets[(p.get(0) >>> 3) - 14]++;
        }
        CorruptionTest.assertUniform(offsets, "byte offsets in the IP packet");
    }

    @Test
    void theCopyOfADuplicatedFrameIsPristine() {
        StageRig rig = new StageRig("corrupt=100%:payload,dup=100%", 1);
        byte[] frame = Packets.udp(1000, 2000, 64, 1);
        rig.send(0, frame);
        assertEquals(2, rig.egressOut().size());
        assertFalse(Packets.checksumsVerify(rig.egressOut().get(0).frame()));
        assertArrayEquals(frame, rig.egressOut().get(1).frame(), "the duplicate is the frame as offered");
    }
}
