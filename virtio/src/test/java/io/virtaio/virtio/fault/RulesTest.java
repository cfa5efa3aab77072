package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rules hit what they target and nothing else. */
class RulesTest {
    static final int SERVER = Packets.B;
    static final int CLIENT = Packets.A;

    /** A segment from the server's port 80 to a client port, tagged. */
    static byte[] fromServer(int clientPort, long seq, int flags, int payload, int tag) {
        return Packets.tcp(SERVER, 80, CLIENT, clientPort, seq, flags, payload, tag);
    }

    @Test
    void dropsTheThirdDataSegmentOfEachConnectionFromPort80() {
        StageRig rig = new StageRig("[tcp sport=80 nth=3]{drop}", 1);
        int tag = 0;
        List<Integer> expectedDropped = new ArrayList<>();
        for (int conn = 0; conn < 3; conn++) {
            int port = 40000 + conn;
            rig.send(tag, fromServer(port, 0, FrameView.SYN | FrameView.ACK, 0, tag++));
            for (int seg = 1; seg <= 5; seg++) {
                rig.send(tag, fromServer(port, seg * 100L, FrameView.ACK, 0, tag++));        // bare ACK: no data
                if (seg == 3) {
                    expectedDropped.add(tag);
                }
                rig.send(tag, fromServer(port, seg * 100L, FrameView.ACK | FrameView.PSH, 100, tag++));
            }
            // The retransmission of the dropped segment is the 6th on the wire: it passes.
            rig.send(tag, fromServer(port, 300, FrameView.ACK | FrameView.PSH, 100, tag++));
            // Data from another port and the client's own data are not counted.
            rig.send(tag, Packets.tcp(SERVER, 81, CLIENT, port, 1, FrameView.ACK, 100, tag++));
            rig.send(tag, Packets.tcp(CLIENT, port, SERVER, 80, 1, FrameView.ACK, 100, tag++));
        }
        List<Integer> out = rig.inner.out.tags();
        assertEquals(tag - 3, out.size());
        for (int t = 0; t < tag; t++) {
            assertEquals(!expectedDropped.contains(t), out.contains(t), "frame " + t);
        }
        assertEquals(3, rig.tx().faults(FaultKind.LOSS));
    }

    @Test
    void aNewSynStartsTheCountOverAndAnRstEndsIt() {
        StageRig rig = new StageRig("[tcp nth=2]{drop}", 1);
        rig.send(0, fromServer(1, 0, FrameView.ACK, 10, 0));
        rig.send(0, fromServer(1, 0, FrameView.RST, 0, 1));
        rig.send(0, fromServer(1, 0, FrameView.ACK, 10, 2));         // counted from 1 again
        rig.send(0, Packets.tcp(SERVER, 80, CLIENT, 1, 0, FrameView.SYN, 0, 3));
        rig.send(0, fromServer(1, 0, FrameView.ACK, 10, 4));         // 1st of the new incarnation
        rig.send(0, fromServer(1, 0, FrameView.ACK, 10, 5));         // 2nd: dropped
        assertEquals(List.of(0, 1, 2, 3, 4), rig.inner.out.tags());
    }

    @Test
    void corruptsOnlyTheDatagramsToPort5001() {
        StageRig rig = new StageRig("[udp dport=5001]{corrupt=100%:payload}", 1);
        for (int i = 0; i < 100; i++) {
            rig.send(i, Packets.udp(1000, i % 2 == 0 ? 5001 : 5002, 50, i));
            rig.send(i, Packets.tcp(Packets.A, 1000, Packets.B, 5001, i, FrameView.ACK, 50, 1000 + i));
        }
        for (StageRig.Out o : rig.egressOut()) {
            boolean target = o.tag() < 1000 && o.tag() % 2 == 0;
            assertEquals(!target, Packets.checksumsVerify(o.frame()), "frame " + o.tag());
        }
        assertEquals(50, rig.tx().faults(FaultKind.CORRUPT));
    }

    @Test
    void dropsOnlySynFinAndRst() {
        StageRig rig = new StageRig("[tcp syn fin rst]{drop}", 1);
        int[] flags = {FrameView.SYN, FrameView.SYN | FrameView.ACK, FrameView.ACK, FrameView.FIN | FrameView.ACK,
            FrameView.RST, FrameView.PSH | FrameView.ACK};
        for (int i = 0; i < flags.length; i++) {
            rig.send(i, fromServer(1, 0, flags[i], i == 5 ? 10 : 0, i));
        }
        rig.send(9, Packets.udp(1, 2, 0, 9));
        assertEquals(List.of(2, 5, 9), rig.inner.out.tags());
    }

    @Test
    void aDirectionalRuleLeavesTheOtherDirectionAlone() {
        StageRig rig = new StageRig("[rx icmp]{drop}", 1);
        rig.send(0, Packets.ping(8, 1));
        rig.deliver(0, Packets.ping(8, 2));
        rig.deliver(0, Packets.udp(1, 2, 8, 3));
        assertEquals(List.of(1), rig.inner.out.tags());
        assertEquals(List.of(3), rig.device.tags());
    }

    @Test
    void theFirstMatchingRuleWinsAndAnEmptyRuleExempts() {
        StageRig rig = new StageRig("loss=100%,[tcp sport=80]{none},[tcp]{delay=1ms}", 1);
        rig.send(0, fromServer(1, 0, FrameView.ACK, 0, 1));                          // rule 1: untouched
        rig.send(0, Packets.tcp(SERVER, 81, CLIENT, 1, 0, FrameView.ACK, 0, 2));     // rule 2: delayed
        rig.send(0, Packets.udp(1, 2, 0, 3));                                       // the plan: lost
        rig.runUntil(2_000_000);
        assertEquals(List.of(1, 2), rig.inner.out.tags());
        assertEquals(1_000_000, rig.egressOut().get(1).nowNs());
    }

    @Test
    void anyPredicateCanTargetFramesAndOnlyThoseAreTouched() {
        FaultPlan plan = FaultPlan.NONE.withRule(FaultRule.when("odd tag", f -> (f.byteAt(11) & 1) == 1,
                Impairments.NONE.withDuplication(new Duplication(1, Gap.NONE))));
        StageRig rig = new StageRig(plan, 1);
        for (int i = 0; i < 6; i++) {
            rig.send(i, Packets.raw(60, i));
        }
        assertEquals(List.of(0, 1, 1, 2, 3, 3, 4, 5, 5), rig.inner.out.tags());
    }

    @Test
    void aThrowingPredicateIsCountedAsNoMatchAndNothingEscapes() {
        FaultPlan plan = FaultPlan.NONE.withRule(FaultRule.when("broken", f -> {
            throw new IllegalStateException("bug in a test's predicate");
        }, Impairments.dropAll()));
        StageRig rig = new StageRig(plan, 1);
        rig.send(0, Packets.raw(60, 1));
        assertEquals(List.of(1), rig.inner.out.tags());
        assertEquals(1, rig.stage.predicateErrors());
    }

    @Test
    void theFlowTableIsBoundedAndCountsWhatItCannotTrack() {
        StageRig rig = new StageRig(FaultPlan.parse("[tcp nth=1]{drop}"), 1,
                FaultStage.Options.defaults().withFlowTableSize(16));
        for (int port = 0; port < 100; port++) {
            rig.send(port, fromServer(port, 0, FrameView.ACK, 10, port));
        }
        long tracked = rig.tx().faults(FaultKind.LOSS);
        assertEquals(16, tracked, "16 entries, one per tracked connection's 1st segment");
        assertEquals(84, rig.tx().untrackedFlows());
        assertEquals(84, rig.inner.out.frames.size());
    }

    @Test
    void unmatchedFramesPassWithoutACopy() {
        StageRig.RecorderBackend identity = new StageRig.RecorderBackend() {
            @Override
            public int accept(java.lang.foreign.MemorySegment hdr, java.lang.foreign.MemorySegment frame,
                              long off, int len, long nowNs) {
                assertFalse(frame.isNative(), "the caller's own (heap) segment, not a stage buffer");
                return super.accept(hdr, frame, off, len, nowNs);
            }
        };
        FaultStage stage = new FaultStage(identity, FaultPlan.parse("[udp]{delay=1ms}"), 1);
        stage.connect(new StageRig.Recorder());
        byte[] frame = Packets.raw(60, 7);
        stage.accept(java.lang.foreign.MemorySegment.ofArray(Packets.plainHeader()),
                java.lang.foreign.MemorySegment.ofArray(frame), 0, 60, 0);
        assertArrayEquals(frame, identity.out.frames.getFirst().frame());
        assertTrue(stage.counters(Direction.EGRESS).framesOut() == 1);
    }
}
