package io.virtaio.netstack.tcp;

import static io.virtaio.netstack.tcp.Seg.seg;
import static io.virtaio.netstack.tcp.TcpScript.PEER_ISN;
import static io.virtaio.netstack.tcp.TcpScript.at;
import static io.virtaio.netstack.tcp.TcpScript.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.wire.TcpRepr;
import org.junit.jupiter.api.Test;

/**
 * Congestion window evolution and loss recovery, segment by segment: slow start, congestion avoidance, fast
 * recovery with NewReno partial ACKs (RFC 6582) and with SACK (RFC 6675 + RACK, RFC 8985), tail loss probes.
 */
class TcpRecoveryTest {
    static final int MSS = 1000;

    /** Our side connects with a 10 ms RTT; the peer offers MSS 1000, no timestamps, SACK as asked. */
    static TcpSocket connect(TcpScript t, boolean sack) {
        TcpSocket s = t.connect(80);
        TcpRepr syn = t.expect(at(0), seg().syn());
        t.iss = syn.seq();
        Seg synAck = seg().synAck().seq(PEER_ISN).ack(syn.seq() + 1).mss(MSS).win(65535);
        if (sack) {
            synAck.sackPerm();
        }
        t.send(at(10), synAck);
        t.expect(at(10), seg().ack());
        return s;
    }

    static int d(TcpScript t, int segment) {
        return t.iss + 1 + segment * MSS;
    }

    static void expectSegments(TcpScript t, long ms, int from, int to) {
        for (int i = from; i < to; i++) {
            t.expect(at(ms), seg().ack().seq(d(t, i)).len(MSS));
        }
    }

    @Test
    void slowStartGrowsByEachAcknowledgedSegment() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withCongestionControl("newreno"));
        TcpSocket s = connect(t, false);
        assertEquals(10 * MSS, s.info().cwnd(), "RFC 6928 IW10");
        TcpScript.write(s, 100 * MSS);
        expectSegments(t, 10, 0, 10);
        t.expectNothing(until(19));
        for (int i = 1; i <= 10; i++) {
            t.send(at(20), seg().ack(d(t, i)).seq(PEER_ISN + 1));
            assertEquals((10 + i) * MSS, s.info().cwnd(), "RFC 5681 §3.1: +1 SMSS per ACK of a segment");
            // Each ACK frees one segment and adds one: two go out.
            expectSegments(t, 20, 10 + 2 * (i - 1), 10 + 2 * i);
        }
        // A stretch ACK for four segments counts four (byte counting, as Linux).
        t.send(at(30), seg().ack(d(t, 14)).seq(PEER_ISN + 1));
        assertEquals(24 * MSS, s.info().cwnd());
    }

    @Test
    void newRenoRecoversThreeLossesWithPartialAcksOneRttEach() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withCongestionControl("newreno"));
        TcpSocket s = connect(t, false);
        TcpScript.write(s, 10 * MSS);
        expectSegments(t, 10, 0, 10);
        // Segments 1, 4 and 7 are lost; 2, 3, 5, 6, 8, 9, 10 arrive: duplicate ACKs for segment 1.
        t.runUntil(20 * TcpConfig.MS);
        for (int i = 0; i < 7; i++) {
            t.inject(seg().ack(d(t, 1)).seq(PEER_ISN + 1));
        }
        t.inject(seg().ack(d(t, 1)).seq(PEER_ISN + 1));
        t.flush();
        // The first ACK acknowledged segment 0; the third duplicate triggers fast retransmit (RFC 5681 §3.2).
        t.expect(at(20), seg().ack().seq(d(t, 1)).len(MSS));
        assertTrue(s.info().inRecovery());
        assertEquals(9 * MSS / 2, s.info().ssthresh(), "RFC 5681 eq. (4): FlightSize / 2 (nine segments out)");
        // RFC 6582: each partial ACK retransmits the next hole, one round trip each.
        t.send(at(30), seg().ack(d(t, 4)).seq(PEER_ISN + 1));
        t.expect(at(30), seg().ack().seq(d(t, 4)).len(MSS));
        t.send(at(40), seg().ack(d(t, 7)).seq(PEER_ISN + 1));
        t.expect(at(40), seg().ack().seq(d(t, 7)).len(MSS));
        assertTrue(s.info().inRecovery());
        t.send(at(50), seg().ack(d(t, 10)).seq(PEER_ISN + 1));
        assertFalse(s.info().inRecovery(), "the full ACK ends recovery");
        assertEquals(9 * MSS / 2, s.info().cwnd(), "cwnd = ssthresh after recovery");
        assertEquals(1, s.info().renoRecoveries());
        assertEquals(3, s.info().retransFast());
        assertEquals(0, s.info().retransRto());
        // Congestion avoidance: +1 SMSS per cwnd of acknowledged data (RFC 5681 §3.1, RFC 3465).
        TcpScript.write(s, 20 * MSS);
        t.runUntil(50 * TcpConfig.MS);
        t.discardOutput();
        for (int i = 11; i <= 15; i++) {
            t.send(at(60), seg().ack(d(t, i)).seq(PEER_ISN + 1));
        }
        assertEquals(9 * MSS / 2 + MSS, s.info().cwnd(), "one SMSS after a window's worth was acknowledged");
    }

    @Test
    void sackRecoversThreeLossesInOneRoundTrip() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = connect(t, true);
        TcpScript.write(s, 10 * MSS);
        expectSegments(t, 10, 0, 10);
        int a = d(t, 0);
        // Segment 0 arrives, then 2, 3, 5, 6, 8, 9 with SACK blocks; 1, 4 and 7 are lost.
        t.runUntil(20 * TcpConfig.MS);
        t.inject(seg().ack(d(t, 1)).seq(PEER_ISN + 1));
        t.inject(seg().ack(d(t, 1)).seq(PEER_ISN + 1).sack(d(t, 2), d(t, 3)));
        t.inject(seg().ack(d(t, 1)).seq(PEER_ISN + 1).sack(d(t, 2), d(t, 4)));
        t.inject(seg().ack(d(t, 1)).seq(PEER_ISN + 1).sack(d(t, 5), d(t, 6), d(t, 2), d(t, 4)));
        t.inject(seg().ack(d(t, 1)).seq(PEER_ISN + 1).sack(d(t, 5), d(t, 7), d(t, 2), d(t, 4)));
        t.inject(seg().ack(d(t, 1)).seq(PEER_ISN + 1).sack(d(t, 8), d(t, 9), d(t, 5), d(t, 7), d(t, 2), d(t, 4)));
        t.inject(seg().ack(d(t, 1)).seq(PEER_ISN + 1).sack(d(t, 8), d(t, 10), d(t, 5), d(t, 7), d(t, 2), d(t, 4)));
        t.flush();
        // RACK with three segments SACKed above the holes: all three are lost now, retransmitted at once.
        t.expect(at(20), seg().ack().seq(d(t, 1)).len(MSS));
        t.expect(at(20), seg().ack().seq(d(t, 4)).len(MSS));
        t.expect(at(20), seg().ack().seq(d(t, 7)).len(MSS));
        assertEquals(1, s.info().sackRecoveries());
        t.send(at(30), seg().ack(d(t, 10)).seq(PEER_ISN + 1));
        assertFalse(s.info().inRecovery(), "recovered in one round trip");
        assertEquals(0, s.info().retransRto());
        assertEquals(3, s.info().retransFast());
        assertEquals(a + 10 * MSS, d(t, 10));
    }

    @Test
    void sackRecoversOneLoss() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = connect(t, true);
        TcpScript.write(s, 10 * MSS);
        expectSegments(t, 10, 0, 10);
        t.runUntil(20 * TcpConfig.MS);
        for (int i = 2; i <= 9; i++) {
            t.inject(seg().ack(d(t, 0)).seq(PEER_ISN + 1).sack(d(t, 1), d(t, i)));
        }
        t.flush();
        t.expect(at(20), seg().ack().seq(d(t, 0)).len(MSS));
        long cwnd = s.info().cwnd();
        t.send(at(30), seg().ack(d(t, 10)).seq(PEER_ISN + 1));
        assertFalse(s.info().inRecovery());
        assertEquals(7 * MSS, s.info().ssthresh(), "CUBIC: beta 0.7 (RFC 9438 §4.6)");
        assertTrue(cwnd <= 10 * MSS);
    }

    @Test
    void tailLossIsRecoveredByAProbeNotByTheRto() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = connect(t, true);
        TcpScript.write(s, 10 * MSS);
        expectSegments(t, 10, 0, 10);
        // Segments 8 and 9 are lost: the peer acknowledges up to 8 and then nothing comes back.
        t.send(at(20), seg().ack(d(t, 8)).seq(PEER_ISN + 1));
        long srtt = s.info().srttNs();
        // RFC 8985 §7.2: PTO = 2 SRTT (two segments in flight, no delayed-ACK allowance) plus Linux's 2 ms
        // TCP_TIMEOUT_MIN: the last is probed.
        t.expectNothing(until(20 + 2 * srtt / TcpConfig.MS + 1));
        TcpRepr probe = t.expectWithin(20 + 2 * srtt / TcpConfig.MS + 2, 1, seg().ack().seq(d(t, 9)).len(MSS));
        assertEquals(d(t, 9), probe.seq());
        long probeAt = t.now / TcpConfig.MS;
        // (The SACK comes a little over min_RTT after the probe: RFC 8985 §6.2 step 2 ignores a retransmission
        // acknowledged faster than that, as it was probably the original that arrived.)
        t.send(at(probeAt + 11), seg().ack(d(t, 8)).seq(PEER_ISN + 1).sack(d(t, 9), d(t, 10)));
        // The SACK of the probe reveals segment 8 as lost: repaired at once, far before the 200 ms RTO.
        t.expectWithin(probeAt + 11, 2, seg().ack().seq(d(t, 8)).len(MSS));
        t.send(at(probeAt + 20), seg().ack(d(t, 10)).seq(PEER_ISN + 1));
        assertEquals(0, s.info().unackedBytes());
        assertEquals(0, s.info().retransRto());
        assertEquals(1, s.info().retransTlp());
        assertTrue(probeAt + 20 < 200);
    }

    @Test
    void aLostRetransmissionIsDetectedWhenDataSentAfterItIsSacked() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = connect(t, true);
        TcpScript.write(s, 20 * MSS);
        expectSegments(t, 10, 0, 10);
        // Segment 0 is lost; 1..9 arrive.
        t.runUntil(20 * TcpConfig.MS);
        for (int i = 2; i <= 10; i++) {
            t.inject(seg().ack(d(t, 0)).seq(PEER_ISN + 1).sack(d(t, 1), d(t, i)));
        }
        t.flush();
        // Fast recovery: the retransmission, then new data (PRR), sent after it.
        t.expect(at(20), seg().ack().seq(d(t, 0)).len(MSS));
        TcpRepr after = t.expect(at(20), seg().ack().seq(d(t, 10)).len(MSS));
        assertEquals(d(t, 10), after.seq());
        t.discardOutput();
        // The retransmission is lost too; segment 10, sent after it, is SACKed one round trip later: RFC 8985 §6.2,
        // the retransmission was sent before a delivered segment, so once RACK.rtt + reo_wnd have passed since it
        // went, it is lost — retransmitted again, with no timeout.
        t.send(at(30), seg().ack(d(t, 0)).seq(PEER_ISN + 1).sack(d(t, 1), d(t, 11)));
        t.expectWithin(30, 3, seg().ack().seq(d(t, 0)).len(MSS));
        assertEquals(2, s.info().retransFast());
        assertEquals(0, s.info().retransRto());
        assertEquals(0L, t.tcp.counters().get("tcp.rtoExpirations"));
    }

    @Test
    void withOneSegmentInFlightTheProbeGoesInPlaceOfTheRto() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = connect(t, true);
        long cwnd = s.info().cwnd();
        TcpScript.write(s, MSS);
        t.expect(at(10), seg().ack().seq(d(t, 0)).len(MSS));
        long rtoMs = s.info().rtoNs() / TcpConfig.MS;
        // RFC 8985 §7.2: PTO = 2 SRTT + WCDelAckT with one segment in flight, which is past the RTO: cut to the
        // RTO's expiry, where the probe goes instead of the RTO (as Linux's tcp_schedule_loss_probe).
        t.expectNothing(until(10 + rtoMs - 1));
        t.expect(at(10 + rtoMs), seg().ack().seq(d(t, 0)).len(MSS));
        assertEquals(1L, t.tcp.counters().get("tcp.tlpProbes"));
        assertEquals(0L, t.tcp.counters().get("tcp.rtoExpirations"));
        assertEquals(cwnd, s.info().cwnd(), "a probe is not a timeout: the window stands");
        // §7.3: the RTO is armed after the probe; if the probe is lost as well, the RTO follows.
        t.expectNothing(until(10 + 2 * rtoMs - 1));
        t.expect(at(10 + 2 * rtoMs), seg().ack().seq(d(t, 0)).len(MSS));
        assertEquals(1L, t.tcp.counters().get("tcp.rtoExpirations"));
    }

    /** Ten segments out, the first nine acknowledged: the last one alone is probed at the RTO's time. */
    static TcpSocket probeTheLastOfTen(TcpScript t) {
        TcpSocket s = connect(t, true);
        TcpScript.write(s, 10 * MSS);
        expectSegments(t, 10, 0, 10);
        t.send(at(20), seg().ack(d(t, 9)).seq(PEER_ISN + 1));
        long rtoMs = s.info().rtoNs() / TcpConfig.MS;
        t.expectWithin(20 + rtoMs, 1, seg().ack().seq(d(t, 9)).len(MSS));
        assertEquals(1L, t.tcp.counters().get("tcp.tlpProbes"));
        return s;
    }

    @Test
    void aProbeThatRepairedALossReducesTheWindowAsFastRecoveryWould() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = probeTheLastOfTen(t);
        long cwnd = s.info().cwnd();
        // The probe's ACK, without a D-SACK: the original was lost and the probe repaired it (RFC 8985 §7.4.2).
        t.send(at(t.now / TcpConfig.MS + 10), seg().ack(d(t, 10)).seq(PEER_ISN + 1));
        assertEquals(1L, t.tcp.counters().get("tcp.tlpRecoveries"));
        assertEquals((long) (cwnd * Cubic.BETA), s.info().ssthresh(), "CUBIC's reduction (RFC 9438 §4.6)");
        assertTrue(s.info().cwnd() < cwnd);
    }

    @Test
    void aDsackForAnotherSegmentSaysNothingAboutTheProbe() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = probeTheLastOfTen(t);
        long cwnd = s.info().cwnd();
        // The ACK reports segment 4 as a duplicate (an old spurious copy), not the probe: the probe still repaired
        // a loss.
        t.send(at(t.now / TcpConfig.MS + 10), seg().ack(d(t, 10)).seq(PEER_ISN + 1).sack(d(t, 4), d(t, 5)));
        assertEquals(1L, t.tcp.counters().get("tcp.tlpRecoveries"));
        assertTrue(s.info().cwnd() < cwnd);
    }

    @Test
    void aProbeReportedAsADuplicateReducesNothing() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = probeTheLastOfTen(t);
        long cwnd = s.info().cwnd();
        // The original arrived after all (its ACK was lost): the probe is reported by a D-SACK (RFC 2883), §7.4.1.
        t.send(at(t.now / TcpConfig.MS + 10), seg().ack(d(t, 10)).seq(PEER_ISN + 1).sack(d(t, 9), d(t, 10)));
        assertEquals(0L, t.tcp.counters().get("tcp.tlpRecoveries"));
        assertEquals(cwnd, s.info().cwnd());
        assertEquals(Long.MAX_VALUE, s.info().ssthresh());
    }

    @Test
    void aLossBeforeTheFinIsRepairedWhenTheLastSegmentsDataIsSacked() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = connect(t, true);
        TcpScript.write(s, 3 * MSS);
        assertEquals(0, s.shutdown(TcpSocket.SHUT_WR));
        expectSegments(t, 10, 0, 2);
        t.expect(at(10), seg().ack().fin().seq(d(t, 2)).len(MSS));
        // Segment 1 is lost. The peer reports the last segment's data but not its FIN (RFC 2018 blocks cover data;
        // Linux would include the FIN): that segment was delivered all the same.
        t.send(at(20), seg().ack(d(t, 1)).seq(PEER_ISN + 1).sack(d(t, 2), d(t, 3)));
        // RACK (RFC 8985 §6.2): segment 1 went before a delivered segment: lost after the reordering window, not
        // after a probe or the RTO.
        t.expectWithin(22, 3, seg().ack().seq(d(t, 1)).len(MSS));
        assertEquals(0L, t.tcp.counters().get("tcp.rtoExpirations"));
        assertEquals(0L, t.tcp.counters().get("tcp.tlpProbes"));
    }

    @Test
    void sackRecoversTwoLossesInOneRoundTrip() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = connect(t, true);
        TcpScript.write(s, 10 * MSS);
        expectSegments(t, 10, 0, 10);
        t.runUntil(20 * TcpConfig.MS);
        // Segments 2 and 6 are lost.
        t.inject(seg().ack(d(t, 1)).seq(PEER_ISN + 1));
        t.inject(seg().ack(d(t, 2)).seq(PEER_ISN + 1));
        for (int i = 3; i <= 6; i++) {
            t.inject(seg().ack(d(t, 2)).seq(PEER_ISN + 1).sack(d(t, 3), d(t, i)));
        }
        for (int i = 8; i <= 10; i++) {
            t.inject(seg().ack(d(t, 2)).seq(PEER_ISN + 1).sack(d(t, 7), d(t, i), d(t, 3), d(t, 6)));
        }
        t.flush();
        t.expect(at(20), seg().ack().seq(d(t, 2)).len(MSS));
        t.expect(at(20), seg().ack().seq(d(t, 6)).len(MSS));
        t.send(at(30), seg().ack(d(t, 10)).seq(PEER_ISN + 1));
        assertFalse(s.info().inRecovery());
        assertEquals(2, s.info().retransFast());
    }

    @Test
    void newRenoRecoversOneLoss() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withCongestionControl("newreno"));
        TcpSocket s = connect(t, false);
        TcpScript.write(s, 10 * MSS);
        expectSegments(t, 10, 0, 10);
        t.runUntil(20 * TcpConfig.MS);
        for (int i = 0; i < 9; i++) {
            t.inject(seg().ack(d(t, 0)).seq(PEER_ISN + 1));
        }
        t.flush();
        t.expect(at(20), seg().ack().seq(d(t, 0)).len(MSS));
        t.send(at(30), seg().ack(d(t, 10)).seq(PEER_ISN + 1));
        assertFalse(s.info().inRecovery());
        assertEquals(5 * MSS, s.info().cwnd(), "NewReno: half of the ten segments in flight");
    }

    @Test
    void renegedSackIsForgottenAtTheTimeout() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withRackTlp(false));
        TcpSocket s = connect(t, true);
        TcpScript.write(s, 3 * MSS);
        expectSegments(t, 10, 0, 3);
        // The peer SACKs segments 1 and 2, then acknowledges segment 0 only and forgets what it SACKed.
        t.send(at(20), seg().ack(d(t, 0)).seq(PEER_ISN + 1).sack(d(t, 1), d(t, 3)));
        t.send(at(21), seg().ack(d(t, 1)).seq(PEER_ISN + 1));
        // The timeout finds segment 1 marked SACKed at SND.UNA: reneging. Everything goes again.
        t.expectWithin(221, 2, seg().ack().seq(d(t, 1)).len(MSS));
        t.send(at(230), seg().ack(d(t, 2)).seq(PEER_ISN + 1));
        t.expectWithin(230, 2, seg().ack().seq(d(t, 2)).len(MSS));
        t.send(at(240), seg().ack(d(t, 3)).seq(PEER_ISN + 1));
        assertEquals(0, s.info().unackedBytes());
    }
}
