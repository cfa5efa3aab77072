package io.virtaio.netstack.icmp;

import io.virtaio.netstack.StackContext;
import io.virtaio.netstack.ip.Ipv4Output;
import io.virtaio.netstack.ip.Routing;
import io.virtaio.netstack.ip.TxPacket;
import io.virtaio.netstack.time.TokenBucket;
import io.virtaio.netstack.wire.Be;
import io.virtaio.netstack.wire.Icmpv4Packet;
import io.virtaio.netstack.wire.Icmpv4Type;
import io.virtaio.netstack.wire.IpProtocol;
import io.virtaio.netstack.wire.Ipv4Packet;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * Sends ICMP Destination Unreachable errors about datagrams this host received (RFC 792; RFC 1122 §3.2.2.1: port
 * unreachable for a closed UDP port, protocol unreachable for a transport we do not speak), within the limits
 * RFC 1122 §3.2.2 sets and at most {@code icmpErrorsPerSecond} a second (a token bucket holding one second's worth;
 * RFC 1812 §4.3.2.8).
 *
 * <p>Thread: the stack's. Allocation-free.
 */
public final class IcmpErrorSender {
    /** RFC 1812 §4.3.2.3: quote as much of the datagram as fits an error of 576 bytes (RFC 792 asks for 64 bits). */
    public static final int MAX_QUOTE = 576 - Ipv4Packet.MIN_HEADER_LENGTH - Icmpv4Packet.HEADER_LENGTH;

    private final StackContext ctx;
    private final Routing routing;
    private final TokenBucket bucket;
    private final Icmpv4Packet out = new Icmpv4Packet();

    private long sent;
    private long suppressed;
    private long rateLimited;
    private long failed;

    public IcmpErrorSender(StackContext ctx, Routing routing, long startNs) {
        this.ctx = ctx;
        this.routing = routing;
        int rate = ctx.config().icmpErrorsPerSecond();
        this.bucket = new TokenBucket(rate, Math.max(1, rate), startNs);
    }

    /**
     * Answers {@code offending} (checked, addressed to us) with Destination Unreachable {@code code}, unless a rule
     * or the rate limit forbids it.
     *
     * @param broadcastDst  it was sent to an IP broadcast or multicast address
     * @param linkBroadcast it came in a link-layer broadcast
     * @param loopback      it came from this host, over the loopback path
     */
    public void unreachable(int code, Ipv4Packet offending, boolean broadcastDst, boolean linkBroadcast,
                            boolean loopback) {
        if (!permitted(offending, broadcastDst, linkBroadcast, loopback)) {
            suppressed++;
            return;
        }
        if (!bucket.tryTake(ctx.nowNs())) {
            rateLimited++;
            return;
        }
        Ipv4Output ip = ctx.ip();
        int dst = offending.src();
        int quote = Math.min(offending.totalLength(), MAX_QUOTE);
        int length = Icmpv4Packet.HEADER_LENGTH + quote;
        if (length > ip.maxL4Length(dst)) {
            quote = ip.maxL4Length(dst) - Icmpv4Packet.HEADER_LENGTH;
            length = Icmpv4Packet.HEADER_LENGTH + quote;
        }
        TxPacket p = ip.begin(dst, IpProtocol.ICMP, length);
        if (p == null) {
            failed++;
            return;
        }
        // RFC 792: "the internet header plus the first 64 bits of the original datagram's data".
        MemorySegment.copy(offending.segment(), offending.offset(), p.segment(),
                p.l4Offset() + Icmpv4Packet.HEADER_LENGTH, quote);
        out.wrap(p.segment(), p.l4Offset(), length);
        out.setType(Icmpv4Type.DST_UNREACHABLE);
        out.setCode(code);
        out.setChecksum(0);
        out.clearRestOfHeader();
        ip.commit(p, length, 2);
        sent++;
    }

    /**
     * RFC 1122 §3.2.2: "An ICMP error message MUST NOT be sent as the result of receiving: an ICMP error message,
     * or a datagram destined to an IP broadcast or IP multicast address, or a datagram sent as a link-layer
     * broadcast, or a non-initial fragment, or a datagram whose source address does not define a single host".
     * A datagram from this host itself (loopback) has a source that does.
     */
    boolean permitted(Ipv4Packet offending, boolean broadcastDst, boolean linkBroadcast, boolean loopback) {
        if (broadcastDst || linkBroadcast || offending.fragmentOffset() != 0) {
            return false;
        }
        if (!loopback && !routing.isSingleHost(offending.src())) {
            return false;
        }
        if (offending.protocol() == IpProtocol.ICMP) {
            // The ICMP type is the first payload byte; an error about an unreadable ICMP message is not sent either.
            return offending.payloadLength() >= 1
                    && !Icmpv4Type.isError(Be.u8(offending.segment(), offending.payloadOffset()));
        }
        return true;
    }

    /** Adds the {@code icmp.tx.errors*} counters to {@code into}. */
    public void putCounters(Map<String, Long> into) {
        into.put("icmp.tx.errors", sent);
        into.put("icmp.tx.errors_suppressed", suppressed);
        into.put("icmp.tx.errors_rate_limited", rateLimited);
        into.put("icmp.tx.errors_failed", failed);
    }
}
