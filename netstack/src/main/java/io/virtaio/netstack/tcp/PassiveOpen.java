package io.virtaio.netstack.tcp;

import io.virtaio.netstack.wire.Seq;
import io.virtaio.netstack.wire.TcpFlags;
import io.virtaio.netstack.wire.TcpOptions;
import io.virtaio.netstack.wire.TcpSegment;

/**
 * Passive open: segments for a listener (RFC 9293 §3.10.7.2 LISTEN STATE) and for half-open entries of the
 * {@link SynQueue} (SYN-RECEIVED before the final ACK), SYN cookies when the queue is full (RFC 4987 §3.6), and the
 * creation of the full connection — buffers, socket, accept queue — only when the handshake completes, so a flood
 * of SYNs costs a bounded table and never memory per SYN.
 */
final class PassiveOpen {
    /** Cookies are checked for this long after the last one was sent (two validity periods). */
    private static final long COOKIE_WINDOW_NS = 128_000_000_000L;

    private final TcpLayer layer;
    private final SynCookies cookies;
    private long lastCookieSentNs = Long.MIN_VALUE / 2;

    PassiveOpen(TcpLayer layer, SynCookies cookies) {
        this.layer = layer;
        this.cookies = cookies;
    }

    /** RFC 9293 §3.10.7.2: a segment for listener {@code l} that matches no connection or half-open entry. */
    void listen(Listener l, int src, int dst, TcpSegment seg, TcpOptions opts, long nowNs) {
        int f = seg.flags();
        if ((f & TcpFlags.RST) != 0) {
            return;                             // "An incoming RST segment ... should be ignored"
        }
        if ((f & TcpFlags.ACK) != 0) {
            if ((f & TcpFlags.SYN) == 0 && layer.config.synCookies() && nowNs - lastCookieSentNs < COOKIE_WINDOW_NS) {
                // Cookies are in use: this may be a returning one. One that fails is dropped, not reset: the
                // cookie's ACK may have been lost while later data of the same connection arrives, and the
                // client's retransmission of its first segment will carry a valid cookie again (RFC 4987 §3.6
                // leaves the reaction open; a RST would kill a legitimate connection).
                if (!cookieAck(l, src, dst, seg, opts, nowNs)) {
                    layer.counters.inc(TcpCounters.COOKIES_FAILED);
                }
                return;
            }
            // "Any acknowledgment is bad if it arrives on a connection still in the LISTEN state":
            // <SEQ=SEG.ACK><CTL=RST>.
            layer.output.sendResetReply(dst, src, seg);
            return;
        }
        if ((f & TcpFlags.SYN) == 0) {
            return;                             // "Any other control or text-bearing segment ... drop it"
        }
        if (l.acceptQueueFull()) {
            layer.counters.inc(TcpCounters.DROP_BACKLOG_FULL);  // as Linux: the client will retry its SYN
            return;
        }
        SynQueue q = layer.synQueue;
        if (l.synCount >= layer.config.synQueueLimit() || q.isFull()) {
            if (layer.config.synCookies()) {
                sendCookieSynAck(l, src, dst, seg, opts, nowNs);
            } else {
                layer.counters.inc(TcpCounters.DROP_SYN_QUEUE_FULL);
            }
            return;
        }
        int sport = seg.srcPort();
        int e = q.add(l, dst, l.localPort, src, sport, nowNs);
        q.irs[e] = seg.seq();
        q.iss[e] = layer.isn.isn(dst, l.localPort, src, sport, nowNs);
        q.peerMss[e] = opts.hasMss() ? Math.max(Sender.MIN_MSS, opts.mss()) : 536;
        TcpConfig cfg = layer.config;
        q.peerWs[e] = cfg.windowScaling() && opts.hasWindowScale() ? opts.windowScale() : -1;
        q.flags[e] = (cfg.sack() && opts.sackPermitted() ? SynQueue.SACK : 0)
                | (cfg.timestamps() && opts.hasTimestamps() ? SynQueue.TS : 0);
        q.tsRecent[e] = opts.tsVal();
        layer.counters.inc(TcpCounters.SYN_QUEUE_ADDED);
        sendSynAck(e, nowNs);
    }

    /** The SYN-ACK of half-open entry {@code e} (RFC 9293 §3.10.7.2: {@code <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>}). */
    void sendSynAck(int e, long nowNs) {
        SynQueue q = layer.synQueue;
        TcpOptions o = layer.output.options();
        int laddr = q.localAddr[e];
        int lport = q.localPort[e];
        int raddr = q.remoteAddr[e];
        int rport = q.remotePort[e];
        o.setMss(layer.output.advertisedMss(raddr));
        if ((q.flags[e] & SynQueue.TS) != 0) {
            o.setTimestamps((int) (nowNs / TcpConfig.MS) + layer.isn.timestampOffset(laddr, lport, raddr, rport),
                    q.tsRecent[e]);
        }
        o.setSackPermitted((q.flags[e] & SynQueue.SACK) != 0);
        if (q.peerWs[e] >= 0) {
            o.setWindowScale(q.listener[e].socket.receiveWindowScale());
        }
        int window = Math.min(BufferPool.ringSize(q.listener[e].socket.receiveBufferOption()), 0xFFFF);
        layer.output.writeRaw(laddr, raddr, lport, rport, q.iss[e], q.irs[e] + 1, TcpFlags.SYN | TcpFlags.ACK,
                window, o);
    }

    /** RFC 4987 §3.6: answer from the cookie alone; options the cookie cannot carry ride in the TSval. */
    private void sendCookieSynAck(Listener l, int src, int dst, TcpSegment seg, TcpOptions opts, long nowNs) {
        TcpConfig cfg = layer.config;
        int sport = seg.srcPort();
        int lport = seg.dstPort();
        int mssIndex = SynCookies.mssIndex(opts.hasMss() ? opts.mss() : 536);
        int iss = cookies.encode(dst, lport, src, sport, seg.seq(), mssIndex, nowNs);
        boolean ts = cfg.timestamps() && opts.hasTimestamps();
        int ws = ts && cfg.windowScaling() && opts.hasWindowScale() ? opts.windowScale() : -1;
        boolean sack = ts && cfg.sack() && opts.sackPermitted();
        TcpOptions o = layer.output.options();
        o.setMss(layer.output.advertisedMss(src));
        if (ts) {
            int clock = (int) (nowNs / TcpConfig.MS) + layer.isn.timestampOffset(dst, lport, src, sport);
            int tsval = (clock & ~SynCookies.TS_OPTION_MASK) | SynCookies.encodeOptions(ws, sack);
            if (Seq.gt(tsval, clock)) {
                tsval -= SynCookies.TS_OPTION_MASK + 1;   // never ahead of our clock (PAWS at the peer)
            }
            o.setTimestamps(tsval, opts.tsVal());
        }
        o.setSackPermitted(sack);
        if (ws >= 0) {
            o.setWindowScale(l.socket.receiveWindowScale());
        }
        if (layer.output.writeRaw(dst, src, lport, sport, iss, seg.seq() + 1, TcpFlags.SYN | TcpFlags.ACK,
                Math.min(BufferPool.ringSize(l.socket.receiveBufferOption()), 0xFFFF), o)) {
            layer.counters.inc(TcpCounters.COOKIES_SENT);
        }
        lastCookieSentNs = nowNs;
    }

    /** A bare ACK to a listener: a returning cookie? Completes the connection if it validates. */
    private boolean cookieAck(Listener l, int src, int dst, TcpSegment seg, TcpOptions opts, long nowNs) {
        int sport = seg.srcPort();
        int clientIsn = seg.seq() - 1;
        int iss = seg.ack() - 1;
        int mssIndex = cookies.check(dst, l.localPort, src, sport, clientIsn, iss, nowNs);
        if (mssIndex < 0) {
            return false;
        }
        layer.counters.inc(TcpCounters.COOKIES_VALIDATED);
        boolean ts = layer.config.timestamps() && opts.hasTimestamps();
        int ws = ts ? SynCookies.decodeWindowScale(opts.tsEcr()) : -1;
        boolean sack = ts && SynCookies.decodeSack(opts.tsEcr());
        Connection c = complete(l, dst, l.localPort, src, sport, iss, clientIsn, SynCookies.MSS_TABLE[mssIndex], ws,
                sack, ts, opts.tsVal(), -1, seg, nowNs);
        if (c != null) {
            layer.input.segmentArrives(c, seg, opts, nowNs);
        }
        return true;
    }

    /** A segment for half-open entry {@code e} (RFC 9293 §3.10.7.4 in SYN-RECEIVED, passive). */
    void synReceived(int e, int src, int dst, TcpSegment seg, TcpOptions opts, long nowNs) {
        SynQueue q = layer.synQueue;
        int f = seg.flags();
        int seq = seg.seq();
        if ((f & TcpFlags.RST) != 0) {
            layer.counters.inc(TcpCounters.RST_RECEIVED);
            // RFC 5961 §3.2: only the exact RCV.NXT; "return this connection to the LISTEN state" (forget it).
            if (seq == q.irs[e] + 1) {
                q.remove(e);
            }
            return;
        }
        if ((f & TcpFlags.SYN) != 0) {
            if ((f & TcpFlags.ACK) == 0 && seq == q.irs[e]) {
                sendSynAck(e, nowNs);           // the client retransmitted its SYN: our SYN-ACK was lost
            }
            return;
        }
        if ((f & TcpFlags.ACK) == 0) {
            return;
        }
        if (seg.ack() != q.iss[e] + 1) {
            layer.output.sendResetReply(dst, src, seg);     // "<SEQ=SEG.ACK><CTL=RST>"
            return;
        }
        if (!Seq.inWindow(seq, q.irs[e] + 1, 0xFFFF + 1)) {
            return;
        }
        long synAckSentNs = q.retries[e] == 0 ? q.deadlineNs[e] - layer.config.rtoInitialNs() : -1;
        Connection c = complete(q.listener[e], q.localAddr[e], q.localPort[e], q.remoteAddr[e], q.remotePort[e],
                q.iss[e], q.irs[e], q.peerMss[e], q.peerWs[e], (q.flags[e] & SynQueue.SACK) != 0,
                (q.flags[e] & SynQueue.TS) != 0, opts.hasTimestamps() ? opts.tsVal() : q.tsRecent[e], synAckSentNs,
                seg, nowNs);
        if (c != null) {
            q.remove(e);
            layer.input.segmentArrives(c, seg, opts, nowNs);
        }
    }

    /**
     * The final ACK arrived: build the connection (buffers, socket slot) in ESTABLISHED and queue it for
     * accept. Null, and the ACK dropped (the peer retransmits), if the accept queue, the connection table, the
     * socket table or the buffer pool is full.
     */
    private Connection complete(Listener l, int laddr, int lport, int raddr, int rport, int iss, int irs,
                                int peerMss, int peerWs, boolean sack, boolean ts, int tsRecent, long synAckSentNs,
                                TcpSegment seg, long nowNs) {
        if (l.acceptQueueFull()) {
            layer.counters.inc(TcpCounters.DROP_BACKLOG_FULL);
            return null;
        }
        TcpSocket listenerSocket = l.socket;
        Connection c = layer.newConnection(laddr, lport, raddr, rport, false, listenerSocket.sendBufferOption(),
                listenerSocket.receiveBufferOption(), nowNs);
        if (c == null) {
            layer.counters.inc(TcpCounters.DROP_NO_MEMORY);
            return null;
        }
        TcpSocket s = layer.newSocket();
        if (s == null) {
            layer.counters.inc(TcpCounters.DROP_NO_MEMORY);
            layer.discard(c);
            layer.output.sendResetReply(laddr, raddr, seg);
            return null;
        }
        c.passive = true;
        c.peerMss = Math.max(Sender.MIN_MSS, peerMss);
        c.wsOk = peerWs >= 0;
        c.sndWs = c.wsOk ? peerWs : 0;
        c.rcvWs = c.wsOk ? listenerSocket.receiveWindowScale() : 0;
        c.sackOk = sack;
        c.tsOk = ts;
        listenerSocket.inheritOptions(c, s);
        Sender snd = c.snd;
        snd.init(iss);
        snd.sndNxt = iss + 1;
        snd.sndUna = iss + 1;
        snd.recoveryPoint = iss + 1;
        snd.sndWnd = (long) seg.window() << c.sndWs;
        snd.maxSndWnd = snd.sndWnd;
        snd.sndWl1 = seg.seq();
        snd.sndWl2 = seg.ack();
        snd.updateMss();
        c.rcv.init(irs);
        if (ts) {
            c.rcv.tsRecent = tsRecent;
            c.rcv.tsRecentNs = nowNs;
        }
        if (synAckSentNs >= 0 && nowNs > synAckSentNs) {
            snd.rtt.sample(nowNs - synAckSentNs);
        }
        c.socket = s;
        s.adopt(c);
        layer.insert(c);
        c.onReceive(nowNs);
        c.established(nowNs);
        l.acceptQueue.add(s);
        layer.counters.inc(TcpCounters.PASSIVE_OPENS);
        listenerSocket.notifyReady();
        return c;
    }
}
