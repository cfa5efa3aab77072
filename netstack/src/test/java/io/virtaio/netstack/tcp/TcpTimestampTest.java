package io.virtaio.netstack.tcp;

import static io.virtaio.netstack.tcp.Seg.seg;
import static io.virtaio.netstack.tcp.TcpScript.PEER_ISN;
import static io.virtaio.netstack.tcp.TcpScript.at;
import static io.virtaio.netstack.tcp.TcpScript.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.wire.TcpRepr;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** RFC 7323 timestamps (echo, RTT, PAWS) and sequence numbers across the 2^32 wrap. */
class TcpTimestampTest {
    @Test
    void timestampsAreEchoedAndTsvalFollowsTheMillisecondClock() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.client(0, seg().mss(1460).ts(5000, 0).win(65535));
        int base = t.synTsVal;
        t.runUntil(250 * TcpConfig.MS);
        TcpScript.write(s, 10);
        TcpRepr d = t.expect(at(250), seg().ack().len(10).tsEcr(5000));
        assertEquals(base + 250, d.tsVal(), "TSval = ms clock + offset (RFC 7323 §4, §5.4)");
        // RFC 7323 §4.3: TS.Recent is taken from the segment at Last.ACK.sent.
        t.send(at(260), seg().ack(t.iss + 11).seq(PEER_ISN + 1).ts(5100, d.tsVal()).len(5));
        t.expect(at(260), seg().ack().ack(PEER_ISN + 6).tsEcr(5100));
    }

    @Test
    void retransmittedSegmentsStillGiveRttSamplesThroughTheEcho() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.client(0, seg().mss(1460).ts(5000, 0).win(65535));
        TcpScript.write(s, 10);
        t.expect(at(0), seg().ack().len(10));
        TcpRepr rtx = t.expect(at(200), seg().ack().len(10));
        long srttBefore = s.info().srttNs();
        // Karn forbids timing the retransmitted segment by its send time; the echo of its TSval is unambiguous.
        t.send(at(230), seg().ack(t.iss + 11).seq(PEER_ISN + 1).ts(5001, rtx.tsVal()));
        long sample = 30 * TcpConfig.MS;
        assertEquals(srttBefore - srttBefore / 8 + sample / 8, s.info().srttNs());
    }

    @Test
    void pawsRejectsAnOldDuplicate() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.client(0, seg().mss(1460).ts(5000, 0).win(65535));
        t.send(at(10), seg().ack(t.iss + 1).seq(PEER_ISN + 1).ts(6000, 0).len(100));
        t.expect(at(10), seg().ack().ack(PEER_ISN + 101).tsEcr(6000));
        // An old segment (TSval behind TS.Recent) with a sequence number that looks new: RFC 7323 §5.3 R1.
        t.send(at(11), seg().ack(t.iss + 1).seq(PEER_ISN + 101).ts(5500, 0).len(100));
        t.expect(at(11), seg().ack().ack(PEER_ISN + 101).tsEcr(6000));
        assertEquals(100, s.readable(), "the old segment's data was not taken");
        assertEquals(1L, t.tcp.counters().get("tcp.dropPaws"));
        assertEquals(1L, s.info().dropsPaws());
        // A RST is exempt from PAWS.
        t.send(at(12), seg().rst().seq(PEER_ISN + 101).ts(1, 0));
        assertEquals(TcpState.CLOSED, s.state());
    }

    @Test
    void segmentWithoutTimestampsIsDroppedOnceNegotiated() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.client(0, seg().mss(1460).ts(5000, 0).win(65535));
        t.send(at(10), seg().ack(t.iss + 1).seq(PEER_ISN + 1).len(100));
        t.expectNothing(until(100));
        assertEquals(0, s.readable());
        assertEquals(1L, t.tcp.counters().get("tcp.dropNoTimestamp"));
    }

    @Test
    void sequenceNumbersWrapAround() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.connect(80);
        int iss = 0xFFFF_FF00;
        t.conn(s).snd.init(iss);                    // before the SYN goes out
        t.expect(at(0), seg().syn().seq(iss));
        int peer = 0xFFFF_FFA0;
        t.send(at(1), seg().synAck().seq(peer).ack(iss + 1).mss(1000).sackPerm().win(65535));
        t.expect(at(1), seg().ack().seq(iss + 1).ack(peer + 1));
        // Our data crosses 2^32.
        TcpScript.write(s, 3000);
        t.expect(at(1), seg().ack().seq(iss + 1).len(1000));
        t.expect(at(1), seg().ack().seq(iss + 1001).len(1000));
        t.expect(at(1), seg().ack().seq(iss + 2001).len(1000));
        t.send(at(2), seg().ack(iss + 1001).seq(peer + 1).sack(iss + 2001, iss + 3001));
        assertEquals(1000, s.info().sackedBytes(), "SACK block across the wrap");
        // RACK (RFC 8985): the hole is lost once min_RTT / 4 has passed without it.
        t.expectWithin(2, 1, seg().ack().seq(iss + 1001).len(1000));
        t.send(at(3), seg().ack(iss + 3001).seq(peer + 1));
        assertEquals(0, s.info().unackedBytes());
        // The peer's data crosses it too, out of order.
        t.send(at(4), seg().ack(iss + 3001).seq(peer + 1 + 500).len(500));
        t.expect(at(4), seg().ack().ack(peer + 1).sack(peer + 501, peer + 1001));
        t.send(at(5), seg().ack(iss + 3001).seq(peer + 1).len(500));
        t.expect(at(5), seg().ack().ack(peer + 1001));
        MemorySegment buf = MemorySegment.ofArray(new byte[1000]);
        assertEquals(1000, s.recv(buf, 0, 1000));
        for (int i = 0; i < 1000; i++) {
            assertEquals(TcpScript.pattern(peer + 1 + i), buf.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
        }
        assertTrue(Integer.compareUnsigned(peer + 1001, peer) < 0, "the peer's stream really wrapped");
    }
}
