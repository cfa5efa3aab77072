package io.virtaio.netstack.tcp;

import static io.virtaio.netstack.tcp.Seg.seg;
import static io.virtaio.netstack.tcp.TcpScript.PEER_ISN;
import static io.virtaio.netstack.tcp.TcpScript.at;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Buffer autotuning as Linux does it: the send buffer grows to twice the congestion window while the application
 * waits for room (tcp_sndbuf_expand), the receive buffer to twice what the application reads per round trip
 * (dynamic right-sizing, tcp_rcv_space_adjust); never beyond the configured bound, never once SO_SNDBUF/SO_RCVBUF
 * was set; the rings keep every byte across a resize.
 */
class TcpAutotuningTest {
    static final int MSS = 1000;

    @Test
    void ringsKeepTheirBytesWhenTheyGrow() {
        try (BufferPool pool = new BufferPool(1 << 20)) {
            // A send ring of 1 KiB holding bytes that wrap around its end, moved into 4 KiB.
            SendBuffer snd = new SendBuffer(pool.allocate(1024));
            MemorySegment src = pattern(4096);
            assertEquals(1024, snd.write(src, 0, 1024));
            snd.release(700);
            assertEquals(700, snd.write(src, 1024, 700));
            pool.release(snd.grow(pool.allocate(4096)));
            assertEquals(4096, snd.capacity());
            assertEquals(1024, snd.length());
            MemorySegment out = MemorySegment.ofArray(new byte[1024]);
            snd.copyOut(700, out, 0, 1024);
            assertArrayEquals(src.asSlice(700, 1024).toArray(ValueLayout.JAVA_BYTE),
                    out.toArray(ValueLayout.JAVA_BYTE));
            // A receive ring with readable bytes across its end and out-of-order bytes beyond them.
            ReceiveBuffer rcv = new ReceiveBuffer(pool.allocate(1024));
            rcv.store(0, src, 0, 800);
            rcv.commit(800);
            MemorySegment sink = MemorySegment.ofArray(new byte[1024]);
            assertEquals(800, rcv.read(sink, 0, 800));
            rcv.store(0, src, 800, 500);            // wraps: positions 800..1299
            rcv.commit(500);
            rcv.store(300, src, 1600, 100);         // out of order: positions 1600..1699
            pool.release(rcv.grow(pool.allocate(8192)));
            assertEquals(500, rcv.read(sink, 0, 500));
            assertArrayEquals(src.asSlice(800, 500).toArray(ValueLayout.JAVA_BYTE),
                    sink.asSlice(0, 500).toArray(ValueLayout.JAVA_BYTE));
            rcv.store(0, src, 1300, 300);           // the hole fills
            rcv.commit(400);
            assertEquals(400, rcv.read(sink, 0, 1024));
            assertArrayEquals(src.asSlice(1300, 400).toArray(ValueLayout.JAVA_BYTE),
                    sink.asSlice(0, 400).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void sendBufferGrowsToTwiceTheCongestionWindowWhileTheApplicationWaits() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withBuffers(16 * 1024, 16 * 1024));
        TcpSocket s = t.client(0, seg().mss(MSS).ws(7).win(65535).sackPerm());
        MemorySegment data = pattern(1 << 16);
        assertEquals(16 * 1024, s.send(data, 0, 20_000), "the application waits for room");
        for (int i = 0; i < 10; i++) {
            t.expect(at(0), seg().ack().seq(t.iss + 1 + i * MSS).len(MSS));
        }
        // Five segments acknowledged: cwnd 15 segments with room in it, so the buffer grows to hold twice that.
        t.send(at(10), seg().ack(t.iss + 1 + 5 * MSS).seq(PEER_ISN + 1).win(65535));
        assertEquals(32 * 1024, s.getOption(TcpSocket.SO_SNDBUF));
        int more = s.send(data, 16 * 1024, 40_000);
        assertEquals(32 * 1024 - (16 * 1024 - 5 * MSS), more, "the room of the grown ring");
        t.runUntil(t.now);
        // Every byte still goes out as written, across the move: what was queued before and after it.
        TcpScript.Emitted e;
        int highest = 0;
        while ((e = t.next()) != null) {
            int off = e.repr().seq() - (t.iss + 1);
            byte[] p = e.payload();
            for (int k = 0; k < p.length; k++) {
                assertEquals(data.get(ValueLayout.JAVA_BYTE, off + k), p[k], "byte " + (off + k));
            }
            highest = Math.max(highest, off + p.length);
        }
        assertTrue(highest > 16 * 1024, "bytes written after the resize went out and were checked");
    }

    @Test
    void soSndbufFixesTheSendBuffer() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withBuffers(16 * 1024, 16 * 1024));
        TcpSocket s = connectWith(t, TcpSocket.SO_SNDBUF, 16 * 1024);
        var syn = t.expect(at(0), seg().syn());
        t.iss = syn.seq();
        t.send(at(0), seg().synAck().seq(PEER_ISN).ack(syn.seq() + 1).mss(MSS).ws(7).win(65535).sackPerm());
        t.discardOutput();
        assertEquals(16 * 1024, s.send(pattern(20_000), 0, 20_000));
        t.runUntil(0);
        t.discardOutput();
        t.send(at(10), seg().ack(t.iss + 1 + 5 * MSS).seq(PEER_ISN + 1).win(65535));
        assertEquals(16 * 1024, s.getOption(TcpSocket.SO_SNDBUF));
    }

    @Test
    void receiveBufferGrowsWithTheReadingRateAndItsScaleWasChosenForTheBound() {
        TcpConfig cfg = TcpConfig.defaults().withBuffers(256 * 1024, 64 * 1024);
        TcpTransferTest.Run r = TcpTransferTest.transfer(cfg, 7, 0, 32L << 20, 0, 1500);
        Connection c = r.server().socket.layerConnection();
        int grown = c == null ? 0 : c.rcv.capacity();
        TcpInfo info = r.server().socket.info();
        System.out.printf("receive buffer 64 KiB -> %d KiB; %s%n", grown / 1024, TcpTransferTest.describe("32 MiB", r));
        assertTrue(grown > 64 * 1024, "grew past its initial 64 KiB");
        assertTrue(grown <= cfg.receiveBufferMaxBytes());
        assertEquals(TcpLayer.windowScaleFor(cfg.receiveBufferMaxBytes()), info.receiveWindowScale());
    }

    @Test
    void soRcvbufFixesTheReceiveBufferAndItsScale() {
        TcpScript t = new TcpScript(TcpConfig.defaults());
        TcpSocket s = connectWith(t, TcpSocket.SO_RCVBUF, 64 * 1024);
        var syn = t.expect(at(0), seg().syn());
        assertEquals(TcpLayer.windowScaleFor(64 * 1024), syn.windowScale(), "a fixed buffer needs no more");
        t.iss = syn.seq();
        t.send(at(0), seg().synAck().seq(PEER_ISN).ack(syn.seq() + 1).mss(MSS).ws(7).win(65535).sackPerm());
        t.discardOutput();
        int p = PEER_ISN + 1;
        MemorySegment buf = MemorySegment.ofArray(new byte[1 << 16]);
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 32; i++) {
                t.inject(seg().ack(t.iss + 1).seq(p).len(MSS));
                p += MSS;
            }
            t.flush();
            while (s.recv(buf, 0, (int) buf.byteSize()) > 0) {
                // the application keeps up
            }
            t.runUntil(t.now + TcpConfig.MS);
        }
        assertEquals(64 * 1024, s.getOption(TcpSocket.SO_RCVBUF));
        assertEquals(-Errno.EAGAIN, s.recv(buf, 0, 1));
    }

    /** Connects as {@link TcpScript#connect} with one option set before. */
    static TcpSocket connectWith(TcpScript t, int option, int value) {
        TcpSocket s = t.tcp.newSocket();
        assertEquals(0, s.setOption(option, value));
        t.remotePort = 80;
        assertEquals(-Errno.EINPROGRESS, s.connect(TcpScript.REMOTE, 80));
        t.localPort = s.localPort();
        return s;
    }

    static MemorySegment pattern(int n) {
        MemorySegment m = MemorySegment.ofArray(new byte[n]);
        for (int i = 0; i < n; i++) {
            m.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + (i >>> 8)));
        }
        return m;
    }
}
