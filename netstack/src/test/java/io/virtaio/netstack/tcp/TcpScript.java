package io.virtaio.netstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.StackContext;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.netstack.wire.TcpRepr;
import io.virtaio.netstack.wire.TcpSegment;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;

/**
 * A packetdrill-style harness for one {@link TcpLayer}: the test plays the peer with explicit times.
 * {@code send(at(ms), seg()...)} injects a segment at that time (after running every timer due before it);
 * {@code expect(at(ms), seg()...)} asserts the next segment the stack emitted, and that it was emitted at that time
 * (within a millisecond); {@code expectNothing(until(ms))} runs timers up to then and asserts silence. Segments are
 * checked with the {@link TcpSegment} view and parsed into {@link TcpRepr}s.
 */
final class TcpScript {
    static final int LOCAL = Ipv4Address.of(10, 0, 0, 1);
    static final int REMOTE = Ipv4Address.of(10, 0, 0, 2);
    static final long MS = TcpConfig.MS;

    record Emitted(long atNs, TcpRepr repr, byte[] payload) {
        @Override
        public String toString() {
            return String.format("%.3f ms %s", atNs / 1e6, repr);
        }
    }

    final StackContext ctx;
    final TcpLayer tcp;
    final FakeIp ip;
    final ArrayDeque<Emitted> out = new ArrayDeque<>();
    private final TcpSegment view = new TcpSegment();
    int localPort = 80;
    int remotePort = 40000;
    long now;

    TcpScript(TcpConfig cfg) {
        this(cfg, 1500);
    }

    TcpScript(TcpConfig cfg, int mtu) {
        ctx = new StackContext(StackConfig.of(LOCAL, 24).withTcp(cfg).withSeed(42), 0);
        ip = new FakeIp(LOCAL, () -> now, this::capture);
        ip.mtu = mtu;
        ctx.setIp(ip);
        tcp = new TcpLayer(ctx);
    }

    static long at(long ms) {
        return ms;
    }

    static long until(long ms) {
        return ms;
    }

    private void capture(int src, int dst, MemorySegment seg, long offset, int length, long nowNs) {
        MemorySegment l4 = seg.asSlice(offset, length);
        TcpSegment v = view.wrap(l4, 0, length);
        assertEquals(0, v.check(), "emitted segment must be well formed");
        assertTrue(v.verifyChecksum(src, dst), "emitted checksum");
        assertEquals(LOCAL, src);
        byte[] payload = l4.asSlice(v.payloadOffset(), v.payloadLength()).toArray(ValueLayout.JAVA_BYTE);
        out.add(new Emitted(nowNs, TcpRepr.parse(v), payload));
    }

    /** One stack poll at {@code t}: timers, then output (as the stack does). */
    void step(long t) {
        now = Math.max(now, t);
        ctx.setNow(now);
        ctx.timers().advance(now);
        tcp.output(now);
    }

    /** Runs every timer due up to {@code ns} in order, then polls at {@code ns}. */
    void runUntil(long ns) {
        step(now);                      // output pending from socket calls goes now, as the stack's next poll
        long d;
        while ((d = ctx.timers().nextDeadlineNs()) <= ns) {
            step(Math.max(d, now));     // the wheel's next deadline is always past the last advance: progress
        }
        step(ns);
    }

    /** Injects {@code s} from the peer at {@code ms}. */
    void send(long ms, Seg s) {
        runUntil(ms * MS);
        inject(s);
        tcp.output(now);
    }

    /** Injects without the output pass (several segments in one input batch; call {@link #flush} after). */
    void inject(Seg s) {
        MemorySegment m = build(s);
        tcp.input(REMOTE, LOCAL, m, 0, (int) m.byteSize(), false, now);
    }

    void flush() {
        tcp.output(now);
    }

    MemorySegment build(Seg s) {
        int len = s.len == null ? 0 : s.len;
        int seq = s.seq == null ? 0 : s.seq;
        TcpRepr r = TcpRepr.of(s.srcPort != null ? s.srcPort : remotePort, s.dstPort != null ? s.dstPort : localPort,
                seq, s.ack == null ? 0 : s.ack, s.flags == null ? 0 : s.flags, s.window == null ? 65535 : s.window,
                len);
        if (s.mss != null) {
            r = r.withMss(s.mss);
        }
        if (s.ws != null) {
            r = r.withWindowScale(s.ws);
        }
        if (Boolean.TRUE.equals(s.sackPerm)) {
            r = r.withSackPermitted();
        }
        if (s.tsVal != null) {
            r = r.withTimestamps(s.tsVal, s.tsEcr == null ? 0 : s.tsEcr);
        }
        if (s.sack != null && !s.sack.isEmpty()) {
            r = r.withSackBlocks(s.sack.toArray(new io.virtaio.netstack.wire.SackBlock[0]));
        }
        MemorySegment m = MemorySegment.ofArray(new byte[r.bufferLength()]);
        int h = r.headerLength();
        for (int i = 0; i < len; i++) {
            m.set(ValueLayout.JAVA_BYTE, h + i, s.payload != null ? s.payload[i] : pattern(seq + i));
        }
        r.emit(view.wrap(m, 0, r.bufferLength()), REMOTE, LOCAL);
        return m;
    }

    /** The test data pattern: the byte at sequence number {@code seq}. */
    static byte pattern(int seq) {
        return (byte) (seq * 31 + (seq >>> 8));
    }

    /** Asserts that the next emitted segment matches {@code m} and went out at {@code ms} (±1 ms). */
    TcpRepr expect(long ms, Seg m) {
        return expectWithin(ms, 1, m);
    }

    /** As {@link #expect} with a tolerance of {@code toleranceMs}. */
    TcpRepr expectWithin(long ms, long toleranceMs, Seg m) {
        if (out.isEmpty()) {
            runUntil(ms * MS);
        }
        // A timer fires within one wheel tick of its deadline: look a little further, stopping at the first output.
        long limit = (ms + toleranceMs) * MS - 1;
        long d;
        while (out.isEmpty() && (d = ctx.timers().nextDeadlineNs()) <= limit) {
            step(Math.max(d, now));
        }
        Emitted e = out.poll();
        if (e == null) {
            fail("expected " + m + " at " + ms + " ms, nothing was sent");
        }
        if (Math.abs(e.atNs - ms * MS) >= toleranceMs * MS) {
            fail("expected " + m + " at " + ms + " ms, got at " + e);
        }
        m.assertMatches(e.repr, "segment at " + ms + " ms");
        return e.repr;
    }

    /** Runs to {@code ms}; asserts nothing was sent. */
    void expectNothing(long ms) {
        runUntil(ms * MS);
        if (!out.isEmpty()) {
            fail("expected nothing until " + ms + " ms, got " + out.peek() + " (+" + (out.size() - 1) + " more)");
        }
    }

    /** Drops everything emitted so far (for tests that only care about state). */
    void discardOutput() {
        out.clear();
    }

    Emitted next() {
        return out.poll();
    }

    // ----------------------------------------------------------------------------------------------------------
    // Socket helpers

    TcpSocket listen(int port) {
        localPort = port;
        TcpSocket s = tcp.newSocket();
        assertNotNull(s);
        assertEquals(0, s.bind(0, port));
        assertEquals(0, s.listen(16));
        return s;
    }

    /** Connects to the peer ({@link #REMOTE}:{@code port}); returns the socket with its SYN queued (not polled). */
    TcpSocket connect(int port) {
        remotePort = port;
        TcpSocket s = tcp.newSocket();
        assertEquals(-Errno.EINPROGRESS, s.connect(REMOTE, port));
        localPort = s.localPort();
        return s;
    }

    /** Passive handshake with the given SYN options; returns the accepted socket. ISS is in {@code issOut[0]}. */
    TcpSocket acceptFrom(long ms, Seg syn, int[] issOut) {
        TcpSocket l = listen(localPort);
        send(ms, syn);
        TcpRepr synAck = expect(ms, Seg.seg().synAck().ack(syn.seq + 1));
        issOut[0] = synAck.seq();
        Seg ack = Seg.seg().ack(synAck.seq() + 1).seq(syn.seq + 1).win(syn.window == null ? 65535 : syn.window);
        if (syn.tsVal != null) {
            ack.ts(syn.tsVal + 1, synAck.tsVal());
        }
        send(ms, ack);
        TcpSocket s = l.accept();
        assertNotNull(s, "accepted connection");
        return s;
    }

    /** The peer's ISN in {@link #client} handshakes. */
    static final int PEER_ISN = 1_000_000;
    /** Our ISS in the last {@link #client} handshake. */
    int iss;
    /** Our TSval in the last SYN (when timestamps were offered). */
    int synTsVal;

    /**
     * Our side connects at {@code ms}; the peer answers with SYN-ACK {@code synAck} (its options; seq, ack and flags
     * are filled in: ISN {@link #PEER_ISN}) and gets our ACK. Returns the established socket.
     */
    TcpSocket client(long ms, Seg synAck) {
        TcpSocket s = connect(80);
        TcpRepr syn = expect(ms, Seg.seg().syn());
        iss = syn.seq();
        synTsVal = syn.tsVal();
        synAck.flagsExactly(io.virtaio.netstack.wire.TcpFlags.SYN | io.virtaio.netstack.wire.TcpFlags.ACK)
                .seq(PEER_ISN).ack(iss + 1);
        if (synAck.tsVal != null) {
            synAck.tsEcr = syn.tsVal();
        }
        send(ms, synAck);
        expect(ms, Seg.seg().ack().seq(iss + 1).ack(PEER_ISN + 1));
        assertEquals(TcpState.ESTABLISHED, s.state());
        return s;
    }

    /** A plain connection (no window scaling, timestamps or SACK; peer window 65535, MSS 1460). */
    TcpSocket plainClient(long ms) {
        return client(ms, Seg.seg().mss(1460).win(65535));
    }

    /** Queues {@code n} bytes on {@code s} (all must fit). */
    static void write(TcpSocket s, int n) {
        assertEquals(n, s.send(bytes(n), 0, n));
    }

    /** Reads everything readable; returns the count. */
    static int drain(TcpSocket s) {
        MemorySegment buf = MemorySegment.ofArray(new byte[1 << 20]);
        int total = 0;
        int n;
        while ((n = s.recv(buf, 0, (int) buf.byteSize())) > 0) {
            total += n;
        }
        return total;
    }

    static MemorySegment bytes(int n) {
        MemorySegment m = MemorySegment.ofArray(new byte[n]);
        for (int i = 0; i < n; i++) {
            m.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        return m;
    }

    Connection conn(TcpSocket s) {
        return tcp.connection(LOCAL, s.localPort(), REMOTE, s.remotePort());
    }
}
