package io.virtaio.netstack.tcp;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.time.Timer;

/**
 * One connection's transmission control block (RFC 9293 §3.3.1): its 4-tuple, state, the options negotiated in
 * the handshake, the send and receive halves ({@link Sender}, {@link Receiver}), its timers, and the link to the
 * user's socket. Input processing ({@link TcpInput}) and segment output ({@link TcpOutput}) work on it; this class
 * holds the state transitions that concern the whole connection (establishment, close, teardown).
 *
 * <p>A connection outlives its socket after {@link TcpSocket#close()} (an orphan, until its FIN is acknowledged);
 * once its socket is gone and it reaches TIME_WAIT it is replaced by a tiny {@link TimeWaitTable} entry.
 */
final class Connection {
    final TcpLayer layer;
    final int localAddr;
    final int localPort;
    final int remoteAddr;
    final int remotePort;
    /** Whether the local port was chosen for this connection (released with it). */
    final boolean ephemeralPort;

    TcpState state = TcpState.CLOSED;
    /** The user's socket; null once it was closed (orphan). */
    TcpSocket socket;
    /** Whether this connection was opened passively (RFC 9293 §3.10.7.4: a RST in SYN_RECEIVED returns to LISTEN). */
    boolean passive;
    /** The socket was closed while the connection lives on (counted against {@link TcpConfig#maxOrphans()}). */
    boolean orphaned;

    // Options negotiated in the handshake (RFC 7323, RFC 2018).
    boolean tsOk;
    boolean sackOk;
    /** Both sides sent Window Scale (RFC 7323 §2.2); otherwise both shifts are 0. */
    boolean wsOk;
    /** RFC 7323 §2.3: the shift applied to windows the peer sends (Snd.Wind.Shift). */
    int sndWs;
    /** The shift applied to windows we send (Rcv.Wind.Shift). */
    int rcvWs;
    /** RFC 7323 §5.4 TS.Offset. */
    int tsOffset;
    /** MSS the peer announced (RFC 9293 §3.7.1: 536 when absent). */
    int peerMss = 536;
    /** Largest transport part toward the peer (MTU − 20), lowered by ICMP fragmentation-needed (RFC 1191). */
    int pathL4;
    boolean noDelay;
    boolean keepAlive;
    int lingerSeconds = -1;

    final Sender snd;
    final Receiver rcv;

    /** RTO, TLP, RACK reordering, persist: the "retransmission timer" of Linux, multiplexed by deadlines. */
    final Timer rtxTimer;
    final Timer delAckTimer;
    /** Keepalive, FIN_WAIT_2 timeout, TIME_WAIT of a connection whose socket is still open. */
    final Timer lifeTimer;

    // Output queue links (TcpLayer), intrusive so queueing allocates nothing.
    Connection outPrev;
    Connection outNext;
    boolean outQueued;
    /** A RST must be sent (abort) before anything else. */
    boolean rstPending;

    int keepAliveProbesSent;
    long lastReceiveNs;

    // Per-connection counters (TcpInfo).
    long segsIn;
    long segsOut;
    long bytesIn;
    long bytesOut;
    long bytesRetrans;
    long retransRto;
    long retransFast;
    long retransTlp;
    long sackRecoveries;
    long renoRecoveries;
    long dupAcksIn;
    long oooSegs;
    long dropsOutOfWindow;
    long dropsPaws;
    long challengeAcks;

    Connection(TcpLayer layer, int localAddr, int localPort, int remoteAddr, int remotePort, boolean ephemeralPort,
               TcpConfig cfg, int sendBytes, int receiveBytes, long nowNs) {
        this.layer = layer;
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.remoteAddr = remoteAddr;
        this.remotePort = remotePort;
        this.ephemeralPort = ephemeralPort;
        this.snd = new Sender(this, cfg, sendBytes);
        this.rcv = new Receiver(this, cfg, receiveBytes);
        this.rtxTimer = new Timer(snd::onTimer);
        this.delAckTimer = new Timer(rcv::onDelayedAckTimer);
        this.lifeTimer = new Timer(this::onLifeTimer);
        this.noDelay = cfg.noDelayDefault();
        this.keepAlive = cfg.keepAliveIdleNs() > 0;
        this.lastReceiveNs = nowNs;
    }

    TcpConfig config() {
        return layer.config;
    }

    /** RFC 7323 §4: our TSval, a millisecond clock plus the connection's offset. */
    int tsVal(long nowNs) {
        return (int) (nowNs / TcpConfig.MS) + tsOffset;
    }

    /** True in the synchronized states that carry data toward the peer (RFC 9293 §3.3.2). */
    boolean canSendData() {
        return state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT;
    }

    /** States in which queued data, retransmissions or our FIN may still go out. */
    boolean canSendOrFin() {
        return switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK -> true;
            default -> false;
        };
    }

    boolean isSynchronized() {
        return state != TcpState.CLOSED && state != TcpState.LISTEN && state != TcpState.SYN_SENT
                && state != TcpState.SYN_RECEIVED;
    }

    /** Queues this connection for the next {@link TcpLayer#output}. */
    void wantOutput() {
        layer.scheduleOutput(this);
    }

    /** Tells the socket's owner its readiness may have changed. */
    void notifySocket() {
        TcpSocket s = socket;
        if (s != null) {
            s.notifyReady();
        }
    }

    void setState(TcpState next) {
        state = next;
        notifySocket();
    }

    /** The handshake completed (RFC 9293 §3.10.7.3/§3.10.7.4 SYN_SENT/SYN_RECEIVED to ESTABLISHED). */
    void established(long nowNs) {
        layer.counters.inc(TcpCounters.CONN_ESTABLISHED);
        setState(TcpState.ESTABLISHED);
        snd.onEstablished(nowNs);
        if (keepAlive) {
            armKeepAlive(nowNs);
        }
        if (socket != null) {
            socket.onEstablished(this);
        }
    }

    /** Our FIN was acknowledged or the peer's arrived: the transitions of RFC 9293 §3.10.7.4 steps 5 and 8. */
    void enterTimeWait(long nowNs) {
        state = TcpState.TIME_WAIT;
        layer.counters.inc(TcpCounters.TIME_WAIT_ENTERED);
        if (socket == null) {
            layer.toTimeWait(this, nowNs);
            return;
        }
        // The socket is still open (the application may still read): keep the connection, without its send ring.
        snd.releaseBuffer();
        layer.timers().cancel(rtxTimer);
        layer.timers().cancel(delAckTimer);
        layer.timers().arm(lifeTimer, nowNs + config().timeWaitNs());
        notifySocket();
    }

    /** The connection ends with {@code errno} (0 for a normal close); optionally tells the peer with a RST. */
    void fail(int errno, boolean sendRst, long nowNs) {
        if (state == TcpState.CLOSED) {
            return;
        }
        if (sendRst && state != TcpState.SYN_SENT && state != TcpState.TIME_WAIT) {
            layer.output.sendResetFor(this, nowNs);
        }
        if (errno == Errno.ETIMEDOUT) {
            layer.counters.inc(TcpCounters.CONN_TIMEOUTS);
        } else if (errno == Errno.ECONNRESET) {
            layer.counters.inc(TcpCounters.CONN_RESETS);
        } else if (errno == Errno.ECONNREFUSED) {
            layer.counters.inc(TcpCounters.CONN_REFUSED);
        }
        TcpSocket s = socket;
        destroy();
        if (s != null) {
            s.onConnectionEnded(errno);
        }
    }

    /** Frees everything: timers, table entries, buffers; the state becomes CLOSED. */
    void destroy() {
        state = TcpState.CLOSED;
        layer.timers().cancel(rtxTimer);
        layer.timers().cancel(delAckTimer);
        layer.timers().cancel(lifeTimer);
        layer.unschedule(this);
        layer.forget(this);
        snd.releaseBuffer();
        if (socket == null) {
            rcv.releaseBuffer();
        }
        notifySocket();
    }

    void armKeepAlive(long nowNs) {
        long idle = config().keepAliveIdleNs() > 0 ? config().keepAliveIdleNs() : 7_200_000 * TcpConfig.MS;
        keepAliveProbesSent = 0;
        layer.timers().arm(lifeTimer, nowNs + idle);
    }

    /** Something arrived from the peer: keepalive starts over. */
    void onReceive(long nowNs) {
        lastReceiveNs = nowNs;
        keepAliveProbesSent = 0;
    }

    private void onLifeTimer(long nowNs) {
        switch (state) {
            case TIME_WAIT -> fail(0, false, nowNs);
            case FIN_WAIT_2 -> {
                if (socket == null) {
                    // Linux tcp_fin_timeout: an orphan does not wait forever for the peer's FIN.
                    fail(0, true, nowNs);
                }
            }
            case ESTABLISHED, CLOSE_WAIT -> keepAliveTimer(nowNs);
            default -> {
            }
        }
    }

    /** RFC 1122 4.2.3.6: after an idle interval, probe; after the configured count unanswered, end the connection. */
    private void keepAliveTimer(long nowNs) {
        if (!keepAlive) {
            return;
        }
        TcpConfig cfg = config();
        long idle = cfg.keepAliveIdleNs() > 0 ? cfg.keepAliveIdleNs() : 7_200_000 * TcpConfig.MS;
        long idleFor = nowNs - lastReceiveNs;
        if (idleFor < idle && keepAliveProbesSent == 0) {
            layer.timers().arm(lifeTimer, lastReceiveNs + idle);
            return;
        }
        if (keepAliveProbesSent >= cfg.keepAliveProbes()) {
            fail(Errno.ETIMEDOUT, true, nowNs);
            return;
        }
        keepAliveProbesSent++;
        layer.counters.inc(TcpCounters.KEEPALIVE_PROBES);
        snd.probePending = true;
        wantOutput();
        layer.timers().arm(lifeTimer, nowNs + cfg.keepAliveIntervalNs());
    }
}
