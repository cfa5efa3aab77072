package io.virtaio.netstack.tcp;

import static io.virtaio.netstack.tcp.Seg.seg;
import static io.virtaio.netstack.tcp.TcpScript.PEER_ISN;
import static io.virtaio.netstack.tcp.TcpScript.at;
import static io.virtaio.netstack.tcp.TcpScript.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.virtaio.netstack.Errno;
import org.junit.jupiter.api.Test;

/** RFC 1122 4.2.3.6 keepalive: off by default, probes after the idle time, gives up after the probe count. */
class TcpKeepAliveTest {
    static final long MS = TcpConfig.MS;

    @Test
    void offByDefault() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        t.plainClient(0);
        t.expectNothing(until(10_000_000));
    }

    @Test
    void probesAfterIdleAndEndsWhenUnanswered() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withKeepAlive(10_000 * MS, 1_000 * MS, 3));
        TcpSocket s = t.plainClient(0);
        // A probe is an ACK one below SND.UNA: the peer must answer it (RFC 1122 4.2.3.6).
        t.expect(at(10_000), seg().ack().seq(t.iss).len(0));
        t.send(at(10_005), seg().ack(t.iss + 1).seq(PEER_ISN + 1));
        t.expectNothing(until(20_004));
        t.expect(at(20_005), seg().ack().seq(t.iss).len(0));
        t.expect(at(21_005), seg().ack().seq(t.iss).len(0));
        t.expect(at(22_005), seg().ack().seq(t.iss).len(0));
        t.runUntil(23_006 * MS);
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(Errno.ETIMEDOUT, s.takeError());
    }

    @Test
    void enabledPerSocket() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.plainClient(0);
        assertEquals(0, s.setOption(TcpSocket.SO_KEEPALIVE, 1));
        t.expectNothing(until(7_199_999));
        t.expect(at(7_200_000), seg().ack().seq(t.iss).len(0));
    }
}
