package io.virtaio.netstack.tcp;

import static io.virtaio.netstack.tcp.Seg.seg;
import static io.virtaio.netstack.tcp.TcpScript.PEER_ISN;
import static io.virtaio.netstack.tcp.TcpScript.at;
import static io.virtaio.netstack.tcp.TcpScript.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.wire.TcpRepr;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** RST processing per state (RFC 9293 §3.10.7) and the blind-attack defences of RFC 5961. */
class TcpResetTest {
    static final TcpConfig CFG = TcpConfig.defaults().withTimeWait(2000 * TcpConfig.MS);

    @Test
    void resetAtRcvNxtInEstablishedEndsWithEconnreset() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        t.send(at(1), seg().rst().seq(PEER_ISN + 1));
        assertEquals(TcpState.CLOSED, s.state());
        MemorySegment buf = MemorySegment.ofArray(new byte[8]);
        assertEquals(-Errno.ECONNRESET, s.recv(buf, 0, 8), "the error is reported once");
        assertEquals(0, s.recv(buf, 0, 8), "then end of stream");
        assertEquals(-Errno.EPIPE, s.send(buf, 0, 8));
        t.expectNothing(until(1000));
    }

    @Test
    void resetInWindowButNotExactDrawsChallengeAck() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        // RFC 5961 §3.2: in the window but not RCV.NXT: challenge ACK, connection kept.
        t.send(at(1), seg().rst().seq(PEER_ISN + 100));
        t.expect(at(1), seg().ack().seq(t.iss + 1).ack(PEER_ISN + 1));
        assertEquals(TcpState.ESTABLISHED, s.state());
        // Out of the window: silently dropped.
        t.send(at(2), seg().rst().seq(PEER_ISN + 1 + 70_000));
        t.expectNothing(until(10));
        assertEquals(TcpState.ESTABLISHED, s.state());
        assertEquals(1L, t.tcp.counters().get("tcp.challengeAcks"));
    }

    @Test
    void synInEstablishedDrawsChallengeAck() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        // RFC 5961 §4.2: any SYN in a synchronized state, in window or not.
        t.send(at(1), seg().syn().seq(PEER_ISN + 10));
        t.expect(at(1), seg().ack().seq(t.iss + 1).ack(PEER_ISN + 1));
        t.send(at(2), seg().syn().seq(PEER_ISN - 5000));
        t.expect(at(2), seg().ack().ack(PEER_ISN + 1));
        assertEquals(TcpState.ESTABLISHED, s.state());
    }

    @Test
    void ackOutsideTheAcceptableRangeDrawsChallengeAck() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        TcpScript.write(s, 100);
        t.expect(at(0), seg().ack().len(100));
        // RFC 5961 §5.2: SEG.ACK beyond SND.NXT or before SND.UNA - MAX.SND.WND: ACK back, drop.
        t.send(at(1), seg().ack(t.iss + 1 + 5000).seq(PEER_ISN + 1).len(10));
        t.expect(at(1), seg().ack().ack(PEER_ISN + 1));
        t.send(at(2), seg().ack(t.iss + 1 - 200_000).seq(PEER_ISN + 1).len(10));
        t.expect(at(2), seg().ack().ack(PEER_ISN + 1));
        assertEquals(0, s.readable(), "the data of an unacceptable ACK is dropped too");
        // An old but acceptable ACK (within MAX.SND.WND) carries its data in.
        t.send(at(3), seg().ack(t.iss + 1 - 100).seq(PEER_ISN + 1).len(10));
        t.expect(at(3), seg().ack().ack(PEER_ISN + 11));
        assertEquals(10, s.readable());
    }

    @Test
    void challengeAcksAreRateLimitedPerStack() {
        TcpScript t = new TcpScript(CFG.withChallengeAckLimit(3));
        t.plainClient(0);
        for (int i = 0; i < 10; i++) {
            t.inject(seg().rst().seq(PEER_ISN + 50 + i));
        }
        t.flush();
        t.expect(at(0), seg().ack().ack(PEER_ISN + 1));
        t.expectNothing(until(999));
        assertEquals(3L, t.tcp.counters().get("tcp.challengeAcks"));
        assertEquals(7L, t.tcp.counters().get("tcp.challengeAcksLimited"));
        // A new second, a new allowance.
        t.send(at(1000), seg().rst().seq(PEER_ISN + 60));
        t.expect(at(1000), seg().ack().ack(PEER_ISN + 1));
    }

    @Test
    void resetInSynReceivedOfPassiveOpenForgetsTheHalfOpenConnection() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket l = t.listen(80);
        t.send(at(0), seg().syn().seq(1000));
        TcpRepr synAck = t.expect(at(0), seg().synAck());
        assertEquals(1, t.tcp.synQueue.size());
        t.send(at(1), seg().rst().seq(1005));
        assertEquals(1, t.tcp.synQueue.size(), "RFC 5961: not the exact sequence number");
        t.send(at(2), seg().rst().seq(1001));
        assertEquals(0, t.tcp.synQueue.size(), "back to LISTEN");
        t.send(at(3), seg().ack(synAck.seq() + 1).seq(1001));
        t.expect(at(3), seg().rst().seq(synAck.seq() + 1));
        assertNull(l.accept());
    }

    @Test
    void resetInFinWait1AndCloseWaitEndsWithEconnreset() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        s.shutdown(TcpSocket.SHUT_WR);
        t.expect(at(0), seg().fin().ack());
        t.send(at(1), seg().rst().seq(PEER_ISN + 1));
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(Errno.ECONNRESET, s.takeError());

        TcpScript u = new TcpScript(CFG);
        TcpSocket v = u.plainClient(0);
        u.send(at(1), seg().fin().ack(u.iss + 1).seq(PEER_ISN + 1));
        assertEquals(TcpState.CLOSE_WAIT, v.state());
        u.send(at(2), seg().rst().seq(PEER_ISN + 2));
        assertEquals(TcpState.CLOSED, v.state());
        assertEquals(Errno.ECONNRESET, v.takeError());
    }

    @Test
    void resetInLastAckAndTimeWaitClosesQuietly() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        t.send(at(1), seg().fin().ack(t.iss + 1).seq(PEER_ISN + 1));
        s.shutdown(TcpSocket.SHUT_WR);
        assertEquals(TcpState.LAST_ACK, s.state());
        t.send(at(2), seg().rst().seq(PEER_ISN + 2));
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(0, s.takeError(), "no error: the close was under way");

        TcpScript u = new TcpScript(CFG);
        TcpSocket v = u.plainClient(0);
        v.close();
        u.expect(at(0), seg().fin().ack());
        u.send(at(1), seg().fin().ack(u.iss + 2).seq(PEER_ISN + 1));
        assertEquals(1, u.tcp.timeWait.size());
        u.send(at(2), seg().rst().seq(PEER_ISN + 9));
        assertEquals(1, u.tcp.timeWait.size(), "RFC 5961: only the exact sequence number");
        u.send(at(3), seg().rst().seq(PEER_ISN + 2));
        assertEquals(0, u.tcp.timeWait.size());
    }

    @Test
    void newSynWithHigherSequenceReopensTimeWait() {
        TcpScript t = new TcpScript(CFG);
        t.listen(80);
        t.send(at(0), seg().syn().seq(1000));
        TcpRepr synAck = t.expect(at(0), seg().synAck());
        t.send(at(0), seg().ack(synAck.seq() + 1).seq(1001));
        TcpSocket s = t.tcp.connection(TcpScript.LOCAL, 80, TcpScript.REMOTE, 40000).socket;
        s.close();
        t.expect(at(0), seg().fin().ack());
        t.send(at(1), seg().fin().ack(synAck.seq() + 2).seq(1001));
        t.expect(at(1), seg().ack());
        assertEquals(1, t.tcp.timeWait.size());
        // RFC 6191 / RFC 1122 4.2.2.13: a SYN above the old RCV.NXT may start a new incarnation at once.
        t.send(at(5), seg().syn().seq(900_000));
        t.expect(at(5), seg().synAck().ack(900_001));
        assertEquals(0, t.tcp.timeWait.size());
    }

    @Test
    void oldSynInTimeWaitOnlyGetsAnAck() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket s = t.plainClient(0);
        s.close();
        t.expect(at(0), seg().fin().ack());
        t.send(at(1), seg().fin().ack(t.iss + 2).seq(PEER_ISN + 1));
        t.expect(at(1), seg().ack());
        t.send(at(2), seg().syn().seq(PEER_ISN - 10));
        t.expect(at(2), seg().ack().seq(t.iss + 2).ack(PEER_ISN + 2));
        assertEquals(1, t.tcp.timeWait.size());
    }
}
