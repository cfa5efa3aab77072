package io.virtaio.netstack.tcp;

import static io.virtaio.netstack.tcp.Seg.seg;
import static io.virtaio.netstack.tcp.TcpScript.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.wire.TcpRepr;
import org.junit.jupiter.api.Test;

/** SYN cookies (RFC 4987 §3.6) when the SYN queue is full, and the SYN queue's own behaviour. */
class TcpSynCookieTest {
    static final TcpConfig CFG = TcpConfig.defaults().withSynQueue(2, true);

    /** Fills the listener's SYN queue with two half-open connections from ports 1 and 2. */
    static TcpSocket fullQueue(TcpScript t) {
        TcpSocket l = t.listen(80);
        t.send(at(0), seg().syn().seq(100).ports(1, 80));
        t.expect(at(0), seg().synAck());
        t.send(at(0), seg().syn().seq(200).ports(2, 80));
        t.expect(at(0), seg().synAck());
        assertEquals(2, t.tcp.synQueue.size());
        return l;
    }

    @Test
    void fullSynQueueAnswersWithACookieAndAValidFinalAckEstablishes() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket l = fullQueue(t);
        t.send(at(1), seg().syn().seq(5000).mss(1460).ws(6).sackPerm().ts(42, 0));
        TcpRepr synAck = t.expect(at(1), seg().synAck().ack(5001).mss(1460).sackPerm().ws(7).tsEcr(42));
        assertEquals(2, t.tcp.synQueue.size(), "nothing stored for the cookie");
        assertEquals(1L, t.tcp.counters().get("tcp.cookiesSent"));
        t.send(at(2), seg().ack(synAck.seq() + 1).seq(5001).ts(43, synAck.tsVal()).win(100).len(10));
        assertEquals(1L, t.tcp.counters().get("tcp.cookiesValidated"));
        TcpSocket s = l.accept();
        assertNotNull(s);
        assertEquals(TcpState.ESTABLISHED, s.state());
        TcpInfo info = s.info();
        assertEquals(1460 - 12, info.mss(), "MSS recovered from the cookie's table index");
        assertEquals(6, info.sendWindowScale(), "window scale recovered from the echoed TSval");
        assertTrue(info.sack(), "SACK-permitted recovered from the echoed TSval");
        assertEquals(100L << 6, info.sendWindow());
        assertEquals(10, s.readable(), "data on the final ACK is delivered");
        t.expect(at(2), seg().ack().ack(5011).tsEcr(43));
    }

    @Test
    void forgedAckIsDropped() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket l = fullQueue(t);
        t.send(at(1), seg().syn().seq(5000).mss(1460));
        TcpRepr synAck = t.expect(at(1), seg().synAck().ack(5001));
        // A guessed acknowledgment number: the cookie does not validate.
        t.send(at(2), seg().ack(synAck.seq() + 12345).seq(5001));
        assertNull(l.accept());
        assertEquals(1L, t.tcp.counters().get("tcp.cookiesFailed"));
        // Another 4-tuple cannot reuse the cookie either.
        t.send(at(3), seg().ack(synAck.seq() + 1).seq(5001).ports(40001, 80));
        assertNull(l.accept());
        assertEquals(2L, t.tcp.counters().get("tcp.cookiesFailed"));
        // Dropped, not reset: no answer that a flood of forged ACKs could turn into a reflection.
        t.expectNothing(at(100));
        // Without cookies in use (none sent for two periods), an ACK to a listener gets the RFC 9293 reset.
        t.runUntil(199_999 * TcpConfig.MS);
        t.discardOutput();                  // (the half-open entries' SYN-ACK retransmissions)
        t.send(at(200_000), seg().ack(777).seq(5001));
        t.expect(at(200_000), seg().rst().seq(777));
    }

    @Test
    void cookieExpiresAfterTwoPeriods() {
        TcpScript t = new TcpScript(CFG);
        TcpSocket l = fullQueue(t);
        t.send(at(1), seg().syn().seq(5000).mss(1460));
        TcpRepr synAck = t.expect(at(1), seg().synAck());
        t.discardOutput();
        t.send(at(200_000), seg().ack(synAck.seq() + 1).seq(5001));
        assertNull(l.accept(), "a cookie older than two 64-second periods is refused");
    }

    @Test
    void synQueueRetransmitsSynAckThenForgets() {
        TcpScript t = new TcpScript(CFG.withSynQueue(10, true));
        t.listen(80);
        t.send(at(0), seg().syn().seq(100));
        TcpRepr synAck = t.expect(at(0), seg().synAck().ack(101));
        // 1 s, then doubling (Linux tcp_synack_retries 5).
        t.expect(at(1000), seg().synAck().seq(synAck.seq()));
        t.expect(at(3000), seg().synAck().seq(synAck.seq()));
        // A retransmitted SYN gets the SYN-ACK again.
        t.send(at(3500), seg().syn().seq(100));
        t.expect(at(3500), seg().synAck().seq(synAck.seq()));
        t.expect(at(7000), seg().synAck());
        t.expect(at(15_000), seg().synAck());
        t.expect(at(31_000), seg().synAck());
        t.runUntil(64_000 * TcpConfig.MS);
        assertEquals(0, t.tcp.synQueue.size());
    }

    @Test
    void withoutCookiesAFullQueueDropsSyns() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withSynQueue(2, false));
        fullQueue(t);
        t.send(at(1), seg().syn().seq(5000));
        t.expectNothing(at(500));
        assertEquals(1L, t.tcp.counters().get("tcp.dropSynQueueFull"));
    }

    @Test
    void cookieRoundTripsEveryMssIndexAndRejectsOtherTuples() {
        SynCookies c = new SynCookies(new Isn(1, 2));
        for (int idx = 0; idx < SynCookies.MSS_TABLE.length; idx++) {
            int cookie = c.encode(10, 80, 20, 4000, 777, idx, 5_000_000_000L);
            assertEquals(idx, c.check(10, 80, 20, 4000, 777, cookie, 5_000_000_000L));
            assertEquals(idx, c.check(10, 80, 20, 4000, 777, cookie, 5_000_000_000L + 64_000_000_000L));
            assertEquals(-1, c.check(10, 80, 20, 4000, 777, cookie, 5_000_000_000L + 128_000_000_000L));
            assertEquals(-1, c.check(10, 80, 20, 4001, 777, cookie, 5_000_000_000L));
            assertEquals(-1, c.check(10, 80, 20, 4000, 777 + 100_000, cookie, 5_000_000_000L));
        }
        assertEquals(4, SynCookies.mssIndex(1460));
        assertEquals(0, SynCookies.mssIndex(100));
        assertEquals(7, SynCookies.mssIndex(65535));
        assertEquals(5, SynCookies.decodeWindowScale(SynCookies.encodeOptions(5, true)));
        assertEquals(-1, SynCookies.decodeWindowScale(SynCookies.encodeOptions(-1, true)));
        assertTrue(SynCookies.decodeSack(SynCookies.encodeOptions(-1, true)));
    }
}
