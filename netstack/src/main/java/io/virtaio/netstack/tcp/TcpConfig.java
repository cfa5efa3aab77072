package io.virtaio.netstack.tcp;

/**
 * TCP parameters of a stack. Defaults follow Linux where a standard leaves the choice open (RTO bounds, IW10,
 * TIME_WAIT, delayed-ACK timer, CUBIC).
 *
 * @param sendBufferBytes       per-socket send buffer (SO_SNDBUF default); rounded up to a power of two
 * @param receiveBufferBytes    per-socket receive buffer (SO_RCVBUF default), rounded up to a power of two; the
 *                              advertised window derives from it
 * @param rtoInitialNs          RFC 6298 §2.1: 1 s
 * @param rtoMinNs              RFC 6298 §2.4 allows 1 s; Linux uses 200 ms
 * @param rtoMaxNs              RFC 6298 §2.5: at least 60 s
 * @param maxRetransmits        consecutive retransmission timeouts (or unanswered window probes) before the
 *                              connection ends with ETIMEDOUT
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
 * @param keepAliveIdleNs       0 = keepalive off by default (RFC 1122 4.2.3.6); else idle time before probing
 * @param rackTlp               RFC 8985 RACK-TLP loss detection (used when SACK is negotiated)
 * @param synAckRetries         SYN-ACK retransmissions of a half-open connection (Linux tcp_synack_retries 5)
 * @param keepAliveIntervalNs   between keepalive probes (Linux 75 s)
 * @param keepAliveProbes       unanswered keepalive probes before ETIMEDOUT (Linux 9)
 * @param finWait2TimeoutNs     how long a closed (orphaned) socket waits in FIN_WAIT_2 for the peer's FIN
 * @param timeWaitLimit         TIME_WAIT entries kept stack-wide; beyond, the oldest is ended early (as Linux's
 *                              tcp_max_tw_buckets)
 * @param maxOrphans            closed sockets whose connection still lives (FIN_WAIT, LAST_ACK, …); beyond, new
 *                              orphans are reset
 * @param bufferPoolBytes       native memory all send and receive rings of the stack may use; beyond it connect
 *                              fails with ENOBUFS and new passive connections are refused
 * @param sendBufferMaxBytes    the most a send buffer grows to by autotuning (Linux tcp_wmem[2], 4 MiB), as the
 *                              congestion window needs (twice cwnd, for fast recovery); not for a socket whose
 *                              SO_SNDBUF was set; at or below {@code sendBufferBytes}, no autotuning
 * @param receiveBufferMaxBytes the most a receive buffer grows to by autotuning (Linux tcp_rmem[2]), as the
 *                              application's reading rate per round trip needs (dynamic right-sizing); not for a
 *                              socket whose SO_RCVBUF was set; the window scale is chosen for it
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
        boolean rackTlp,
        int synAckRetries,
        long keepAliveIntervalNs,
        int keepAliveProbes,
        long finWait2TimeoutNs,
        int timeWaitLimit,
        int maxOrphans,
        long bufferPoolBytes,
        int sendBufferMaxBytes,
        int receiveBufferMaxBytes) {

    public static final long MS = 1_000_000L;
    /** The largest socket buffer: keeps every window below 2^30 (RFC 7323 §2.3). */
    public static final int MAX_BUFFER_BYTES = 1 << 28;

    public static TcpConfig defaults() {
        return new TcpConfig(256 * 1024, 256 * 1024, 1000 * MS, 200 * MS, 60_000 * MS, 15, 6, 60_000 * MS,
                40 * MS, false, true, true, true, "cubic", 10, 256, true, 4096, 1000, 32, 0, true,
                5, 75_000 * MS, 9, 60_000 * MS, 65_536, 4096, 1L << 30, 4 << 20, 4 << 20);
    }

    public TcpConfig {
        if (sendBufferBytes < 1024 || receiveBufferBytes < 1024
                || sendBufferBytes > MAX_BUFFER_BYTES || receiveBufferBytes > MAX_BUFFER_BYTES
                || sendBufferMaxBytes < 0 || receiveBufferMaxBytes < 0
                || sendBufferMaxBytes > MAX_BUFFER_BYTES || receiveBufferMaxBytes > MAX_BUFFER_BYTES) {
            throw new IllegalArgumentException("TCP buffers must be within 1 KiB .. 256 MiB");
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
                || keepAliveIdleNs < 0 || synAckRetries < 0 || keepAliveIntervalNs <= 0 || keepAliveProbes < 1
                || finWait2TimeoutNs <= 0 || timeWaitLimit < 1 || maxOrphans < 0 || bufferPoolBytes < 2048) {
            throw new IllegalArgumentException("invalid TCP configuration: " + this);
        }
    }

    public TcpConfig withBuffers(int sendBytes, int receiveBytes) {
        return edit(b -> {
            b.sendBufferBytes = sendBytes;
            b.receiveBufferBytes = receiveBytes;
        });
    }

    /** The same configuration with autotuning bounds as given (at or below the initial sizes: no autotuning). */
    public TcpConfig withBufferLimits(int sendMaxBytes, int receiveMaxBytes) {
        return edit(b -> {
            b.sendBufferMaxBytes = sendMaxBytes;
            b.receiveBufferMaxBytes = receiveMaxBytes;
        });
    }

    /** The largest receive buffer a socket with {@code initialBytes} may have: its window scale must cover it. */
    int receiveBufferCeiling(int initialBytes, boolean locked) {
        return locked ? initialBytes : Math.max(initialBytes, receiveBufferMaxBytes);
    }

    public TcpConfig withTimeWait(long ns) {
        return edit(b -> b.timeWaitNs = ns);
    }

    public TcpConfig withCongestionControl(String name) {
        return edit(b -> b.congestionControl = name);
    }

    public TcpConfig withNoDelay(boolean noDelay) {
        return edit(b -> b.noDelayDefault = noDelay);
    }

    /** The same configuration with the RFC 7323/2018 extensions switched as given. */
    public TcpConfig withExtensions(boolean scaling, boolean ts, boolean sackOn) {
        return edit(b -> {
            b.windowScaling = scaling;
            b.timestamps = ts;
            b.sack = sackOn;
        });
    }

    /** The same configuration with RFC 6298 bounds and the retransmission limit as given. */
    public TcpConfig withRto(long initialNs, long minNs, long maxNs, int retransmits) {
        return edit(b -> {
            b.rtoInitialNs = initialNs;
            b.rtoMinNs = minNs;
            b.rtoMaxNs = maxNs;
            b.maxRetransmits = retransmits;
        });
    }

    public TcpConfig withSynRetries(int retries) {
        return edit(b -> b.synRetries = retries);
    }

    public TcpConfig withDelayedAck(long ns) {
        return edit(b -> b.delayedAckNs = ns);
    }

    public TcpConfig withInitialWindow(int segments) {
        return edit(b -> b.initialWindowSegments = segments);
    }

    /** The same configuration with the SYN queue bound and SYN cookies as given. */
    public TcpConfig withSynQueue(int limit, boolean cookies) {
        return edit(b -> {
            b.synQueueLimit = limit;
            b.synCookies = cookies;
        });
    }

    public TcpConfig withChallengeAckLimit(int perSecond) {
        return edit(b -> b.challengeAcksPerSecond = perSecond);
    }

    public TcpConfig withReassemblyMaxRanges(int ranges) {
        return edit(b -> b.reassemblyMaxRanges = ranges);
    }

    public TcpConfig withRackTlp(boolean on) {
        return edit(b -> b.rackTlp = on);
    }

    /** The same configuration with keepalive idle time, probe interval and probe count as given (idle 0 = off). */
    public TcpConfig withKeepAlive(long idleNs, long intervalNs, int probes) {
        return edit(b -> {
            b.keepAliveIdleNs = idleNs;
            b.keepAliveIntervalNs = intervalNs;
            b.keepAliveProbes = probes;
        });
    }

    /** The same configuration with the stack-wide memory bounds as given. */
    public TcpConfig withLimits(int timeWaitEntries, int orphans, long poolBytes) {
        return edit(b -> {
            b.timeWaitLimit = timeWaitEntries;
            b.maxOrphans = orphans;
            b.bufferPoolBytes = poolBytes;
        });
    }

    private TcpConfig edit(java.util.function.Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** Mutable copy used by the {@code with...} methods, so each names only what it changes. */
    private static final class Builder {
        int sendBufferBytes;
        int receiveBufferBytes;
        long rtoInitialNs;
        long rtoMinNs;
        long rtoMaxNs;
        int maxRetransmits;
        int synRetries;
        long timeWaitNs;
        long delayedAckNs;
        boolean noDelayDefault;
        boolean windowScaling;
        boolean timestamps;
        boolean sack;
        String congestionControl;
        int initialWindowSegments;
        int synQueueLimit;
        boolean synCookies;
        int maxBacklog;
        int challengeAcksPerSecond;
        int reassemblyMaxRanges;
        long keepAliveIdleNs;
        boolean rackTlp;
        int synAckRetries;
        long keepAliveIntervalNs;
        int keepAliveProbes;
        long finWait2TimeoutNs;
        int timeWaitLimit;
        int maxOrphans;
        long bufferPoolBytes;
        int sendBufferMaxBytes;
        int receiveBufferMaxBytes;

        Builder(TcpConfig c) {
            sendBufferBytes = c.sendBufferBytes;
            receiveBufferBytes = c.receiveBufferBytes;
            rtoInitialNs = c.rtoInitialNs;
            rtoMinNs = c.rtoMinNs;
            rtoMaxNs = c.rtoMaxNs;
            maxRetransmits = c.maxRetransmits;
            synRetries = c.synRetries;
            timeWaitNs = c.timeWaitNs;
            delayedAckNs = c.delayedAckNs;
            noDelayDefault = c.noDelayDefault;
            windowScaling = c.windowScaling;
            timestamps = c.timestamps;
            sack = c.sack;
            congestionControl = c.congestionControl;
            initialWindowSegments = c.initialWindowSegments;
            synQueueLimit = c.synQueueLimit;
            synCookies = c.synCookies;
            maxBacklog = c.maxBacklog;
            challengeAcksPerSecond = c.challengeAcksPerSecond;
            reassemblyMaxRanges = c.reassemblyMaxRanges;
            keepAliveIdleNs = c.keepAliveIdleNs;
            rackTlp = c.rackTlp;
            synAckRetries = c.synAckRetries;
            keepAliveIntervalNs = c.keepAliveIntervalNs;
            keepAliveProbes = c.keepAliveProbes;
            finWait2TimeoutNs = c.finWait2TimeoutNs;
            timeWaitLimit = c.timeWaitLimit;
            maxOrphans = c.maxOrphans;
            bufferPoolBytes = c.bufferPoolBytes;
            sendBufferMaxBytes = c.sendBufferMaxBytes;
            receiveBufferMaxBytes = c.receiveBufferMaxBytes;
        }

        TcpConfig build() {
            return new TcpConfig(sendBufferBytes, receiveBufferBytes, rtoInitialNs, rtoMinNs, rtoMaxNs,
                    maxRetransmits, synRetries, timeWaitNs, delayedAckNs, noDelayDefault, windowScaling, timestamps,
                    sack, congestionControl, initialWindowSegments, synQueueLimit, synCookies, maxBacklog,
                    challengeAcksPerSecond, reassemblyMaxRanges, keepAliveIdleNs, rackTlp, synAckRetries,
                    keepAliveIntervalNs, keepAliveProbes, finWait2TimeoutNs, timeWaitLimit, maxOrphans,
                    bufferPoolBytes, sendBufferMaxBytes, receiveBufferMaxBytes);
        }
    }
}
