package io.virtaio.netstack.tcp;

import static io.virtaio.netstack.tcp.Seg.seg;
import static io.virtaio.netstack.tcp.TcpScript.PEER_ISN;
import static io.virtaio.netstack.tcp.TcpScript.at;
import static io.virtaio.netstack.tcp.TcpScript.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Every close sequence of RFC 9293 §3.6 and TIME_WAIT. */
class TcpCloseTest {
    static final TcpConfig CFG = TcpConfig.defaults().withTimeWait(2000 * TcpConfig.MS);

    @Test
    void activeCloseGoesThroughFinWait1FinWait2AndTimeWait() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        int iss = t.iss;
        assertEquals(0, s.shutdown(TcpSocket.SHUT_WR));
        assertEquals(TcpState.FIN_WAIT_1, s.state());
        t.expect(at(0), seg().fin().ack().seq(iss + 1).ack(PEER_ISN + 1));
        t.send(at(5), seg().ack(iss + 2).seq(PEER_ISN + 1));
        assertEquals(TcpState.FIN_WAIT_2, s.state());
        t.send(at(6), seg().fin().ack(iss + 2).seq(PEER_ISN + 1));
        t.expect(at(6), seg().ack().seq(iss + 2).ack(PEER_ISN + 2));
        assertEquals(TcpState.TIME_WAIT, s.state());
        assertEquals(0, TcpScript.drain(s), "EOF");
        // A retransmitted FIN is acknowledged again and restarts 2 MSL (RFC 9293 §3.10.7.4 TIME-WAIT).
        t.send(at(1000), seg().fin().ack(iss + 2).seq(PEER_ISN + 1));
        t.expect(at(1000), seg().ack().ack(PEER_ISN + 2));
        t.expectNothing(until(2999));
        assertEquals(TcpState.TIME_WAIT, s.state());
        t.runUntil(3001 * TcpScript.MS);
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(0, s.close());
    }

    @Test
    void closedSocketLeavesOnlyATinyTimeWaitEntry() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        int iss = t.iss;
        assertEquals(0, s.close());
        t.expect(at(0), seg().fin().ack().seq(iss + 1));
        t.send(at(2), seg().ack(iss + 2).seq(PEER_ISN + 1));
        t.send(at(3), seg().fin().ack(iss + 2).seq(PEER_ISN + 1));
        t.expect(at(3), seg().ack().seq(iss + 2).ack(PEER_ISN + 2));
        assertEquals(1, t.tcp.timeWait.size());
        assertEquals(0, t.tcp.table.size(), "the full connection is gone");
        assertEquals(0, t.tcp.pool.inUseBytes(), "its buffers are back in the pool");
        // The tiny entry still answers a retransmitted FIN.
        t.send(at(500), seg().fin().ack(iss + 2).seq(PEER_ISN + 1));
        t.expect(at(500), seg().ack().seq(iss + 2).ack(PEER_ISN + 2));
        t.runUntil(2_501 * TcpScript.MS);
        assertEquals(0, t.tcp.timeWait.size(), "TIME_WAIT expired after 2 MSL from the last FIN");
        // And then the 4-tuple is unknown: a stray ACK gets a reset.
        t.send(at(2600), seg().ack(iss + 2).seq(PEER_ISN + 2));
        t.expect(at(2600), seg().rst().seq(iss + 2));
    }

    @Test
    void passiveCloseGoesThroughCloseWaitAndLastAck() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        int iss = t.iss;
        t.send(at(10), seg().fin().ack(iss + 1).seq(PEER_ISN + 1));
        t.expect(at(10), seg().ack().ack(PEER_ISN + 2));
        assertEquals(TcpState.CLOSE_WAIT, s.state());
        assertTrue((s.readiness() & Socket.POLLRDHUP) != 0);
        assertEquals(0, s.recv(MemorySegment.ofArray(new byte[10]), 0, 10), "end of stream");
        // Half-closed: we can still send (RFC 9293 §3.6).
        TcpScript.write(s, 100);
        t.expect(at(10), seg().ack().seq(iss + 1).len(100));
        assertEquals(0, s.close());
        t.expect(at(10), seg().fin().ack().seq(iss + 101).ack(PEER_ISN + 2));
        t.send(at(20), seg().ack(iss + 102).seq(PEER_ISN + 2));
        assertEquals(0, t.tcp.table.size());
        assertEquals(0, t.tcp.timeWait.size(), "the passive closer does not wait");
    }

    @Test
    void simultaneousCloseGoesThroughClosing() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        int iss = t.iss;
        s.shutdown(TcpSocket.SHUT_WR);
        t.expect(at(0), seg().fin().ack().seq(iss + 1).ack(PEER_ISN + 1));
        // The peer's FIN crosses ours (RFC 9293 §3.6 figure 13).
        t.send(at(2), seg().fin().ack(iss + 1).seq(PEER_ISN + 1));
        assertEquals(TcpState.CLOSING, s.state());
        t.expect(at(2), seg().ack().seq(iss + 2).ack(PEER_ISN + 2));
        t.send(at(3), seg().ack(iss + 2).seq(PEER_ISN + 2));
        assertEquals(TcpState.TIME_WAIT, s.state());
    }

    @Test
    void finAndAckOfOurFinInOneSegmentGoStraightToTimeWait() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        int iss = t.iss;
        s.shutdown(TcpSocket.SHUT_WR);
        t.expect(at(0), seg().fin().ack());
        t.send(at(2), seg().fin().ack(iss + 2).seq(PEER_ISN + 1));
        assertEquals(TcpState.TIME_WAIT, s.state());
        t.expect(at(2), seg().ack().ack(PEER_ISN + 2));
    }

    @Test
    void halfCloseKeepsReceiving() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        int iss = t.iss;
        s.shutdown(TcpSocket.SHUT_WR);
        assertEquals(-Errno.EPIPE, s.send(TcpScript.bytes(1), 0, 1));
        t.expect(at(0), seg().fin().ack());
        t.send(at(2), seg().ack(iss + 2).seq(PEER_ISN + 1));
        assertEquals(TcpState.FIN_WAIT_2, s.state());
        t.send(at(3), seg().ack(iss + 2).seq(PEER_ISN + 1).len(500));
        t.expect(at(3), seg().ack().ack(PEER_ISN + 501));
        assertEquals(500, TcpScript.drain(s));
        t.send(at(4), seg().fin().ack(iss + 2).seq(PEER_ISN + 501));
        t.expect(at(4), seg().ack().ack(PEER_ISN + 502));
        assertEquals(TcpState.TIME_WAIT, s.state());
        assertTrue((s.readiness() & Socket.POLLHUP) != 0, "both directions shut");
    }

    @Test
    void finQueuedBehindDataGoesOnTheLastSegment() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        TcpScript.write(s, 300);
        s.shutdown(TcpSocket.SHUT_WR);
        t.expect(at(0), seg().fin().ack().seq(t.iss + 1).len(300));
    }

    @Test
    void orphanInFinWait2GivesUpAfterTheFinTimeout() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        int iss = t.iss;
        s.close();
        t.expect(at(0), seg().fin().ack());
        t.send(at(2), seg().ack(iss + 2).seq(PEER_ISN + 1));
        assertEquals(1, t.tcp.table.size());
        t.runUntil((2 + 60_001) * TcpScript.MS);
        assertEquals(0, t.tcp.table.size(), "Linux tcp_fin_timeout: the orphan does not wait forever");
        assertNull(t.tcp.connection(TcpScript.LOCAL, s.localPort(), TcpScript.REMOTE, 80));
    }

    @Test
    void dataForAClosedSocketResetsTheConnection() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        int iss = t.iss;
        s.close();
        t.expect(at(0), seg().fin().ack());
        t.send(at(2), seg().ack(iss + 1).seq(PEER_ISN + 1).len(10));
        t.expect(at(2), seg().rst().ack().seq(iss + 2));
        assertEquals(0, t.tcp.table.size());
    }

    @Test
    void closeWithUnreadDataResets() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        t.send(at(1), seg().ack(t.iss + 1).seq(PEER_ISN + 1).len(10));
        t.expect(at(1), seg().ack().ack(PEER_ISN + 11));
        s.close();
        // RFC 2525 §2.17: unread data is lost, so the peer must learn of it: RST, not FIN.
        t.expect(at(1), seg().rst().ack().seq(t.iss + 1));
    }

    @Test
    void lingerZeroCloseResets() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        assertEquals(0, s.setOption(TcpSocket.SO_LINGER, 0));
        TcpScript.write(s, 100);
        s.close();
        t.expect(at(0), seg().rst().ack().seq(t.iss + 1));
        t.expectNothing(until(1000));
    }

    @Test
    void finBehindAHoleIsTakenWhenTheHoleFills() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.client(0, seg().mss(1000).win(65535).sackPerm());
        int p = PEER_ISN + 1;
        t.send(at(1), seg().fin().ack(t.iss + 1).seq(p + 500).len(500));
        // The SACK block covers the FIN held behind the hole too, as Linux reports it.
        t.expect(at(1), seg().ack().ack(p).sack(p + 500, p + 1001));
        assertEquals(TcpState.ESTABLISHED, s.state(), "the FIN is out of order: not yet");
        t.send(at(2), seg().ack(t.iss + 1).seq(p).len(500));
        assertEquals(TcpState.CLOSE_WAIT, s.state());
        t.expect(at(2), seg().ack().ack(p + 1001));
        assertEquals(1000, TcpScript.drain(s));
        assertEquals(0, s.recv(MemorySegment.ofArray(new byte[1]), 0, 1), "then end of stream");
    }
}
