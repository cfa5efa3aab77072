package io.virtaio.netstack.iface;

import io.virtaio.netstack.StackContext;
import io.virtaio.netstack.ip.TransportErrorListener;
import io.virtaio.netstack.tcp.TcpLayer;
import io.virtaio.netstack.wire.Be;
import io.virtaio.netstack.wire.IpProtocol;
import io.virtaio.netstack.wire.Ipv4Packet;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * Hands errors about packets we sent to the transport that sent them, by the quoted header's protocol (RFC 1122
 * §3.2.2.1, §4.1.3.3, §4.2.3.9): UDP by its ports, TCP with its ports and sequence number.
 */
public final class TransportErrors implements TransportErrorListener {
    private final StackContext ctx;
    private final Transports transports;
    private long toUdp;
    private long toTcp;
    private long ignored;

    public TransportErrors(StackContext ctx, Transports transports) {
        this.ctx = ctx;
        this.transports = transports;
    }

    @Override
    public void onError(int type, int code, int nextHopMtu, Ipv4Packet quoted) {
        MemorySegment seg = quoted.segment();
        long l4 = quoted.payloadOffset();
        int localPort = Be.u16(seg, l4);
        int remotePort = Be.u16(seg, l4 + 2);
        switch (quoted.protocol()) {
            case IpProtocol.UDP -> {
                toUdp++;
                transports.udp().icmpError(type, code, quoted.dst(), localPort, remotePort);
            }
            case IpProtocol.TCP -> {
                TcpLayer tcp = transports.tcp();
                if (tcp == null) {
                    ignored++;
                    return;
                }
                toTcp++;
                tcp.icmpError(type, code, quoted.dst(), localPort, remotePort, Be.i32(seg, l4 + 4), nextHopMtu,
                        ctx.nowNs());
            }
            default -> ignored++;
        }
    }

    /** Adds the {@code ipv4.errors.*} counters to {@code into}. */
    public void putCounters(Map<String, Long> into) {
        into.put("ipv4.errors.to_udp", toUdp);
        into.put("ipv4.errors.to_tcp", toTcp);
        into.put("ipv4.errors.ignored", ignored);
    }
}
