package io.virtaio.virtio.fault;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link FramePredicate} that a SPEC can state: direction, protocol, addresses, ports, TCP flags and the Nth data
 * segment of a connection. Every field set must match; unset fields (null, -1, 0, false) match anything.
 *
 * <p>SPEC: the words of a rule's brackets, space-separated, e.g. {@code [tx tcp sport=80 nth=3]} or
 * {@code [tcp syn fin rst]}:
 * <pre>
 *   tx | rx                      direction (default: both)
 *   tcp | udp | icmp | arp       protocol
 *   host=A.B.C.D                 source or destination address
 *   src=A.B.C.D  dst=A.B.C.D     source / destination address
 *   port=N  sport=N  dport=N     TCP or UDP port: either, source, destination
 *   syn  fin  rst                TCP segments with any of the flags named
 *   data                         TCP segments carrying payload
 *   nth=N                        the Nth data segment of its connection in this direction (see
 *                                {@link FrameView#dataSegment()})
 * </pre>
 * {@code port}, {@code sport} and {@code dport} without a protocol mean TCP or UDP; {@code syn}, {@code fin},
 * {@code rst}, {@code data} and {@code nth} imply TCP.
 *
 * @param direction  the one direction matched, or null for both
 * @param etherType  EtherType matched (0x0806 for arp), or -1
 * @param protocol   IPv4 protocol matched, or -1
 * @param host       address matching source or destination, or null
 * @param src        source address, or null
 * @param dst        destination address, or null
 * @param port       port matching source or destination, or -1
 * @param sport      source port, or -1
 * @param dport      destination port, or -1
 * @param anyFlags   TCP flags of which at least one must be set, or 0
 * @param dataOnly   only TCP segments with payload
 * @param nth        only the Nth data segment of its connection, or 0
 */
public record Selector(Direction direction, int etherType, int protocol, Integer host, Integer src, Integer dst,
                       int port, int sport, int dport, int anyFlags, boolean dataOnly, int nth)
        implements FramePredicate {
    /** Matches every frame in both directions. */
    public static final Selector ANY = new Selector(null, -1, -1, null, null, null, -1, -1, -1, 0, false, 0);

    public Selector {
        if (port < -1 || port > 65535 || sport < -1 || sport > 65535 || dport < -1 || dport > 65535) {
            throw new IllegalArgumentException("ports must be 0..65535 (or -1 for any): " + port + ", " + sport
                    + ", " + dport);
        }
        if (nth < 0 || (anyFlags & ~0xFF) != 0) {
            throw new IllegalArgumentException("nth must be >= 0 and flags 8 bits: " + nth + ", " + anyFlags);
        }
        boolean tcpOnly = anyFlags != 0 || dataOnly || nth > 0;
        if (tcpOnly && protocol != -1 && protocol != FrameView.PROTO_TCP) {
            throw new IllegalArgumentException("TCP flags, data and nth select TCP segments only, not protocol "
                    + protocol);
        }
        if (tcpOnly) {
            // They imply TCP: say so, so that equal selectors are equal records and print alike.
            protocol = FrameView.PROTO_TCP;
        }
        if (etherType != -1 && etherType != FrameView.ETHERTYPE_IPV4
                && (protocol != -1 || host != null || src != null || dst != null || port != -1 || sport != -1
                || dport != -1 || tcpOnly)) {
            throw new IllegalArgumentException("IPv4 fields cannot match EtherType 0x" + Integer.toHexString(etherType));
        }
    }

    public Selector tx() {
        return withDirection(Direction.EGRESS);
    }

    public Selector rx() {
        return withDirection(Direction.INGRESS);
    }

    public Selector withDirection(Direction d) {
        return new Selector(d, etherType, protocol, host, src, dst, port, sport, dport, anyFlags, dataOnly, nth);
    }

    public Selector tcp() {
        return withProtocol(FrameView.PROTO_TCP);
    }

    public Selector udp() {
        return withProtocol(FrameView.PROTO_UDP);
    }

    public Selector icmp() {
        return withProtocol(FrameView.PROTO_ICMP);
    }

    public Selector withProtocol(int p) {
        return new Selector(direction, etherType, p, host, src, dst, port, sport, dport, anyFlags, dataOnly, nth);
    }

    public Selector arp() {
        return new Selector(direction, FrameView.ETHERTYPE_ARP, protocol, host, src, dst, port, sport, dport, anyFlags,
                dataOnly, nth);
    }

    public Selector host(int address) {
        return new Selector(direction, etherType, protocol, address, src, dst, port, sport, dport, anyFlags, dataOnly, nth);
    }

    public Selector src(int address) {
        return new Selector(direction, etherType, protocol, host, address, dst, port, sport, dport, anyFlags, dataOnly,
                nth);
    }

    public Selector dst(int address) {
        return new Selector(direction, etherType, protocol, host, src, address, port, sport, dport, anyFlags, dataOnly,
                nth);
    }

    public Selector port(int p) {
        return new Selector(direction, etherType, protocol, host, src, dst, p, sport, dport, anyFlags, dataOnly, nth);
    }

    public Selector sport(int p) {
        return new Selector(direction, etherType, protocol, host, src, dst, port, p, dport, anyFlags, dataOnly, nth);
    }

    public Selector dport(int p) {
        return new Selector(direction, etherType, protocol, host, src, dst, port, sport, p, anyFlags, dataOnly, nth);
    }

    /** TCP segments with any of {@code flags} ({@link FrameView#SYN} | {@link FrameView#FIN} | …). */
    public Selector anyFlags(int flags) {
        return new Selector(direction, etherType, protocol, host, src, dst, port, sport, dport, anyFlags | flags, dataOnly,
                nth);
    }

    public Selector data() {
        return new Selector(direction, etherType, protocol, host, src, dst, port, sport, dport, anyFlags, true, nth);
    }

    /** The {@code n}th data segment of its connection, from 1. */
    public Selector nth(int n) {
        return new Selector(direction, etherType, protocol, host, src, dst, port, sport, dport, anyFlags, dataOnly, n);
    }

    /** True iff matching needs the stage to count data segments per connection. */
    boolean countsSegments() {
        return nth > 0;
    }

    @Override
    public boolean test(FrameView f) {
        if (direction != null && f.direction() != direction) {
            return false;
        }
        if (etherType != -1 && f.etherType() != etherType) {
            return false;
        }
        boolean ipFields = protocol != -1 || host != null || src != null || dst != null || port != -1 || sport != -1
                || dport != -1 || anyFlags != 0 || dataOnly || nth > 0;
        if (!ipFields) {
            return true;
        }
        if (!f.isIpv4()) {
            return false;
        }
        if (protocol != -1 && f.protocol() != protocol) {
            return false;
        }
        if (host != null && f.sourceAddress() != host && f.destinationAddress() != host) {
            return false;
        }
        if ((src != null && f.sourceAddress() != src) || (dst != null && f.destinationAddress() != dst)) {
            return false;
        }
        if (port != -1 || sport != -1 || dport != -1) {
            if (!f.isTcp() && !f.isUdp()) {
                return false;
            }
            if (port != -1 && f.sourcePort() != port && f.destinationPort() != port) {
                return false;
            }
            if ((sport != -1 && f.sourcePort() != sport) || (dport != -1 && f.destinationPort() != dport)) {
                return false;
            }
        }
        if (anyFlags != 0 || dataOnly || nth > 0) {
            if (!f.isTcp()) {
                return false;
            }
            if (anyFlags != 0 && (f.tcpFlags() & anyFlags) == 0) {
                return false;
            }
            if (dataOnly && !f.isDataSegment()) {
                return false;
            }
            return nth == 0 || f.dataSegment() == nth;
        }
        return true;
    }

    /** The SPEC words, in a fixed order, e.g. {@code tx tcp sport=80 nth=3}. */
    @Override
    public String toString() {
        List<String> w = new ArrayList<>();
        if (direction != null) {
            w.add(direction.prefix());
        }
        if (etherType == FrameView.ETHERTYPE_ARP) {
            w.add("arp");
        } else if (etherType != -1) {
            w.add("ethertype=" + etherType);
        }
        switch (protocol) {
            case -1 -> { }
            case FrameView.PROTO_TCP -> w.add("tcp");
            case FrameView.PROTO_UDP -> w.add("udp");
            case FrameView.PROTO_ICMP -> w.add("icmp");
            default -> w.add("proto=" + protocol);
        }
        if (host != null) {
            w.add("host=" + SpecValues.ipv4(host));
        }
        if (src != null) {
            w.add("src=" + SpecValues.ipv4(src));
        }
        if (dst != null) {
            w.add("dst=" + SpecValues.ipv4(dst));
        }
        if (port != -1) {
            w.add("port=" + port);
        }
        if (sport != -1) {
            w.add("sport=" + sport);
        }
        if (dport != -1) {
            w.add("dport=" + dport);
        }
        if ((anyFlags & FrameView.SYN) != 0) {
            w.add("syn");
        }
        if ((anyFlags & FrameView.FIN) != 0) {
            w.add("fin");
        }
        if ((anyFlags & FrameView.RST) != 0) {
            w.add("rst");
        }
        if ((anyFlags & ~(FrameView.SYN | FrameView.FIN | FrameView.RST)) != 0) {
            w.add("flags=" + (anyFlags & ~(FrameView.SYN | FrameView.FIN | FrameView.RST)));
        }
        if (dataOnly) {
            w.add("data");
        }
        if (nth > 0) {
            w.add("nth=" + nth);
        }
        return w.isEmpty() ? "any" : String.join(" ", w);
    }
}
