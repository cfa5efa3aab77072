package io.virtaio.netstack.tcp;

/**
 * A snapshot of one connection's state and counters, in the spirit of Linux's {@code struct tcp_info}. Times in
 * ns, windows in bytes.
 *
 * @param state              connection state
 * @param congestionControl  controller name
 * @param mss                SMSS (payload of a full-sized segment we send)
 * @param peerMss            MSS the peer announced
 * @param cwnd               congestion window
 * @param ssthresh           slow-start threshold ({@link Long#MAX_VALUE} until the first loss)
 * @param srttNs             smoothed RTT (RFC 6298), 0 before the first sample
 * @param rttvarNs           RTT variation
 * @param rtoNs              current retransmission timeout including backoff
 * @param minRttNs           smallest RTT sample
 * @param sendWindow         the peer's window (scaled)
 * @param receiveWindow      the window we advertised last
 * @param sendWindowScale    shift applied to the peer's windows
 * @param receiveWindowScale shift applied to ours
 * @param timestamps         RFC 7323 timestamps in use
 * @param sack               RFC 2018 SACK in use
 * @param unackedBytes       SND.NXT − SND.UNA
 * @param sackedBytes        bytes the peer SACKed above SND.UNA
 * @param lostBytes          bytes deemed lost, not yet retransmitted
 * @param retransInFlight    retransmitted bytes in flight
 * @param pipe               RFC 6675 pipe
 * @param inRecovery         fast recovery in progress
 * @param segsIn             segments received
 * @param segsOut            segments sent
 * @param bytesIn            payload bytes received in order
 * @param bytesOut           payload bytes sent (including retransmissions)
 * @param bytesRetransmitted payload bytes retransmitted
 * @param retransRto         segments retransmitted after a timeout
 * @param retransFast        segments retransmitted by fast recovery (SACK/RACK or duplicate ACKs)
 * @param retransTlp         tail loss probes that retransmitted
 * @param sackRecoveries     recovery episodes driven by SACK
 * @param renoRecoveries     recovery episodes driven by duplicate ACKs (NewReno)
 * @param dupAcks            duplicate ACKs received
 * @param outOfOrderSegs     segments received out of order
 * @param dropsOutOfWindow   segments dropped as outside the window
 * @param dropsPaws          segments rejected by PAWS
 * @param challengeAcks      challenge ACKs sent (RFC 5961)
 * @param readable           bytes ready to read
 * @param writable           free space in the send buffer
 */
public record TcpInfo(
        TcpState state,
        String congestionControl,
        int mss,
        int peerMss,
        long cwnd,
        long ssthresh,
        long srttNs,
        long rttvarNs,
        long rtoNs,
        long minRttNs,
        long sendWindow,
        int receiveWindow,
        int sendWindowScale,
        int receiveWindowScale,
        boolean timestamps,
        boolean sack,
        long unackedBytes,
        long sackedBytes,
        long lostBytes,
        long retransInFlight,
        long pipe,
        boolean inRecovery,
        long segsIn,
        long segsOut,
        long bytesIn,
        long bytesOut,
        long bytesRetransmitted,
        long retransRto,
        long retransFast,
        long retransTlp,
        long sackRecoveries,
        long renoRecoveries,
        long dupAcks,
        long outOfOrderSegs,
        long dropsOutOfWindow,
        long dropsPaws,
        long challengeAcks,
        int readable,
        int writable) {

    static TcpInfo of(Connection c) {
        Sender s = c.snd;
        Receiver r = c.rcv;
        return new TcpInfo(c.state, s.cc.name(), s.mss, c.peerMss, s.cc.cwnd(), s.cc.ssthresh(), s.rtt.srttNs(),
                s.rtt.rttvarNs(), s.rtt.rtoNs(), s.rtt.minRttNs() == Long.MAX_VALUE ? 0 : s.rtt.minRttNs(),
                s.sndWnd, r.window(), c.sndWs, c.rcvWs, c.tsOk, c.sackOk, s.flight(), s.board.sackedBytes,
                s.board.lostBytes, s.board.retransBytes, s.pipe(), s.inRecovery, c.segsIn, c.segsOut, c.bytesIn,
                c.bytesOut, c.bytesRetrans, c.retransRto, c.retransFast, c.retransTlp, c.sackRecoveries,
                c.renoRecoveries, c.dupAcksIn, c.oooSegs, c.dropsOutOfWindow, c.dropsPaws, c.challengeAcks,
                r.readable(), s.buf != null && s.buf.attached() ? s.buf.free() : 0);
    }
}
