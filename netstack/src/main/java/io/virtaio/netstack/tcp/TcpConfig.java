package io.virtaio.netstack.tcp;

/**
 * TCP parameters of a stack. Defaults follow Linux where a standard leaves the choice open (RTO bounds, IW10,
 * TIME_WAIT, delayed-ACK timer, CUBIC).
 *
 * @param sendBufferBytes       per-socket send buffer (SO_SNDBUF default)
 * @param receiveBufferBytes    per-socket receive buffer (SO_RCVBUF default); the advertised window derives from it
 * @param rtoInitialNs          RFC 6298 §2.1: 1 s
 * @param rtoMinNs              RFC 6298 §2.4 allows 1 s; Linux uses 200 ms
 * @param rtoMaxNs              RFC 6298 §2.5: at least 60 s
 * @param maxRetransmits        consecutive retransmission timeouts before the connection ends with ETIMEDOUT
 * @param synRetries            SYN retransmissions before connect fails with ETIMEDOUT
 * @param timeWaitNs            2·MSL; RFC 9293 §3.4.2 suggests MSL = 2 min, Linux uses 60 s in total
 * @param delayedAckNs          RFC 9293 §3.8.6.3 / RFC 1122 4.2.3.2: at most 500 ms; 40 ms as Linux
 * @param noDelayDefault        TCP_NODELAY by default (Nagle off)
 * @param windowScaling         RFC 7323 §2
 * @param timestamps            RFC 7323 §3
 * @param sack                  RFC 2018
 * @param congestionControl     "cubic" (RFC 9438) or "newreno" (RFC 5681, RFC 6582)
 * @param initialWindowSegments RFC 6928: 10
 * @param synQueueLimit         half-open connections per listener before SYN cookies (RFC 4987 §3.6)
 * @param synCookies            answer SYNs with cookies when the SYN queue is full
 * @param maxBacklog            cap on listen(2) backlogs
 * @param challengeAcksPerSecond RFC 5961 §7 rate limit
 * @param reassemblyMaxRanges   out-of-order ranges kept per connection (beyond: newest dropped)
 * @param keepAliveIdleNs       0 = keepalive off by default (RFC 1122 4.2.3.6)
 * @param rackTlp               RFC 8985 RACK-TLP loss detection
 */
public record TcpConfig(
        int sendBufferBytes,
        int receiveBufferBytes,
        long rtoInitialNs,
        long rtoMinNs,
        long rtoMaxNs,
        int maxRetransmits,
        int synRetries,
        long timeWaitNs,
        long delayedAckNs,
        boolean noDelayDefault,
        boolean windowScaling,
        boolean timestamps,
        boolean sack,
        String congestionControl,
        int initialWindowSegments,
        int synQueueLimit,
        boolean synCookies,
        int maxBacklog,
        int challengeAcksPerSecond,
        int reassemblyMaxRanges,
        long keepAliveIdleNs,
        boolean rackTlp) {

    public static final long MS = 1_000_000L;

    public static TcpConfig defaults() {
        return new TcpConfig(256 * 1024, 256 * 1024, 1000 * MS, 200 * MS, 60_000 * MS, 15, 6, 60_000 * MS,
                40 * MS, false, true, true, true, "cubic", 10, 256, true, 4096, 1000, 32, 0, true);
    }

    public TcpConfig {
        if (sendBufferBytes < 1024 || receiveBufferBytes < 1024) {
            throw new IllegalArgumentException("TCP buffers must be at least 1 KiB");
        }
        if (rtoMinNs <= 0 || rtoInitialNs < rtoMinNs || rtoMaxNs < rtoInitialNs) {
            throw new IllegalArgumentException("need 0 < rtoMin <= rtoInitial <= rtoMax");
        }
        if (delayedAckNs < 0 || delayedAckNs > 500 * MS) {
            throw new IllegalArgumentException("delayed ACK must be within 0..500 ms (RFC 1122 4.2.3.2)");
        }
        if (!congestionControl.equals("cubic") && !congestionControl.equals("newreno")) {
            throw new IllegalArgumentException("congestion control must be cubic or newreno: " + congestionControl);
        }
        if (maxRetransmits < 1 || synRetries < 0 || timeWaitNs < 0 || initialWindowSegments < 1
                || synQueueLimit < 1 || maxBacklog < 1 || challengeAcksPerSecond < 0 || reassemblyMaxRanges < 1
                || keepAliveIdleNs < 0) {
            throw new IllegalArgumentException("invalid TCP configuration: " + this);
        }
    }

    public TcpConfig withBuffers(int sendBytes, int receiveBytes) {
        return new TcpConfig(sendBytes, receiveBytes, rtoInitialNs, rtoMinNs, rtoMaxNs, maxRetransmits, synRetries,
                timeWaitNs, delayedAckNs, noDelayDefault, windowScaling, timestamps, sack, congestionControl,
                initialWindowSegments, synQueueLimit, synCookies, maxBacklog, challengeAcksPerSecond,
                reassemblyMaxRanges, keepAliveIdleNs, rackTlp);
    }

    public TcpConfig withTimeWait(long ns) {
        return new TcpConfig(sendBufferBytes, receiveBufferBytes, rtoInitialNs, rtoMinNs, rtoMaxNs, maxRetransmits,
                synRetries, ns, delayedAckNs, noDelayDefault, windowScaling, timestamps, sack, congestionControl,
                initialWindowSegments, synQueueLimit, synCookies, maxBacklog, challengeAcksPerSecond,
                reassemblyMaxRanges, keepAliveIdleNs, rackTlp);
    }

    public TcpConfig withCongestionControl(String name) {
        return new TcpConfig(sendBufferBytes, receiveBufferBytes, rtoInitialNs, rtoMinNs, rtoMaxNs, maxRetransmits,
                synRetries, timeWaitNs, delayedAckNs, noDelayDefault, windowScaling, timestamps, sack, name,
                initialWindowSegments, synQueueLimit, synCookies, maxBacklog, challengeAcksPerSecond,
                reassemblyMaxRanges, keepAliveIdleNs, rackTlp);
    }

    public TcpConfig withNoDelay(boolean noDelay) {
        return new TcpConfig(sendBufferBytes, receiveBufferBytes, rtoInitialNs, rtoMinNs, rtoMaxNs, maxRetransmits,
                synRetries, timeWaitNs, delayedAckNs, noDelay, windowScaling, timestamps, sack, congestionControl,
                initialWindowSegments, synQueueLimit, synCookies, maxBacklog, challengeAcksPerSecond,
                reassemblyMaxRanges, keepAliveIdleNs, rackTlp);
    }

    /** The same configuration with the RFC 7323/2018 extensions switched as given. */
    public TcpConfig withExtensions(boolean scaling, boolean ts, boolean sackOn) {
        return new TcpConfig(sendBufferBytes, receiveBufferBytes, rtoInitialNs, rtoMinNs, rtoMaxNs, maxRetransmits,
                synRetries, timeWaitNs, delayedAckNs, noDelayDefault, scaling, ts, sackOn, congestionControl,
                initialWindowSegments, synQueueLimit, synCookies, maxBacklog, challengeAcksPerSecond,
                reassemblyMaxRanges, keepAliveIdleNs, rackTlp);
    }
}
