package io.virtaio.netstack.tcp;

import static io.virtaio.netstack.tcp.Seg.seg;
import static io.virtaio.netstack.tcp.TcpScript.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import io.virtaio.netstack.wire.TcpRepr;
import org.junit.jupiter.api.Test;

class TcpHandshakeTest {
    @Test
    void activeOpenSendsSynWithOptionsAndCompletesOnSynAck() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.connect(80);
        assertEquals(TcpState.SYN_SENT, s.state());
        // RFC 7323 §2.2: the SYN window is unscaled; we offer WS 7, for the 4 MiB the 256 KiB buffer may grow to by
        // autotuning (as Linux sizes it for tcp_rmem[2]); MSS = 1500 - 40.
        TcpRepr syn = t.expect(at(0), seg().syn().mss(1460).ws(7).sackPerm().win(65535).len(0));
        assertTrue(syn.hasTimestamps());
        t.send(at(10), seg().synAck().seq(5000).ack(syn.seq() + 1).mss(1400).ws(7).sackPerm().ts(777, syn.tsVal()));
        t.expect(at(10), seg().ack().seq(syn.seq() + 1).ack(5001).tsEcr(777).win(262144 >> 7));
        assertEquals(TcpState.ESTABLISHED, s.state());
        assertTrue((s.readiness() & Socket.POLLOUT) != 0);
        TcpInfo info = s.info();
        assertEquals(1400 - 12, info.mss(), "SMSS = peer MSS less the timestamp option (RFC 9293 §3.7.1)");
        assertEquals(7, info.sendWindowScale());
        assertEquals(10_000_000, info.srttNs(), "RTT from the SYN's send time");
    }

    @Test
    void passiveOpenAnswersSynAndAcceptsAfterFinalAck() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket l = t.listen(80);
        t.send(at(0), seg().syn().seq(1000).mss(1460).ws(2).sackPerm().ts(50, 0).win(64240));
        TcpRepr synAck = t.expect(at(0), seg().synAck().ack(1001).mss(1460).ws(7).sackPerm().tsEcr(50));
        assertNull(l.accept(), "not accepted before the final ACK");
        assertEquals(0, l.readiness() & Socket.POLLIN);
        t.send(at(5), seg().ack(synAck.seq() + 1).seq(1001).ts(51, synAck.tsVal()).win(1000));
        assertTrue((l.readiness() & Socket.POLLIN) != 0);
        TcpSocket s = l.accept();
        assertEquals(TcpState.ESTABLISHED, s.state());
        assertEquals(TcpScript.REMOTE, s.remoteAddress());
        assertEquals(40000, s.remotePort());
        assertEquals(1000L << 2, s.info().sendWindow(), "window of the final ACK scaled by the peer's shift");
        t.expectNothing(at(100));
    }

    @Test
    void passiveOpenWithoutOptionsFallsBackToDefaults() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket l = t.listen(80);
        t.send(at(0), seg().syn().seq(1000));
        TcpRepr synAck = t.expect(at(0), seg().synAck().ack(1001).noSackPerm().noTs());
        assertEquals(-1, synAck.windowScale(), "no WS in the SYN-ACK if the SYN had none (RFC 7323 §2.2)");
        t.send(at(1), seg().ack(synAck.seq() + 1).seq(1001));
        TcpInfo info = l.accept().info();
        assertEquals(536, info.peerMss(), "RFC 9293 §3.7.1: 536 without the option");
        assertEquals(536, info.mss());
        assertEquals(0, info.sendWindowScale());
        assertEquals(0, info.receiveWindowScale());
    }

    @Test
    void simultaneousOpenGoesThroughSynReceived() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.connect(9000);
        TcpRepr syn = t.expect(at(0), seg().syn());
        // RFC 9293 §3.5 figure 7: the peer's SYN crosses ours.
        t.send(at(5), seg().syn().seq(300).mss(1460).ws(1).sackPerm().ts(9, 0));
        assertEquals(TcpState.SYN_RECEIVED, s.state());
        t.expect(at(5), seg().synAck().seq(syn.seq()).ack(301));
        t.send(at(6), seg().synAck().seq(300).ack(syn.seq() + 1).ts(10, syn.tsVal()));
        assertEquals(TcpState.ESTABLISHED, s.state());
    }

    @Test
    void connectToClosedPortIsRefused() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.connect(81);
        TcpRepr syn = t.expect(at(0), seg().syn());
        t.send(at(3), seg().rst().ack(syn.seq() + 1).seq(0));
        assertEquals(TcpState.CLOSED, s.state());
        assertTrue((s.readiness() & Socket.POLLERR) != 0);
        assertEquals(Errno.ECONNREFUSED, s.takeError());
        assertEquals(0, s.takeError());
    }

    @Test
    void synSentIgnoresResetWithUnacceptableAck() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.connect(81);
        TcpRepr syn = t.expect(at(0), seg().syn());
        t.send(at(3), seg().rst().ack(syn.seq() + 7).seq(0));
        assertEquals(TcpState.SYN_SENT, s.state(), "RFC 9293 §3.10.7.3: a RST must acknowledge our SYN");
        // An ACK of something never sent draws <SEQ=SEG.ACK><CTL=RST>.
        t.send(at(4), seg().synAck().seq(1).ack(syn.seq() + 5));
        t.expect(at(4), seg().flagsExactly(io.virtaio.netstack.wire.TcpFlags.RST).seq(syn.seq() + 5));
        assertEquals(TcpState.SYN_SENT, s.state());
    }

    @Test
    void synRetransmitsWithBackoffThenTimesOut() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withSynRetries(3));
        TcpSocket s = t.connect(80);
        TcpRepr syn = t.expect(at(0), seg().syn());
        // RFC 6298 §2.1 / §5.5: 1 s initial RTO, doubled per expiry.
        t.expect(at(1000), seg().syn().seq(syn.seq()));
        t.expect(at(3000), seg().syn().seq(syn.seq()));
        t.expect(at(7000), seg().syn().seq(syn.seq()));
        t.expectNothing(at(14_999));
        t.runUntil(15_001 * TcpScript.MS);
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(Errno.ETIMEDOUT, s.takeError());
    }

    @Test
    void unknownPortGetsReset() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        t.send(at(0), seg().syn().seq(77).ports(5555, 81));
        // RFC 9293 §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
        t.expect(at(0), seg().rst().ack(78).seq(0));
        t.send(at(1), seg().ack(1234).seq(9).ports(5555, 81));
        t.expect(at(1), seg().flagsExactly(io.virtaio.netstack.wire.TcpFlags.RST).seq(1234));
        t.send(at(2), seg().rst().seq(9).ports(5555, 81));
        t.expectNothing(at(10));
        assertNotEquals(0L, t.tcp.counters().get("tcp.dropNoSocket"));
    }
}
