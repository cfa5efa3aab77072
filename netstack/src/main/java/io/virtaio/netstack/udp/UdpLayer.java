package io.virtaio.netstack.udp;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.StackContext;
import io.virtaio.netstack.icmp.IcmpErrno;
import io.virtaio.netstack.ip.Ipv4Output;
import io.virtaio.netstack.ip.Routing;
import io.virtaio.netstack.ip.TxPacket;
import io.virtaio.netstack.util.IntIntMap;
import io.virtaio.netstack.wire.IpProtocol;
import io.virtaio.netstack.wire.UdpDatagram;
import io.virtaio.netstack.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * UDP for one stack (RFC 768): the port table, datagram input and output, and ICMP errors for its sockets.
 *
 * <p>One socket per local port (no SO_REUSEADDR); its bound address, if any, and its connected peer, if any,
 * filter what it receives. Ephemeral ports come from 32768..60999 (Linux's default range) by RFC 6056 §3.3.1
 * Algorithm 1, a seeded random start and a linear search. Checksums: verified in software unless the device vouched
 * for them; a zero checksum means none (RFC 768; RFC 1122 §4.1.3.4 lets IPv4 senders omit it) and is accepted.
 *
 * <p>Thread: the stack's. Input and output allocate nothing.
 */
public final class UdpLayer {
    /** {@link #input}: queued on a socket. */
    public static final int DELIVERED = 0;
    /** {@link #input}: no socket takes it; the caller may answer with ICMP port unreachable. */
    public static final int NO_PORT = 1;
    /** {@link #input}: dropped (malformed, bad checksum or a full queue), counted. */
    public static final int DROPPED = 2;

    static final int EPHEMERAL_FIRST = 32768;
    static final int EPHEMERAL_LAST = 60999;

    private final StackContext ctx;
    private final Routing routing;
    private final IntIntMap ports;
    private final UdpDatagram in = new UdpDatagram();
    private final UdpDatagram out = new UdpDatagram();

    private final long[] drops = new long[WireError.COUNT];
    private long datagrams;
    private long delivered;
    private long rxBytes;
    private long noPort;
    private long queueFull;
    private long txDatagrams;
    private long txBytes;
    private long txFailed;
    private long errorsDelivered;
    private long errorsUnmatched;
    private int sockets;

    public UdpLayer(StackContext ctx, Routing routing) {
        this.ctx = ctx;
        this.routing = routing;
        this.ports = new IntIntMap(ctx.maxSockets());
    }

    /** A new unbound socket, or null when the socket table is full. */
    public UdpSocket newSocket() {
        if (ctx.socketCount() == ctx.maxSockets()) {
            return null;
        }
        UdpSocket s = new UdpSocket(this, ctx.nextSocketId(), ctx.config().udpReceiveQueueBytes());
        s.setSlot(ctx.allocateSlot(s));
        sockets++;
        return s;
    }

    /**
     * A UDP datagram for us: the IPv4 payload at {@code off}, {@code len} bytes.
     *
     * @param checksumOk   the device verified the checksum
     * @param broadcastDst {@code dst} is a broadcast address
     * @return {@link #DELIVERED}, {@link #NO_PORT} or {@link #DROPPED}
     */
    public int input(int src, int dst, MemorySegment seg, long off, int len, boolean checksumOk,
                     boolean broadcastDst) {
        datagrams++;
        int err = in.wrap(seg, off, len).check();
        if (err != WireError.OK) {
            drops[-err]++;
            return DROPPED;
        }
        // RFC 1122 §4.1.3.4: a datagram whose (non-zero) checksum fails MUST be silently discarded.
        if (!checksumOk && !in.verifyChecksum(src, dst)) {
            drops[-WireError.BAD_CHECKSUM]++;
            return DROPPED;
        }
        int slot = ports.get(in.dstPort());
        UdpSocket s = slot < 0 ? null : (UdpSocket) ctx.socketAt(slot);
        if (s == null || !s.accepts(src, in.srcPort(), dst, broadcastDst)) {
            noPort++;
            return NO_PORT;
        }
        int payload = in.payloadLength();
        if (!s.enqueue(src, in.srcPort(), seg, in.payloadOffset(), payload)) {
            queueFull++;
            return DROPPED;
        }
        delivered++;
        rxBytes += payload;
        return DELIVERED;
    }

    /**
     * An ICMP error about a datagram we sent from {@code localPort} to {@code remote:remotePort}. As in Linux and
     * the BSDs, only a socket connected to that peer hears it (RFC 1122 §4.1.3.3 asks UDP to pass ICMP errors up;
     * an unconnected socket has no way to tell which send failed): it becomes the socket's pending error.
     */
    public void icmpError(int type, int code, int remote, int localPort, int remotePort) {
        int slot = ports.get(localPort);
        UdpSocket s = slot < 0 ? null : (UdpSocket) ctx.socketAt(slot);
        if (s == null || s.remotePort() != remotePort || s.remoteAddress() != remote) {
            errorsUnmatched++;
            return;
        }
        errorsDelivered++;
        s.setError(IcmpErrno.of(type, code));
    }

    /** Binds {@code s} to {@code address:port} (port 0: an ephemeral one): 0 or -EADDRINUSE. */
    int bind(UdpSocket s, int address, int port) {
        if (port == 0) {
            port = ephemeralPort();
            if (port < 0) {
                return -Errno.EADDRINUSE;
            }
        } else if (ports.get(port) != IntIntMap.MISSING) {
            return -Errno.EADDRINUSE;
        }
        ports.put(port, s.slot());
        s.setLocal(address, port);
        return 0;
    }

    private int ephemeralPort() {
        int range = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
        int offset = ctx.random().nextInt(range);
        for (int i = 0; i < range; i++) {
            int port = EPHEMERAL_FIRST + (offset + i) % range;
            if (ports.get(port) == IntIntMap.MISSING) {
                return port;
            }
        }
        return -1;
    }

    /** Releases {@code s}'s port and slot. */
    void close(UdpSocket s) {
        if (s.localPort() != 0) {
            ports.remove(s.localPort());
        }
        ctx.releaseSlot(s.slot());
        sockets--;
    }

    /** True if a socket may bind {@code address}: any, ours, or a loopback address. */
    boolean isLocalAddress(int address) {
        return address == 0 || routing.isLocal(address);
    }

    boolean isBroadcast(int address) {
        return routing.isBroadcast(address);
    }

    Ipv4Output ip() {
        return ctx.ip();
    }

    /** Queues {@code s} for the layer above: its readiness changed. */
    void ready(UdpSocket s) {
        ctx.ready(s);
    }

    /**
     * Sends one datagram of {@code len} bytes from {@code src} at {@code off}, from {@code localPort} to
     * {@code dst:dstPort}: {@code len}, or the output's -errno. The caller checked the arguments and the size.
     */
    int output(int localPort, MemorySegment src, long off, int len, int dst, int dstPort) {
        Ipv4Output ip = ctx.ip();
        int length = UdpDatagram.HEADER_LENGTH + len;
        TxPacket p = ip.begin(dst, IpProtocol.UDP, length);
        if (p == null) {
            txFailed++;
            return ip.lastError();
        }
        MemorySegment.copy(src, off, p.segment(), p.l4Offset() + UdpDatagram.HEADER_LENGTH, len);
        out.wrap(p.segment(), p.l4Offset(), length);
        out.setSrcPort(localPort);
        out.setDstPort(dstPort);
        out.setDatagramLength(length);
        out.setChecksum(0);
        ip.commit(p, length, UdpDatagram.CHECKSUM_OFFSET);
        txDatagrams++;
        txBytes += len;
        return len;
    }

    /** Closes every socket (stack shutdown). */
    public void closeAll() {
        for (int slot = 0; slot < ctx.maxSockets(); slot++) {
            if (ctx.socketAt(slot) instanceof UdpSocket s) {
                s.close();
            }
        }
    }

    /** Adds the {@code udp.*} counters to {@code into}. */
    public void putCounters(Map<String, Long> into) {
        into.put("udp.rx.datagrams", datagrams);
        into.put("udp.rx.drop.TRUNCATED", drops[-WireError.TRUNCATED]);
        into.put("udp.rx.drop.BAD_LENGTH", drops[-WireError.BAD_LENGTH]);
        into.put("udp.rx.drop.BAD_CHECKSUM", drops[-WireError.BAD_CHECKSUM]);
        into.put("udp.rx.drop.no_port", noPort);
        into.put("udp.rx.drop.queue_full", queueFull);
        into.put("udp.rx.delivered", delivered);
        into.put("udp.rx.bytes", rxBytes);
        into.put("udp.tx.datagrams", txDatagrams);
        into.put("udp.tx.bytes", txBytes);
        into.put("udp.tx.failed", txFailed);
        into.put("udp.errors.delivered", errorsDelivered);
        into.put("udp.errors.unmatched", errorsUnmatched);
        into.put("udp.sockets", (long) sockets);
    }
}
