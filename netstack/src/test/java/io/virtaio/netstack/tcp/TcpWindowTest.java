package io.virtaio.netstack.tcp;

import static io.virtaio.netstack.tcp.Seg.seg;
import static io.virtaio.netstack.tcp.TcpScript.PEER_ISN;
import static io.virtaio.netstack.tcp.TcpScript.at;
import static io.virtaio.netstack.tcp.TcpScript.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Flow control: zero windows and persist probing, shrinking windows, SWS avoidance, window scaling. */
class TcpWindowTest {
    @Test
    void zeroWindowIsProbedWithBackoffAndALostUpdateIsRecovered() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.client(0, seg().mss(1000).win(2000));
        int d = t.iss + 1;
        TcpScript.write(s, 5000);
        t.expect(at(0), seg().ack().seq(d).len(1000));
        t.expect(at(0), seg().ack().seq(d + 1000).len(1000));
        t.send(at(10), seg().ack(d + 2000).seq(PEER_ISN + 1).win(0));
        // RFC 9293 §3.8.6.1: probe after an RTO, backing off; the probe is an ACK one below SND.UNA (as Linux).
        t.expectNothing(until(209));
        t.expect(at(210), seg().ack().seq(d + 1999).len(0));
        t.send(at(211), seg().ack(d + 2000).seq(PEER_ISN + 1).win(0));
        t.expect(at(610), seg().ack().seq(d + 1999).len(0));
        t.send(at(611), seg().ack(d + 2000).seq(PEER_ISN + 1).win(0));
        // The peer opens its window at 700 but that update is lost: the next probe finds it.
        t.expect(at(1410), seg().ack().seq(d + 1999).len(0));
        t.send(at(1411), seg().ack(d + 2000).seq(PEER_ISN + 1).win(3000));
        t.expect(at(1411), seg().ack().seq(d + 2000).len(1000));
        t.expect(at(1411), seg().ack().seq(d + 3000).len(1000));
        t.expect(at(1411), seg().ack().seq(d + 4000).len(1000));
        assertEquals(TcpState.ESTABLISHED, s.state());
        assertTrue(t.tcp.counters().get("tcp.persistProbes") >= 3);
    }

    @Test
    void zeroWindowLastsAsLongAsThePeerAnswers() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withRto(1000 * TcpConfig.MS, 200 * TcpConfig.MS,
                2000 * TcpConfig.MS, 3));
        TcpSocket s = t.client(0, seg().mss(1000).win(1000));
        TcpScript.write(s, 2000);
        t.expect(at(0), seg().len(1000).ack());
        t.send(at(1), seg().ack(t.iss + 1001).seq(PEER_ISN + 1).win(0));
        // RFC 1122 4.2.2.17: as long as probes are answered, the connection stays (well past the limit of 3).
        for (int i = 0; i < 20; i++) {
            var probe = t.expectWithin(t.now / TcpConfig.MS + 1000, 1500, seg().ack().len(0));
            t.send(probe == null ? 0 : t.now / TcpConfig.MS + 1, seg().ack(t.iss + 1001).seq(PEER_ISN + 1).win(0));
        }
        assertEquals(TcpState.ESTABLISHED, s.state());
    }

    @Test
    void shrunkWindowIsProbedByRetransmissionAndRecovers() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.client(0, seg().mss(1000).win(4000));
        int d = t.iss + 1;
        TcpScript.write(s, 4000);
        for (int i = 0; i < 4; i++) {
            t.expect(at(0), seg().ack().seq(d + 1000 * i).len(1000));
        }
        // The peer takes back its window (right edge moves left, RFC 9293 §3.8.6.2.2 discourages but allows it).
        t.send(at(10), seg().ack(d + 1000).seq(PEER_ISN + 1).win(0));
        t.expect(at(210), seg().ack().seq(d + 1000).len(1000));
        t.send(at(211), seg().ack(d + 1000).seq(PEER_ISN + 1).win(0));
        t.expect(at(610), seg().ack().seq(d + 1000).len(1000));
        // Reopened: the rest goes (slow start from one segment after the timeout).
        t.send(at(611), seg().ack(d + 2000).seq(PEER_ISN + 1).win(8000));
        t.expect(at(611), seg().ack().seq(d + 2000).len(1000));
        t.expect(at(611), seg().ack().seq(d + 3000).len(1000));
        t.send(at(612), seg().ack(d + 4000).seq(PEER_ISN + 1).win(8000));
        assertEquals(0, s.info().unackedBytes());
        assertEquals(TcpState.ESTABLISHED, s.state());
    }

    @Test
    void senderAvoidsSillyWindowsUntilTheOverrideTimer() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.client(0, seg().mss(1000).win(4000));
        t.send(at(5), seg().ack(t.iss + 1).seq(PEER_ISN + 1).win(100));
        TcpScript.write(s, 1000);
        // RFC 9293 §3.8.6.2.1: 100 bytes is neither a full segment nor half the peer's largest window (4000).
        t.expectNothing(until(204));
        t.expect(at(205), seg().ack().seq(t.iss + 1).len(100));     // rule (4), the override timeout
    }

    @Test
    void receiverAvoidsSillyWindows() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withBuffers(4096, 4096));
        TcpSocket s = t.client(0, seg().mss(1000).win(65535));
        int p = PEER_ISN + 1;
        for (int i = 0; i < 4; i++) {
            t.inject(seg().ack(t.iss + 1).seq(p + 1024 * i).len(1024));
        }
        t.flush();
        t.expect(at(0), seg().ack().ack(p + 4096).win(0));
        MemorySegment buf = MemorySegment.ofArray(new byte[4096]);
        assertEquals(500, s.recv(buf, 0, 500));
        // RFC 9293 §3.8.6.2.2: 500 bytes free is less than min(RCV.BUFF / 2, MSS): no update.
        t.expectNothing(until(10));
        assertEquals(600, s.recv(buf, 0, 600));
        t.expect(at(10), seg().ack().ack(p + 4096).win(1100));
        // A segment into the 1100 free bytes is accepted.
        t.send(at(11), seg().ack(t.iss + 1).seq(p + 4096).len(1000));
        assertEquals(4096 - 1100 + 1000, s.readable());
    }

    @Test
    void windowScaledSendBeyond64KiB() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withInitialWindow(100).withBuffers(1 << 20, 1 << 20));
        TcpSocket s = t.client(0, seg().mss(1460).ws(7).win(65535));
        assertEquals(65535, s.info().sendWindow(), "RFC 7323 §2.2: the SYN-ACK's window is not scaled");
        t.send(at(0), seg().ack(t.iss + 1).seq(PEER_ISN + 1).win(1024));  // 1024 << 7 = 128 KiB
        assertEquals(131072, s.info().sendWindow());
        TcpScript.write(s, 140_000);
        t.runUntil(0);
        long sent = 0;
        TcpScript.Emitted e;
        while ((e = t.next()) != null) {
            sent += e.repr().payloadLength();
        }
        // Full segments up to the scaled window (the 1132-byte rest waits: sender SWS avoidance).
        assertEquals(89 * 1460, sent, "well beyond 64 KiB in flight");
        assertEquals(89 * 1460, s.info().unackedBytes());
    }

    @Test
    void windowScaledReceiveBeyond64KiB() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.client(0, seg().mss(1460).ws(2).win(65535));
        assertEquals(7, s.info().receiveWindowScale(), "256 KiB that may grow to 4 MiB needs a shift of 7");
        int p = PEER_ISN + 1;
        for (int i = 0; i < 100; i++) {
            t.inject(seg().ack(t.iss + 1).seq(p + 1460 * i).len(1460));
        }
        t.flush();
        assertEquals(146_000, s.readable(), "100 segments in one window, no drops");
        assertEquals(0L, t.tcp.counters().get("tcp.dropOutOfWindow"));
        var ack = t.expect(at(0), seg().ack().ack(p + 146_000));
        assertEquals((262144 - 146_000) >> 7, ack.window());
    }

    @Test
    void segmentsBeyondTheWindowAreTrimmedOrRejected() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withBuffers(4096, 4096));
        TcpSocket s = t.client(0, seg().mss(1000).win(65535));
        int p = PEER_ISN + 1;
        // Entirely beyond the window: RFC 9293 §3.10.7.4 unacceptable, answered with an ACK.
        t.send(at(1), seg().ack(t.iss + 1).seq(p + 5000).len(100));
        t.expect(at(1), seg().ack().ack(p).win(4096));
        // Straddling the right edge: trimmed to the window.
        t.send(at(2), seg().ack(t.iss + 1).seq(p).len(1000));
        t.send(at(3), seg().ack(t.iss + 1).seq(p + 1000).len(1000));
        t.send(at(4), seg().ack(t.iss + 1).seq(p + 2000).len(1000));
        t.send(at(5), seg().ack(t.iss + 1).seq(p + 3000).len(1500));
        assertEquals(4096, s.readable());
        assertEquals(1L, t.tcp.counters().get("tcp.dropOutOfWindow"));
    }
}
