package io.virtaio.netstack.tcp;

import static io.virtaio.netstack.tcp.Seg.seg;
import static io.virtaio.netstack.tcp.TcpScript.PEER_ISN;
import static io.virtaio.netstack.tcp.TcpScript.at;
import static io.virtaio.netstack.tcp.TcpScript.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** When we acknowledge (delayed ACKs, RFC 1122 4.2.3.2, RFC 5681 §4.2) and when we hold data (Nagle). */
class TcpAckTest {
    /** A plain connection past the quick-ACK phase: the peer sent 16 segments of 1000 bytes, each ACKed at once. */
    static TcpScript pastQuickAcks(TcpConfig cfg, int[] nextSeq) {
        return pastQuickAcks(cfg, nextSeq, new TcpSocket[1]);
    }

    /** As above; the socket in {@code socketOut[0]}. */
    static TcpScript pastQuickAcks(TcpConfig cfg, int[] nextSeq, TcpSocket[] socketOut) {
        TcpScript t = new TcpScript(cfg);
        TcpSocket s = t.client(0, seg().mss(1000).win(65535).sackPerm());
        socketOut[0] = s;
        int p = PEER_ISN + 1;
        for (int i = 0; i < Receiver.QUICK_ACKS; i++) {
            t.send(at(1), seg().ack(t.iss + 1).seq(p).len(1000));
            p += 1000;
            t.expect(at(1), seg().ack().ack(p));
        }
        TcpScript.drain(s);
        t.discardOutput();
        nextSeq[0] = p;
        return t;
    }

    @Test
    void singleSegmentIsAcknowledgedAfterTheDelayedAckTimer() {
        int[] p = new int[1];
        TcpScript t = pastQuickAcks(TcpConfig.defaults(), p);
        t.send(at(100), seg().ack(t.iss + 1).seq(p[0]).len(1000));
        t.expectNothing(until(139));
        t.expect(at(140), seg().ack().ack(p[0] + 1000));      // 40 ms (RFC 1122 4.2.3.2: under 0.5 s)
    }

    @Test
    void aPushedSegmentTheApplicationReadsIsAcknowledgedAtOnce() {
        int[] p = new int[1];
        TcpSocket[] s = new TcpSocket[1];
        TcpScript t = pastQuickAcks(TcpConfig.defaults(), p, s);
        t.send(at(100), seg().ack(t.iss + 1).seq(p[0]).len(1000).psh());
        t.expectNothing(until(100));
        // Linux tcp_cleanup_rbuf: the read empties the buffer after the end of the peer's write: ACK now, the
        // sender may be waiting for it.
        assertEquals(1000, TcpScript.drain(s[0]));
        t.expect(at(100), seg().ack().ack(p[0] + 1000));
        // Without PSH (a full-sized segment in the middle of a stream), the read does not hurry the ACK.
        t.send(at(200), seg().ack(t.iss + 1).seq(p[0] + 1000).len(1000));
        assertEquals(1000, TcpScript.drain(s[0]));
        t.expectNothing(until(239));
        t.expect(at(240), seg().ack().ack(p[0] + 2000));
    }

    /**
     * Request-response traffic (Linux's ping-pong mode): once we have replied within the delayed-ACK time of a
     * request, the next request read whole is not acknowledged on its own — the reply carries the ACK, one frame
     * fewer per round trip.
     */
    @Test
    void inRequestResponseTrafficTheReplyCarriesTheAck() {
        int[] p = new int[1];
        TcpSocket[] s = new TcpSocket[1];
        TcpScript t = interactive(p, s);
        t.send(at(200), seg().ack(t.iss + 101).seq(p[0]).len(100).psh());
        assertEquals(100, TcpScript.drain(s[0]));
        t.expectNothing(until(210));
        TcpScript.write(s[0], 100);
        t.expect(at(210), seg().ack().ack(p[0] + 100).seq(t.iss + 101).len(100));
        t.expectNothing(until(300));
    }

    /** The delayed-ACK timer bounds the wait for a reply that does not come, and ends request-response mode. */
    @Test
    void aReplyThatDoesNotComeIsCoveredByTheDelayedAckTimer() {
        int[] p = new int[1];
        TcpSocket[] s = new TcpSocket[1];
        TcpScript t = interactive(p, s);
        t.send(at(200), seg().ack(t.iss + 101).seq(p[0]).len(100).psh());
        assertEquals(100, TcpScript.drain(s[0]));
        t.expectNothing(until(239));
        t.expect(at(240), seg().ack().ack(p[0] + 100));
        // Out of request-response mode: a pushed segment read whole is acknowledged at once again.
        t.send(at(300), seg().ack(t.iss + 101).seq(p[0] + 100).len(100).psh());
        assertEquals(100, TcpScript.drain(s[0]));
        t.expect(at(300), seg().ack().ack(p[0] + 200));
    }

    /**
     * Past the quick ACKs, a request of 100 bytes at 100 ms, read (and so acknowledged at once), and our reply of
     * 100 bytes at 101 ms, within the delayed-ACK time: request-response mode. {@code p[0]} is the peer's next
     * sequence number; the peer has not acknowledged the reply yet.
     */
    private static TcpScript interactive(int[] p, TcpSocket[] s) {
        TcpScript t = pastQuickAcks(TcpConfig.defaults(), p, s);
        t.send(at(100), seg().ack(t.iss + 1).seq(p[0]).len(100).psh());
        assertEquals(100, TcpScript.drain(s[0]));
        t.expect(at(100), seg().ack().ack(p[0] + 100));
        t.runUntil(101 * TcpConfig.MS);
        TcpScript.write(s[0], 100);
        t.expect(at(101), seg().ack().ack(p[0] + 100).seq(t.iss + 1).len(100));
        p[0] += 100;
        return t;
    }

    @Test
    void afterOutOfOrderDataTheNextSegmentsAreAcknowledgedAtOnce() {
        int[] p = new int[1];
        TcpScript t = pastQuickAcks(TcpConfig.defaults(), p);
        int hole = p[0];
        t.send(at(100), seg().ack(t.iss + 1).seq(hole + 1000).len(1000));
        t.expect(at(100), seg().ack().ack(hole).sack(hole + 1000, hole + 2000));
        t.send(at(101), seg().ack(t.iss + 1).seq(hole).len(1000));
        t.expect(at(101), seg().ack().ack(hole + 2000));
        // The sender is recovering, clocked by our ACKs: a lone in-order segment is not held for 40 ms.
        t.send(at(102), seg().ack(t.iss + 1).seq(hole + 2000).len(1000));
        t.expect(at(102), seg().ack().ack(hole + 3000));
    }

    @Test
    void dataAfterASilenceLongerThanTheRtoIsAcknowledgedAtOnce() {
        int[] p = new int[1];
        TcpScript t = pastQuickAcks(TcpConfig.defaults(), p);
        // 200 ms is the RTO here (RFC 6298 minimum): a segment 1 s later comes from a sender restarting.
        t.send(at(1000), seg().ack(t.iss + 1).seq(p[0]).len(1000));
        t.expect(at(1000), seg().ack().ack(p[0] + 1000));
    }

    @Test
    void everySecondFullSegmentIsAcknowledgedAtOnce() {
        int[] p = new int[1];
        TcpScript t = pastQuickAcks(TcpConfig.defaults(), p);
        t.send(at(100), seg().ack(t.iss + 1).seq(p[0]).len(1000));
        t.send(at(101), seg().ack(t.iss + 1).seq(p[0] + 1000).len(1000));
        t.expect(at(101), seg().ack().ack(p[0] + 2000));
        t.expectNothing(until(200));
    }

    @Test
    void aBatchOfSegmentsGetsOneAck() {
        int[] p = new int[1];
        TcpScript t = pastQuickAcks(TcpConfig.defaults(), p);
        t.runUntil(100 * TcpConfig.MS);
        for (int i = 0; i < 6; i++) {
            t.inject(seg().ack(t.iss + 1).seq(p[0] + 1000 * i).len(1000));
        }
        t.flush();
        // As Linux with GRO: one ACK at the end of the input batch covers all six.
        t.expect(at(100), seg().ack().ack(p[0] + 6000));
        t.expectNothing(until(200));
    }

    @Test
    void outOfOrderDataIsAcknowledgedAtOnceWithSack() {
        int[] p = new int[1];
        TcpScript t = pastQuickAcks(TcpConfig.defaults(), p);
        int hole = p[0];
        t.send(at(100), seg().ack(t.iss + 1).seq(hole + 1000).len(1000));
        // RFC 5681 §4.2: immediately; RFC 2018: the block of the segment that arrived.
        t.expect(at(100), seg().ack().ack(hole).sack(hole + 1000, hole + 2000));
        t.send(at(101), seg().ack(t.iss + 1).seq(hole + 3000).len(1000));
        // RFC 2018 §4: the most recent block first.
        t.expect(at(101), seg().ack().ack(hole).sack(hole + 3000, hole + 4000, hole + 1000, hole + 2000));
        // Filling the first hole: ACK at once, remaining block reported.
        t.send(at(102), seg().ack(t.iss + 1).seq(hole).len(1000));
        t.expect(at(102), seg().ack().ack(hole + 2000).sack(hole + 3000, hole + 4000));
        t.send(at(103), seg().ack(t.iss + 1).seq(hole + 2000).len(1000));
        t.expect(at(103), seg().ack().ack(hole + 4000).noSack());
    }

    @Test
    void duplicateSegmentIsReportedWithDsack() {
        int[] p = new int[1];
        TcpScript t = pastQuickAcks(TcpConfig.defaults(), p);
        t.send(at(100), seg().ack(t.iss + 1).seq(p[0] - 1000).len(1000));
        // RFC 2883: the first block reports the duplicate below the cumulative ACK.
        t.expect(at(100), seg().ack().ack(p[0]).sack(p[0] - 1000, p[0]));
    }

    @Test
    void nagleHoldsASmallSegmentUntilTheAck() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.plainClient(0);
        TcpScript.write(s, 100);
        t.expect(at(0), seg().ack().seq(t.iss + 1).len(100));
        TcpScript.write(s, 50);
        TcpScript.write(s, 50);
        // RFC 1122 4.2.3.4 / RFC 896: small data waits while data is unacknowledged.
        t.expectNothing(until(30));
        t.send(at(30), seg().ack(t.iss + 101).seq(PEER_ISN + 1));
        t.expect(at(30), seg().ack().seq(t.iss + 101).len(100));
    }

    @Test
    void noDelaySendsSmallSegmentsAtOnce() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.plainClient(0);
        assertEquals(0, s.setOption(TcpSocket.TCP_NODELAY, 1));
        TcpScript.write(s, 100);
        t.expect(at(0), seg().ack().seq(t.iss + 1).len(100));
        t.runUntil(5 * TcpConfig.MS);
        TcpScript.write(s, 50);
        t.expect(at(5), seg().ack().seq(t.iss + 101).len(50));
    }

    @Test
    void fullSegmentsAreNotHeldByNagle() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.client(0, seg().mss(1000).win(65535));
        TcpScript.write(s, 2500);
        t.expect(at(0), seg().ack().len(1000));
        t.expect(at(0), seg().ack().len(1000));
        t.expect(at(0), seg().ack().len(500));   // all queued data fits: sent (rule 2 with nothing to wait for)
    }
}
