package io.virtaio.netstack.iface;

import io.virtaio.netstack.StackContext;
import io.virtaio.netstack.tcp.TcpLayer;
import io.virtaio.netstack.udp.UdpLayer;

/**
 * The transport layers of one stack. UDP exists from the start; TCP is created the first time it is needed — a TCP
 * socket is asked for, or a TCP segment arrives — and exists from then on. Until then no connection or listener can
 * exist, so a stack without TCP behaves exactly as one whose TCP has no sockets, and a UDP-only stack never builds
 * TCP's tables.
 */
public final class Transports {
    private final StackContext ctx;
    private final UdpLayer udp;
    private TcpLayer tcp;

    public Transports(StackContext ctx, UdpLayer udp) {
        this.ctx = ctx;
        this.udp = udp;
    }

    public UdpLayer udp() {
        return udp;
    }

    /** TCP if it was needed yet, else null (then it has nothing to send, count or close). */
    public TcpLayer tcp() {
        return tcp;
    }

    /** TCP, created now if this is the first time it is needed. */
    public TcpLayer tcpOrCreate() {
        if (tcp == null) {
            tcp = new TcpLayer(ctx);
        }
        return tcp;
    }
}
