package io.virtaio.netstack.tcp;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import io.virtaio.netstack.StackContext;
import io.virtaio.netstack.time.TimerWheel;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.netstack.wire.Seq;
import io.virtaio.netstack.wire.TcpOptions;
import io.virtaio.netstack.wire.TcpSegment;
import io.virtaio.netstack.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * TCP for one stack: the connection table, listeners, and the segment input and output paths.
 *
 * <p>Thread: the stack's. The stack calls {@link #input} for every TCP segment addressed to it, {@link #icmpError}
 * for ICMP errors quoting a TCP segment, and {@link #output} once per poll after input and timers, so that ACKs
 * for a batch of received segments coalesce.
 *
 * <p>How the stack drives it, per poll: {@code ctx.setNow(now)}; every received TCP segment to {@link #input};
 * {@code ctx.timers().advance(now)}; then {@link #output}. After socket calls made between polls, {@link #output}
 * again (Stack.flush). The next time TCP needs to run is the wheel's {@code nextDeadlineNs()}, or now if
 * {@link #hasPendingOutput()}. {@link #input} and timers may write stateless segments at once through
 * {@link io.virtaio.netstack.ip.Ipv4Output} (RSTs, SYN-ACKs of the SYN queue and cookies, TIME_WAIT ACKs), so the
 * output layer must not deliver a loopback packet synchronously back into {@link #input}: queue it for the next
 * poll. {@code begin} returning null with {@code -ENOBUFS} leaves the connection queued (retried next output);
 * with a routing error the segment counts as lost and the error is reported if the connection times out.
 * Segments are committed with a zero checksum field at offset 16 for the output layer to fill.
 *
 * <p>What it owns: the demultiplexing table ({@link ConnectionTable}), listeners and local ports ({@link Ports}),
 * the SYN queue ({@link SynQueue}) and SYN cookies, the TIME_WAIT table ({@link TimeWaitTable}), the native buffer
 * pool for every connection's rings ({@link BufferPool}), the queue of connections with output pending, and the
 * stack-wide counters. Every one of them is bounded by {@link TcpConfig} or the socket table size.
 */
public final class TcpLayer {
    final StackContext ctx;
    final TcpConfig config;
    final TcpCounters counters = new TcpCounters();
    final BufferPool pool;
    final ConnectionTable table;
    final TimeWaitTable timeWait;
    final SynQueue synQueue;
    final Ports ports;
    final Isn isn;
    final TcpInput input;
    final TcpOutput output;
    final PassiveOpen passive;

    private final TcpSegment view = new TcpSegment();
    private final TcpOptions opts = new TcpOptions();
    private Connection outHead;
    private Connection outTail;
    private int outCount;
    private long challengeSecond = -1;
    private int challengeCount;
    int orphans;
    private boolean closed;

    public TcpLayer(StackContext ctx) {
        this.ctx = ctx;
        this.config = ctx.config().tcp();
        this.pool = new BufferPool(config.bufferPoolBytes());
        this.isn = new Isn(ctx.secret0(), ctx.secret1());
        long seed = isn.hash(0, 0, 0, 0, 9);
        this.table = new ConnectionTable(ctx.maxSockets() + config.maxOrphans(), seed);
        this.timeWait = new TimeWaitTable(this, config.timeWaitLimit(), seed ^ 1);
        int synCapacity = Math.min(65_536, Math.max(config.synQueueLimit(), config.synQueueLimit() * 8));
        this.synQueue = new SynQueue(this, synCapacity, seed ^ 2);
        this.ports = new Ports(ctx.random().split());
        this.input = new TcpInput(this);
        this.output = new TcpOutput(this);
        this.passive = new PassiveOpen(this, new SynCookies(isn));
    }

    TimerWheel timers() {
        return ctx.timers();
    }

    /**
     * A TCP segment arrived. The IPv4 header was valid and addressed to this stack.
     *
     * @param src        source address (IPv4 header)
     * @param dst        destination address (IPv4 header; ours)
     * @param seg        segment holding the TCP header and payload
     * @param off        offset of the TCP header
     * @param len        TCP header + payload length (from the IPv4 total length)
     * @param checksumOk the device vouched for the checksum (no software verification needed)
     */
    public void input(int src, int dst, MemorySegment seg, long off, int len, boolean checksumOk, long nowNs) {
        if (closed) {
            return;
        }
        if (len < TcpSegment.MIN_HEADER_LENGTH || off < 0 || off + len > seg.byteSize()) {
            counters.inc(TcpCounters.DROP_MALFORMED);
            return;
        }
        TcpSegment v = view.wrap(seg, off, len);
        if (v.check() != WireError.OK) {
            counters.inc(TcpCounters.DROP_MALFORMED);
            return;
        }
        // RFC 9293 §3.1 / MUST-3: verify the checksum unless the device did.
        if (!checksumOk && !v.verifyChecksum(src, dst)) {
            counters.inc(TcpCounters.DROP_CHECKSUM);
            return;
        }
        if (opts.parse(v) != WireError.OK) {
            counters.inc(TcpCounters.DROP_BAD_OPTION);
            return;
        }
        counters.inc(TcpCounters.SEGS_IN);
        int sport = v.srcPort();
        int dport = v.dstPort();
        // RFC 1122 4.2.3.10 / RFC 9293 §3.10.7.2: never answer to or from broadcast, multicast or port 0.
        if (sport == 0 || dport == 0 || src == 0 || Ipv4Address.isBroadcast(src) || Ipv4Address.isMulticast(src)
                || Ipv4Address.isBroadcast(dst) || Ipv4Address.isMulticast(dst)) {
            counters.inc(TcpCounters.DROP_BAD_ADDRESS);
            return;
        }
        Connection c = table.find(dst, dport, src, sport);
        if (c != null) {
            input.segmentArrives(c, v, opts, nowNs);
            return;
        }
        int tw = timeWait.find(dst, dport, src, sport);
        if (tw >= 0 && timeWait.segment(tw, v, opts, nowNs)) {
            return;
        }
        int e = synQueue.find(dst, dport, src, sport);
        if (e >= 0) {
            passive.synReceived(e, src, dst, v, opts, nowNs);
            return;
        }
        Listener l = ports.listener(dport);
        if (l != null && (l.localAddr == 0 || l.localAddr == dst)) {
            passive.listen(l, src, dst, v, opts, nowNs);
            return;
        }
        // RFC 9293 §3.10.7.1: no connection: reset (never in reply to a reset).
        counters.inc(TcpCounters.DROP_NO_SOCKET);
        output.sendResetReply(dst, src, v);
    }

    /**
     * An ICMP error (RFC 792; RFC 1122 4.2.3.9) quoting a segment we sent from {@code localPort} to
     * {@code remote:remotePort} with sequence number {@code seq}. {@code nextHopMtu} is set for fragmentation
     * needed (RFC 1191), else 0.
     */
    public void icmpError(int type, int code, int remote, int localPort, int remotePort, int seq, int nextHopMtu,
                          long nowNs) {
        Connection c = table.find(0, localPort, remote, remotePort);
        // RFC 5927 §4.1 (and RFC 5961's spirit): the quoted sequence number must be one we have in flight.
        if (c == null || !Seq.between(c.snd.sndUna, seq, c.snd.sndNxt)) {
            counters.inc(TcpCounters.ICMP_IGNORED);
            return;
        }
        counters.inc(TcpCounters.ICMP_ERRORS);
        final int destUnreachable = 3;
        final int sourceQuench = 4;
        final int timeExceeded = 11;
        final int parameterProblem = 12;
        switch (type) {
            case destUnreachable -> {
                switch (code) {
                    case 4 -> {
                        // RFC 1191 §6.4 / RFC 1122 4.2.3.9: fragmentation needed: lower the MSS, resend.
                        if (nextHopMtu >= 68) {
                            counters.inc(TcpCounters.PMTU_UPDATES);
                            c.snd.onPathMtu(nextHopMtu - 20, nowNs);
                        }
                    }
                    case 2, 3 -> {
                        // Hard errors (protocol/port unreachable): abort a connection being opened; otherwise a
                        // soft error, as RFC 5461 recommends for synchronized states.
                        int errno = code == 3 ? Errno.ECONNREFUSED : Errno.ENOPROTOOPT;
                        if (c.state == TcpState.SYN_SENT) {
                            c.fail(errno, false, nowNs);
                        } else {
                            c.snd.softError = errno;
                        }
                    }
                    case 0, 6 -> c.snd.softError = Errno.ENETUNREACH;   // soft (RFC 1122 4.2.3.9 codes 0, 1, 5)
                    default -> c.snd.softError = Errno.EHOSTUNREACH;
                }
            }
            case sourceQuench -> counters.inc(TcpCounters.ICMP_IGNORED);    // RFC 6633: ignored
            case timeExceeded -> c.snd.softError = Errno.EHOSTUNREACH;
            case parameterProblem -> c.snd.softError = Errno.EPROTONOSUPPORT;
            default -> counters.inc(TcpCounters.ICMP_IGNORED);
        }
    }

    /** Sends what is pending on every connection that has something to send; returns segments sent. */
    public int output(long nowNs) {
        if (closed) {
            return 0;
        }
        long before = counters.get(TcpCounters.SEGS_OUT);
        int n = outCount;
        for (int i = 0; i < n && outHead != null; i++) {
            Connection c = outHead;
            unschedule(c);
            if (!output.transmit(c, nowNs)) {
                // Back-pressure: no transmit buffer. Keep it first in line and stop this round.
                pushFront(c);
                break;
            }
        }
        return (int) (counters.get(TcpCounters.SEGS_OUT) - before);
    }

    /** True if some connection has output pending. */
    public boolean hasPendingOutput() {
        return outHead != null;
    }

    /** A new unbound socket, or null when the socket table is full. */
    public TcpSocket newSocket() {
        if (closed) {
            return null;
        }
        TcpSocket s = new TcpSocket(this);
        int slot = ctx.allocateSlot(s);
        if (slot < 0) {
            return null;
        }
        s.setSlot(slot, ctx.nextSocketId());
        return s;
    }

    /** Aborts every connection and frees every buffer (stack shutdown). */
    public void closeAll() {
        if (closed) {
            return;
        }
        Connection[] all = new Connection[table.size()];
        int n = table.snapshot(all);
        for (int i = 0; i < n; i++) {
            all[i].fail(Errno.ECONNABORTED, true, ctx.nowNs());
        }
        for (int slot = 0; slot < ctx.maxSockets(); slot++) {
            Socket s = ctx.socketAt(slot);
            if (s instanceof TcpSocket t) {
                t.onStackClosed();
            }
        }
        synQueue.clear();
        timeWait.clear();
        while (outHead != null) {
            unschedule(outHead);
        }
        closed = true;
        pool.close();
    }

    /** Stack-wide TCP counters by name. */
    public Map<String, Long> counters() {
        Map<String, Long> m = counters.snapshot();
        m.put("tcp.connections", (long) table.size());
        m.put("tcp.timeWait", (long) timeWait.size());
        m.put("tcp.synQueue", (long) synQueue.size());
        m.put("tcp.orphans", (long) orphans);
        m.put("tcp.bufferBytesInUse", pool.inUseBytes());
        m.put("tcp.bufferBytesReserved", pool.reservedBytes());
        return m;
    }

    // ----------------------------------------------------------------------------------------------------------
    // Package internals

    /** RFC 7323 §2.2: the smallest shift that lets a buffer of this size be advertised in 16 bits. */
    static int windowScaleFor(int bufferBytes) {
        int size = BufferPool.ringSize(bufferBytes);
        int s = 0;
        while ((size >>> s) > 0xFFFF && s < TcpOptions.MAX_WINDOW_SCALE) {
            s++;
        }
        return s;
    }

    /** A connection with its rings allocated, not yet in the table; null if the pool or table is exhausted. */
    Connection newConnection(int laddr, int lport, int raddr, int rport, boolean ephemeral, int sndBytes,
                             int rcvBytes, long nowNs) {
        if (table.isFull()) {
            return null;
        }
        MemorySegment sndRing = pool.allocate(sndBytes);
        if (sndRing == null) {
            return null;
        }
        MemorySegment rcvRing = pool.allocate(rcvBytes);
        if (rcvRing == null) {
            pool.release(sndRing);
            return null;
        }
        Connection c = new Connection(this, laddr, lport, raddr, rport, ephemeral, config, (int) sndRing.byteSize(),
                (int) rcvRing.byteSize(), nowNs);
        c.snd.attach(new SendBuffer(sndRing));
        c.rcv.attach(new ReceiveBuffer(rcvRing));
        c.pathL4 = Math.max(Sender.MIN_MSS + 40, ctx.ip().maxL4Length(raddr));
        c.tsOffset = isn.timestampOffset(laddr, lport, raddr, rport);
        return c;
    }

    /** Gives back a connection built by {@link #newConnection} that never entered the table. */
    void discard(Connection c) {
        c.snd.releaseBuffer();
        c.rcv.releaseBuffer();
    }

    void insert(Connection c) {
        table.insert(c);
    }

    /** Removes {@code c} from the table and releases what it holds of the layer (port, orphan count). */
    void forget(Connection c) {
        table.remove(c);
        if (c.ephemeralPort) {
            ports.release(c.localPort);
        }
        if (c.orphaned) {
            c.orphaned = false;
            orphans--;
        }
    }

    /** An orphan reached TIME_WAIT: keep only the tiny entry. */
    void toTimeWait(Connection c, long nowNs) {
        timeWait.add(c, nowNs);
        c.destroy();
    }

    /** The socket was closed while its connection lives on. */
    void orphan(Connection c, long nowNs) {
        c.orphaned = true;
        orphans++;
        if (orphans > config.maxOrphans()) {
            counters.inc(TcpCounters.ORPHANS_RESET);
            c.fail(0, true, nowNs);
        }
    }

    void scheduleOutput(Connection c) {
        if (c.outQueued || c.state == TcpState.CLOSED) {
            return;
        }
        c.outQueued = true;
        c.outPrev = outTail;
        c.outNext = null;
        if (outTail == null) {
            outHead = c;
        } else {
            outTail.outNext = c;
        }
        outTail = c;
        outCount++;
    }

    private void pushFront(Connection c) {
        if (c.outQueued || c.state == TcpState.CLOSED) {
            return;
        }
        c.outQueued = true;
        c.outPrev = null;
        c.outNext = outHead;
        if (outHead == null) {
            outTail = c;
        } else {
            outHead.outPrev = c;
        }
        outHead = c;
        outCount++;
    }

    void unschedule(Connection c) {
        if (!c.outQueued) {
            return;
        }
        if (c.outPrev == null) {
            outHead = c.outNext;
        } else {
            c.outPrev.outNext = c.outNext;
        }
        if (c.outNext == null) {
            outTail = c.outPrev;
        } else {
            c.outNext.outPrev = c.outPrev;
        }
        c.outPrev = null;
        c.outNext = null;
        c.outQueued = false;
        outCount--;
    }

    /** RFC 5961 §7: at most the configured number of challenge ACKs per second, stack-wide. */
    boolean allowChallengeAck(long nowNs) {
        long second = nowNs / 1_000_000_000L;
        if (second != challengeSecond) {
            challengeSecond = second;
            challengeCount = 0;
        }
        if (challengeCount >= config.challengeAcksPerSecond()) {
            counters.inc(TcpCounters.CHALLENGE_ACKS_LIMITED);
            return false;
        }
        challengeCount++;
        counters.inc(TcpCounters.CHALLENGE_ACKS);
        return true;
    }

    /** RFC 5961 §3.2/§4.2/§5.2: a (rate-limited) challenge ACK {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>}. */
    void challengeAck(Connection c, long nowNs) {
        if (allowChallengeAck(nowNs)) {
            c.challengeAcks++;
            c.rcv.ackNow = true;
            c.wantOutput();
        }
    }

    void challengeAckRaw(TimeWaitTable tw, int e, long nowNs) {
        if (allowChallengeAck(nowNs)) {
            tw.ack(e, nowNs);
        }
    }

    /** The connection for a 4-tuple (tests, diagnostics). */
    Connection connection(int laddr, int lport, int raddr, int rport) {
        return table.find(laddr, lport, raddr, rport);
    }

    boolean isClosed() {
        return closed;
    }
}
