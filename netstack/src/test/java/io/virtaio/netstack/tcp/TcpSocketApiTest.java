package io.virtaio.netstack.tcp;

import static io.virtaio.netstack.tcp.Seg.seg;
import static io.virtaio.netstack.tcp.TcpScript.PEER_ISN;
import static io.virtaio.netstack.tcp.TcpScript.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The socket calls' return codes and readiness bits. */
class TcpSocketApiTest {
    private static final MemorySegment BUF = MemorySegment.ofArray(new byte[4096]);

    @Test
    void unconnectedSocketCalls() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.tcp.newSocket();
        assertEquals(-Errno.ENOTCONN, s.send(BUF, 0, 10));
        assertEquals(-Errno.ENOTCONN, s.recv(BUF, 0, 10));
        assertEquals(-Errno.ENOTCONN, s.shutdown(TcpSocket.SHUT_WR));
        assertEquals(-Errno.EINVAL, s.listen(5), "listen needs a bound socket");
        assertEquals(-Errno.EINVAL, s.shutdown(7));
        assertNull(s.accept());
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(-Errno.ENOPROTOOPT, s.setOption(4242, 1));
        assertEquals(-Errno.ENOPROTOOPT, s.getOption(4242));
        assertEquals(-Errno.EINVAL, s.setOption(TcpSocket.SO_SNDBUF, 10));
        assertEquals(-Errno.EADDRNOTAVAIL, s.connect(0, 80));
        assertEquals(-Errno.EADDRNOTAVAIL, s.connect(TcpScript.REMOTE, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> s.send(BUF, 4000, 200));
        assertEquals(0, s.close());
        assertEquals(-Errno.EBADF, s.close());
        assertEquals(-Errno.EBADF, s.send(BUF, 0, 1));
        assertTrue(s.isClosed());
    }

    @Test
    void bindConflictsAndEphemeralPorts() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket a = t.tcp.newSocket();
        TcpSocket b = t.tcp.newSocket();
        assertEquals(0, a.bind(0, 8080));
        assertEquals(-Errno.EINVAL, a.bind(0, 8081), "already bound");
        assertEquals(-Errno.EADDRINUSE, b.bind(0, 8080));
        assertEquals(-Errno.EADDRNOTAVAIL, b.bind(0x0A0A0A0A, 8082), "not our address");
        assertEquals(0, b.bind(TcpScript.LOCAL, 0));
        assertTrue(b.localPort() >= Ports.EPHEMERAL_LOW && b.localPort() <= Ports.EPHEMERAL_HIGH);
        assertEquals(0, a.listen(1000));
        TcpSocket c = t.tcp.newSocket();
        assertEquals(-Errno.EADDRINUSE, c.bind(0, 8080));
        a.close();
        assertEquals(0, c.bind(0, 8080), "the port is free again once the listener closed");
    }

    @Test
    void connectReturnCodes() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.connect(80);
        assertEquals(-Errno.EALREADY, s.connect(TcpScript.REMOTE, 80));
        assertEquals(-Errno.ENOTCONN, s.send(BUF, 0, 10), "not established yet");
        assertEquals(-Errno.EAGAIN, s.recv(BUF, 0, 10));
        assertEquals(0, s.readiness() & Socket.POLLOUT, "connecting: not writable yet");
        var syn = t.expect(at(0), seg().syn());
        t.send(at(1), seg().synAck().seq(PEER_ISN).ack(syn.seq() + 1).mss(1460));
        assertEquals(-Errno.EISCONN, s.connect(TcpScript.REMOTE, 80));
        assertTrue((s.readiness() & Socket.POLLOUT) != 0, "connect completion shows as POLLOUT");
        TcpSocket l = t.tcp.newSocket();
        assertEquals(0, l.bind(0, 7000));
        assertEquals(0, l.listen(1));
        assertEquals(-Errno.EISCONN, l.connect(TcpScript.REMOTE, 80));
        assertEquals(-Errno.ENOTCONN, l.recv(BUF, 0, 1));
    }

    @Test
    void connectWithoutRouteFails() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        t.ip.noRoute = true;
        assertEquals(-Errno.ENETUNREACH, t.tcp.newSocket().connect(TcpScript.REMOTE, 80));
    }

    @Test
    void sendFillsTheBufferThenEagainAndPollout() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withBuffers(4096, 4096).withBufferLimits(0, 0));
        TcpSocket s = t.client(0, seg().mss(1000).win(0));
        assertEquals(4096, s.writable());
        assertEquals(4096, s.send(MemorySegment.ofArray(new byte[5000]), 0, 5000), "partial write");
        assertEquals(-Errno.EAGAIN, s.send(BUF, 0, 1));
        assertEquals(0, s.readiness() & Socket.POLLOUT);
        assertEquals(0, s.send(BUF, 0, 0));
        // The peer opens its window and acknowledges: space returns, and the socket is announced.
        t.send(at(1), seg().ack(t.iss + 1).seq(PEER_ISN + 1).win(8000));
        t.expect(at(1), seg().ack().len(1000));
        t.send(at(2), seg().ack(t.iss + 1 + 1000).seq(PEER_ISN + 1).win(8000));
        assertEquals(1000, s.writable());
        assertTrue((s.readiness() & Socket.POLLOUT) != 0);
        Socket ev = t.ctx.events().poll();
        boolean seen = false;
        while (ev != null) {
            seen |= ev == s;
            ev = t.ctx.events().poll();
        }
        assertTrue(seen, "a readiness event after space freed up");
    }

    @Test
    void recvReturnsDataThenEagainThenEof() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.plainClient(0);
        assertEquals(-Errno.EAGAIN, s.recv(BUF, 0, 100));
        t.send(at(1), seg().ack(t.iss + 1).seq(PEER_ISN + 1).len(300));
        assertTrue((s.readiness() & Socket.POLLIN) != 0);
        assertEquals(300, s.readable());
        assertEquals(100, s.recv(BUF, 0, 100));
        assertEquals(TcpScript.pattern(PEER_ISN + 1), BUF.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        assertEquals(200, s.recv(BUF, 0, 4096));
        assertEquals(-Errno.EAGAIN, s.recv(BUF, 0, 100));
        assertEquals(0, s.recv(BUF, 0, 0));
        t.send(at(2), seg().fin().ack(t.iss + 1).seq(PEER_ISN + 301));
        assertEquals(0, s.recv(BUF, 0, 100));
        assertEquals(0, s.recv(BUF, 0, 100));
    }

    @Test
    void timeoutReportsEtimedoutOnce() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withRto(1000 * TcpConfig.MS, 200 * TcpConfig.MS,
                1000 * TcpConfig.MS, 3));
        TcpSocket s = t.plainClient(0);
        TcpScript.write(s, 10);
        t.runUntil(60_000 * TcpConfig.MS);
        assertEquals(TcpState.CLOSED, s.state());
        assertTrue((s.readiness() & Socket.POLLERR) != 0);
        assertEquals(-Errno.ETIMEDOUT, s.send(BUF, 0, 1));
        assertEquals(-Errno.EPIPE, s.send(BUF, 0, 1));
    }

    @Test
    void optionsRoundTrip() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.tcp.newSocket();
        assertEquals(0, s.getOption(TcpSocket.TCP_NODELAY));
        assertEquals(0, s.setOption(TcpSocket.TCP_NODELAY, 1));
        assertEquals(1, s.getOption(TcpSocket.TCP_NODELAY));
        assertEquals(0, s.setOption(TcpSocket.SO_RCVBUF, 100_000));
        assertEquals(131072, s.getOption(TcpSocket.SO_RCVBUF), "rings are powers of two");
        assertEquals(0, s.setOption(TcpSocket.TCP_CONGESTION, 1));
        assertEquals(1, s.getOption(TcpSocket.TCP_CONGESTION));
        assertEquals(-Errno.EINVAL, s.setOption(TcpSocket.TCP_CONGESTION, 7));
        assertEquals(-1, s.getOption(TcpSocket.SO_LINGER));
        assertEquals(0, s.setOption(TcpSocket.SO_KEEPALIVE, 1));
        assertEquals(1, s.getOption(TcpSocket.SO_KEEPALIVE));
    }

    @Test
    void socketTableFullGivesNull() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        int n = 0;
        while (t.tcp.newSocket() != null) {
            n++;
        }
        assertEquals(t.ctx.maxSockets(), n);
    }

    @Test
    void listenerReadinessAndBacklogOverflow() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket l = t.listen(80);
        assertEquals(0, l.listen(1), "backlog can be changed");
        t.send(at(0), seg().syn().seq(10).ports(1111, 80));
        var sa = t.expect(at(0), seg().synAck());
        t.send(at(0), seg().ack(sa.seq() + 1).seq(11).ports(1111, 80));
        assertTrue((l.readiness() & Socket.POLLIN) != 0);
        // Accept queue full: a further SYN is dropped (the client retries), as Linux does.
        t.send(at(1), seg().syn().seq(20).ports(2222, 80));
        t.expectNothing(at(10));
        assertEquals(1L, t.tcp.counters().get("tcp.dropBacklogFull"));
        TcpSocket a = l.accept();
        assertNotNull(a);
        assertNotEquals(a.slot(), l.slot());
        assertEquals(0, l.readiness() & Socket.POLLIN);
        a.abort();
        t.expect(at(10), seg().rst().ack());
        assertEquals(Errno.ECONNABORTED, a.takeError());
    }

    @Test
    void directReaderTakesInOrderDataWithoutTheRing() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.plainClient(0);
        MemorySegment target = MemorySegment.ofArray(new byte[150]);
        int[] taken = {0};
        assertEquals(0, s.setDirectReader((src, off, len) -> {
            int n = Math.min(len, (int) target.byteSize() - taken[0]);
            MemorySegment.copy(src, off, target, taken[0], n);
            taken[0] += n;
            return n;
        }));
        t.send(at(1), seg().ack(t.iss + 1).seq(PEER_ISN + 1).len(100));
        assertEquals(100, taken[0]);
        assertEquals(0, s.readable(), "nothing went through the receive ring");
        t.send(at(2), seg().ack(t.iss + 1).seq(PEER_ISN + 101).len(100));
        assertEquals(150, taken[0], "the reader took what it had room for");
        assertEquals(50, s.readable(), "the rest waits in the ring");
        assertEquals(50, s.recv(BUF, 0, 100));
        assertEquals(TcpScript.pattern(PEER_ISN + 151), BUF.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        assertEquals(TcpScript.pattern(PEER_ISN + 1), target.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        t.expect(at(1), seg().ack().ack(PEER_ISN + 101));
    }

    @Test
    void shutdownReadDiscardsButKeepsTheWindowOpen() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = t.plainClient(0);
        assertEquals(0, s.shutdown(TcpSocket.SHUT_RD));
        assertEquals(0, s.recv(BUF, 0, 10));
        t.send(at(1), seg().ack(t.iss + 1).seq(PEER_ISN + 1).len(1000));
        t.expect(at(1), seg().ack().ack(PEER_ISN + 1001).win(65535));
        assertEquals(0, s.readable());
        assertTrue((s.readiness() & Socket.POLLIN) != 0);
    }
}
