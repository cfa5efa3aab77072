package io.virtaio.netstack;

import io.virtaio.netstack.arp.ArpLayer;
import io.virtaio.netstack.icmp.IcmpErrorSender;
import io.virtaio.netstack.icmp.IcmpLayer;
import io.virtaio.netstack.iface.EthernetInput;
import io.virtaio.netstack.iface.Ipv4Input;
import io.virtaio.netstack.iface.TransportErrors;
import io.virtaio.netstack.iface.Transports;
import io.virtaio.netstack.ip.Ipv4Sender;
import io.virtaio.netstack.ip.LoopbackQueue;
import io.virtaio.netstack.ip.PendingQueue;
import io.virtaio.netstack.ip.Routing;
import io.virtaio.netstack.link.EthernetSender;
import io.virtaio.netstack.link.NetDevice;
import io.virtaio.netstack.tcp.TcpLayer;
import io.virtaio.netstack.tcp.TcpSocket;
import io.virtaio.netstack.udp.UdpLayer;
import io.virtaio.netstack.udp.UdpSocket;
import io.virtaio.netstack.wire.EthernetFrame;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One IPv4 host: an interface on a {@link NetDevice} with ARP, IPv4, ICMP, UDP and TCP, driven by polling.
 *
 * <p>Thread: one at a time, the loop that polls it (or the simulator). {@code poll(nowNs)} receives frames, fires
 * due timers, sends pending output and flushes the device, and returns when it next needs to run. There is no
 * thread, sleep, clock or unseeded randomness inside: time comes in through {@code nowNs}, randomness from
 * {@link StackConfig#seed()}.
 *
 * <p>Receive and transmit are zero-copy on the device side and allocate nothing in the steady state: frames are
 * parsed in place with reused views and written straight into the device's transmit buffers. Packets to this host
 * (its address or 127.0.0.0/8) go through an internal loopback queue and are delivered by the next poll, so two
 * sockets of one stack can talk. The stack transmits from within the device's receive callback (echo replies, ARP
 * replies, packets released by an ARP reply).
 *
 * <p>TCP is created the first time it is needed (a {@link #tcpSocket()} call or a TCP segment arriving); until
 * then the stack has no connections and nothing to do for TCP.
 */
public final class Stack implements AutoCloseable {
    /** Neighbours the ARP cache holds; a virtual NIC talks to a handful, a LAN segment to a few hundred. */
    static final int ARP_CACHE_ENTRIES = 256;

    private final NetDevice device;
    private final StackConfig config;
    private final StackContext ctx;
    private final Routing routing;
    private final EthernetSender ethTx;
    /** The last output round ran out of transmit buffers. */
    private boolean outputBlocked;
    private final LoopbackQueue loopback;
    private final PendingQueue pending;
    private final ArpLayer arp;
    private final Ipv4Sender ipTx;
    private final UdpLayer udp;
    private final Transports transports;
    private final TransportErrors transportErrors;
    private final IcmpLayer icmp;
    private final IcmpErrorSender icmpErrors;
    private final Ipv4Input ipIn;
    private final EthernetInput ethIn;
    private boolean announced;
    private boolean closed;
    private long deviceResets;

    /**
     * A stack on {@code device}; sends a gratuitous ARP at its first poll.
     *
     * @throws IllegalArgumentException if the device's MTU is below 68 (RFC 791 §3.2: every host must take a
     *     68-byte datagram whole) or its transmit buffers cannot hold an MTU-sized frame, or if the gateway is not
     *     on-link
     */
    public Stack(NetDevice device, StackConfig config, long startNs) {
        if (device == null || config == null) {
            throw new IllegalArgumentException("device and config are required");
        }
        if (device.mtu() < 68 || device.mtu() > 0xFFFF
                || device.txFrameCapacity() < EthernetFrame.HEADER_LENGTH + device.mtu()) {
            throw new IllegalArgumentException("device MTU " + device.mtu() + " must be 68..65535 and fit its "
                    + device.txFrameCapacity() + "-byte transmit buffers with the Ethernet header");
        }
        this.device = device;
        this.config = config;
        this.ctx = new StackContext(config, startNs);
        this.routing = new Routing(config.address(), config.prefixLength(), config.gateway());
        this.ethTx = new EthernetSender(device);
        this.loopback = new LoopbackQueue(LoopbackQueue.DEFAULT_CAPACITY);
        this.udp = new UdpLayer(ctx, routing);
        this.transports = new Transports(ctx, udp);
        this.transportErrors = new TransportErrors(ctx, transports);
        this.pending = new PendingQueue(config.arpPendingLimit(), EthernetFrame.HEADER_LENGTH + device.mtu(), ethTx,
                transportErrors);
        this.arp = new ArpLayer(ctx, ethTx, routing, ARP_CACHE_ENTRIES, pending);
        this.ipTx = new Ipv4Sender(routing, ethTx, arp, pending, loopback, device.mtu(), device.capabilities(),
                ctx.random().nextInt(0x1_0000));
        ctx.setIp(ipTx);
        this.icmpErrors = new IcmpErrorSender(ctx, routing, startNs);
        this.icmp = new IcmpLayer(ctx, routing, transportErrors);
        this.ipIn = new Ipv4Input(ctx, routing, icmp, icmpErrors, transports);
        this.ethIn = new EthernetInput(device.mac(), arp, ipIn);
    }

    /**
     * Does the work due at {@code nowNs}: received frames (up to the configured budget), timers, pending output,
     * device flush, device recovery after a reset.
     *
     * @return the next time it needs to run (absolute, same clock), {@code nowNs} or earlier if work remains now,
     *     or {@link Long#MAX_VALUE} if only an external event (a frame, a call) can create work
     */
    public long poll(long nowNs) {
        checkOpen();
        ctx.setNow(nowNs);
        if (device.needsReset()) {
            deviceResets++;
            device.reinitialize();
        }
        if (!announced) {
            announced = arp.announce();
        }
        int received = device.receive(ethIn, config.rxBudget());
        // Only the packets queued before this point: what they cause waits for the next poll (bounded work).
        for (int n = loopback.count(); n > 0; n--) {
            ipIn.input(loopback.segment(), loopback.headOffset(), loopback.headLength(), true, false, true);
            loopback.pop();
        }
        ctx.timers().advance(nowNs);
        sendPending(nowNs);
        if (received >= config.rxBudget() || !loopback.isEmpty() || !announced || pending.hasSendable()
                || tcpHasOutput()) {
            return nowNs;
        }
        return ctx.timers().nextDeadlineNs();
    }

    /** Sends pending output (after socket calls made between polls) and flushes the device; cheaper than poll. */
    public void flush(long nowNs) {
        checkOpen();
        ctx.setNow(nowNs);
        sendPending(nowNs);
    }

    private void sendPending(long nowNs) {
        long starvedBefore = ethTx.noBufferCount();
        TcpLayer tcp = transports.tcp();
        if (tcp != null) {
            tcp.output(nowNs);
        }
        pending.flushResolved();
        ethTx.flush();
        outputBlocked = ethTx.noBufferCount() != starvedBefore;
    }

    /**
     * TCP output is waiting and can go now. Output that stopped for want of a transmit buffer is not: it resumes
     * when the device completes transmissions, whose notification wakes the owner — reporting it as work now would
     * spin while the device is behind (a rate-limited link, a slow peer).
     */
    private boolean tcpHasOutput() {
        TcpLayer tcp = transports.tcp();
        return tcp != null && !outputBlocked && tcp.hasPendingOutput();
    }

    /**
     * True if a poll now would find work of the stack's own: looped-back packets, output pending, frames sent by a
     * socket call but not yet flushed to the device, the start-up announcement. Socket events are not included: they are for the layer above ({@link #hasEvents()}).
     */
    public boolean hasPendingWork() {
        return !closed && (!loopback.isEmpty() || !announced || pending.hasSendable() || tcpHasOutput()
                || ethTx.hasUnflushed());
    }

    /** True if sockets wait in the event queue for {@link #drainEvents}. */
    public boolean hasEvents() {
        return !closed && !ctx.events().isEmpty();
    }

    /** A new TCP socket, or null when the socket table is full. */
    public TcpSocket tcpSocket() {
        checkOpen();
        return transports.tcpOrCreate().newSocket();
    }

    /** A new UDP socket, or null when the socket table is full. */
    public UdpSocket udpSocket() {
        checkOpen();
        return udp.newSocket();
    }

    /**
     * Hands every socket whose readiness may have changed to {@code handler}, once each, with its readiness now;
     * returns how many. Sockets queued by the handler itself wait for the next drain, so a drain always ends.
     */
    public int drainEvents(SocketEventHandler handler) {
        SocketEvents events = ctx.events();
        int n = events.size();
        for (int i = 0; i < n; i++) {
            Socket s = events.poll();
            if (s == null) {
                return i;
            }
            handler.onEvent(s, s.readiness());
        }
        return n;
    }

    /**
     * Sends an ICMP echo request (ping); replies reach the listener set with {@link #onEchoReply}. 0 or -errno:
     * -EINVAL (identifier or sequence not 16 bits, negative length), -EMSGSIZE (larger than one packet), -ENOBUFS,
     * -EHOSTUNREACH, -ENETUNREACH.
     */
    public int ping(int dst, int ident, int seq, int payloadLength) {
        checkOpen();
        return icmp.ping(dst, ident, seq, payloadLength);
    }

    /** Called for each echo reply: (from, ident, seq, payloadLength); null removes the listener. */
    public void onEchoReply(EchoListener listener) {
        icmp.onEchoReply(listener);
    }

    /** An ICMP echo reply addressed to this stack. */
    @FunctionalInterface
    public interface EchoListener {
        void onReply(int from, int ident, int seq, int payloadLength, long nowNs);
    }

    /**
     * The MAC address (low 48 bits) the ARP cache holds for on-link {@code address}, or -1 when it has none valid
     * now. Looks only: starts no resolution. For diagnostics and interop tests (did we learn the peer's address?).
     */
    public long neighbor(int address) {
        checkOpen();
        long mac = arp.lookup(address);
        return mac >= 0 ? mac : -1;
    }

    /** The interface's IPv4 address. */
    public int address() {
        return config.address();
    }

    public StackConfig config() {
        return config;
    }

    public NetDevice device() {
        return device;
    }

    /**
     * Every counter of the stack, its layers and its device, by name, sorted: {@code eth.*}, {@code arp.*},
     * {@code ipv4.*}, {@code icmp.*}, {@code udp.*}, {@code tcp.*} (once TCP exists), {@code stack.*}, and the
     * device's as {@code dev.*}. Drop counters are named {@code <layer>.rx.drop.<reason>}, with the
     * {@link io.virtaio.netstack.wire.WireError} name as the reason for malformed input. A snapshot; allocates.
     */
    public Map<String, Long> counters() {
        Map<String, Long> all = new TreeMap<>();
        ethIn.putCounters(all);
        ethTx.putCounters(all);
        arp.putCounters(all);
        pending.putCounters(all);
        ipIn.putCounters(all);
        ipTx.putCounters(all);
        loopback.putCounters(all);
        transportErrors.putCounters(all);
        icmp.putCounters(all);
        icmpErrors.putCounters(all);
        udp.putCounters(all);
        TcpLayer tcp = transports.tcp();
        if (tcp != null) {
            tcp.counters().forEach((name, value) -> all.put(name.startsWith("tcp.") ? name : "tcp." + name, value));
        }
        all.put("stack.device_resets", deviceResets);
        all.put("stack.sockets", (long) ctx.socketCount());
        all.put("stack.timers_armed", (long) ctx.timers().armed());
        device.counters().forEach((name, value) -> all.put("dev." + name, value));
        return Collections.unmodifiableMap(all);
    }

    /** Aborts every socket and releases all buffers; later calls but {@link #counters()} throw. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        udp.closeAll();
        TcpLayer tcp = transports.tcp();
        if (tcp != null) {
            tcp.closeAll();
        }
        arp.close();
        pending.clear();
        loopback.clear();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("stack is closed");
        }
    }
}
