package io.virtaio.netstack.tcp;

import static io.virtaio.netstack.tcp.Seg.seg;
import static io.virtaio.netstack.tcp.TcpScript.PEER_ISN;
import static io.virtaio.netstack.tcp.TcpScript.at;
import static io.virtaio.netstack.tcp.TcpScript.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import org.junit.jupiter.api.Test;

/** RFC 6298 retransmission timing: initial RTO, samples, Karn, backoff, the cap, and the retransmission limit. */
class TcpRetransmitTest {
    @Test
    void rtoDoublesAfterEachLossUpToTheCap() {
        long ms = TcpConfig.MS;
        TcpScript t = new TcpScript(TcpConfig.defaults().withRto(1000 * ms, 200 * ms, 3000 * ms, 15));
        TcpSocket s = t.plainClient(0);
        // The handshake measured RTT 0: RTO = max(rtoMin, SRTT + max(G, 4 RTTVAR)) = 200 ms.
        TcpScript.write(s, 100);
        t.expect(at(0), seg().ack().seq(t.iss + 1).len(100));
        t.expect(at(200), seg().ack().seq(t.iss + 1).len(100));       // RFC 6298 §5.4
        t.expect(at(600), seg().ack().seq(t.iss + 1).len(100));       // §5.5: back off, 400 ms
        t.expect(at(1400), seg().ack().seq(t.iss + 1).len(100));      // 800 ms
        t.expect(at(3000), seg().ack().seq(t.iss + 1).len(100));      // 1600 ms
        t.expect(at(6000), seg().ack().seq(t.iss + 1).len(100));      // 3200 capped at 3000 (§5.5 / §2.5)
        t.expect(at(9000), seg().ack().seq(t.iss + 1).len(100));
        assertEquals(5, s.info().retransRto() - 1, "six RTO retransmissions counted");
        // Karn (RFC 6298 §3): the ACK of a retransmitted segment gives no sample, the backed-off RTO stays...
        t.send(at(9010), seg().ack(t.iss + 101).seq(PEER_ISN + 1));
        assertEquals(3000 * ms, s.info().rtoNs());
        // ...until a segment sent once is acknowledged: a fresh sample of 10 ms collapses the backoff.
        TcpScript.write(s, 100);
        t.expect(at(9010), seg().ack().seq(t.iss + 101));
        t.send(at(9020), seg().ack(t.iss + 201).seq(PEER_ISN + 1));
        assertEquals(200 * ms, s.info().rtoNs());
        assertEquals(1 + 10 * ms / 8, s.info().srttNs(), "SRTT moves 1/8 of the way from ~0 toward 10 ms");
    }

    @Test
    void retransmissionLimitEndsTheConnectionWithEtimedout() {
        long ms = TcpConfig.MS;
        TcpScript t = new TcpScript(TcpConfig.defaults().withRto(1000 * ms, 200 * ms, 60_000 * ms, 3));
        TcpSocket s = t.plainClient(0);
        TcpScript.write(s, 10);
        t.expect(at(0), seg().len(10).ack());
        t.expect(at(200), seg().len(10).ack());
        t.expect(at(600), seg().len(10).ack());
        t.expect(at(1400), seg().len(10).ack());
        // The fourth expiry exceeds the limit of 3 retransmissions.
        t.expectNothing(until(3001));
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(Errno.ETIMEDOUT, s.takeError());
    }

    @Test
    void rtoEstimateFollowsRfc6298() {
        long ms = TcpConfig.MS;
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.connect(80);
        var syn = t.expect(at(0), seg().syn());
        t.send(at(100), seg().synAck().seq(PEER_ISN).ack(syn.seq() + 1).mss(1460));
        // First sample R = 100 ms: SRTT = 100, RTTVAR = 50, RTO = 100 + 4*50 = 300 ms (RFC 6298 §2.2).
        assertEquals(100 * ms, s.info().srttNs());
        assertEquals(50 * ms, s.info().rttvarNs());
        assertEquals(300 * ms, s.info().rtoNs());
        t.expect(at(100), seg().ack().len(0));
        TcpScript.write(s, 10);
        t.expect(at(100), seg().len(10).ack());
        t.send(at(300), seg().ack(syn.seq() + 11).seq(PEER_ISN + 1));
        // R' = 200: RTTVAR = 3/4*50 + 1/4*|100-200| = 62.5; SRTT = 7/8*100 + 1/8*200 = 112.5 (§2.3).
        assertEquals(112_500_000, s.info().srttNs());
        assertEquals(62_500_000, s.info().rttvarNs());
        assertEquals(362_500_000, s.info().rtoNs());
        assertTrue(s.info().minRttNs() == 100 * ms);
    }
}
