package io.virtaio.netstack.tcp;

import static io.virtaio.netstack.tcp.Seg.seg;
import static io.virtaio.netstack.tcp.TcpScript.PEER_ISN;
import static io.virtaio.netstack.tcp.TcpScript.at;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.wire.TcpRepr;
import org.junit.jupiter.api.Test;

/** ICMP errors (RFC 1122 4.2.3.9, RFC 1191, RFC 5927). */
class TcpIcmpTest {
    static final int UNREACH = 3;

    @Test
    void portUnreachableWhileConnectingRefuses() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.connect(80);
        TcpRepr syn = t.expect(at(0), seg().syn());
        t.tcp.icmpError(UNREACH, 3, TcpScript.REMOTE, s.localPort(), 80, syn.seq(), 0, 0);
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(Errno.ECONNREFUSED, s.takeError());
    }

    @Test
    void hostUnreachableIsSoftAndReportedOnTimeout() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withSynRetries(1));
        TcpSocket s = t.connect(80);
        TcpRepr syn = t.expect(at(0), seg().syn());
        t.tcp.icmpError(UNREACH, 1, TcpScript.REMOTE, s.localPort(), 80, syn.seq(), 0, 0);
        assertEquals(TcpState.SYN_SENT, s.state(), "RFC 1122 4.2.3.9: soft errors do not abort");
        t.expect(at(1000), seg().syn());
        t.runUntil(3001 * TcpConfig.MS);
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(Errno.EHOSTUNREACH, s.takeError(), "the timeout reports the soft error");
    }

    @Test
    void hardErrorInEstablishedIsOnlySoft() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.plainClient(0);
        TcpScript.write(s, 10);
        t.expect(at(0), seg().len(10).ack());
        t.tcp.icmpError(UNREACH, 3, TcpScript.REMOTE, s.localPort(), 80, t.iss + 1, 0, 0);
        assertEquals(TcpState.ESTABLISHED, s.state());
    }

    @Test
    void errorsQuotingSequenceNumbersNotInFlightAreIgnored() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.connect(80);
        TcpRepr syn = t.expect(at(0), seg().syn());
        t.tcp.icmpError(UNREACH, 3, TcpScript.REMOTE, s.localPort(), 80, syn.seq() + 5000, 0, 0);
        assertEquals(TcpState.SYN_SENT, s.state(), "RFC 5927 §4.1: blind ICMP attacks are ignored");
        t.tcp.icmpError(UNREACH, 3, TcpScript.REMOTE, 9, 80, syn.seq(), 0, 0);
        assertEquals(2L, t.tcp.counters().get("tcp.icmpIgnored"));
    }

    @Test
    void fragmentationNeededLowersTheMssAndResends() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.client(0, seg().mss(1460).win(65535));
        TcpScript.write(s, 3000);
        t.expect(at(0), seg().ack().seq(t.iss + 1).len(1460));
        t.expect(at(0), seg().ack().seq(t.iss + 1461).len(1460));
        t.expect(at(0), seg().ack().seq(t.iss + 2921).len(80));
        // RFC 1191: a router with MTU 1000 dropped our segments.
        t.tcp.icmpError(UNREACH, 4, TcpScript.REMOTE, s.localPort(), 80, t.iss + 1, 1000, 0);
        assertEquals(960, s.info().mss());
        t.expect(at(0), seg().ack().seq(t.iss + 1).len(960));
        t.expect(at(0), seg().ack().seq(t.iss + 961).len(500));
        t.send(at(5), seg().ack(t.iss + 1461).seq(PEER_ISN + 1));
        assertEquals(1L, t.tcp.counters().get("tcp.pmtuUpdates"));
    }
}
