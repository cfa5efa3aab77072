package io.virtaio.netstack.icmp;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Stack;
import io.virtaio.netstack.StackContext;
import io.virtaio.netstack.ip.Ipv4Output;
import io.virtaio.netstack.ip.Routing;
import io.virtaio.netstack.ip.TransportErrorListener;
import io.virtaio.netstack.ip.TxPacket;
import io.virtaio.netstack.wire.Icmpv4Code;
import io.virtaio.netstack.wire.Icmpv4Packet;
import io.virtaio.netstack.wire.Icmpv4Type;
import io.virtaio.netstack.wire.IpProtocol;
import io.virtaio.netstack.wire.Ipv4Packet;
import io.virtaio.netstack.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/**
 * ICMPv4 input and echo (RFC 792; RFC 1122 §3.2.2): the echo server, {@link Stack#ping} and its replies, and the
 * hand-off of Destination Unreachable and Time Exceeded messages about our packets to their transport.
 *
 * <p>Every message's checksum is verified in software (devices never offload ICMP). Other types (redirect, source
 * quench, parameter problem, timestamps) are dropped, as RFC 1122 §3.2.2 allows for types a host does not
 * implement. Thread: the stack's. Receiving and answering allocate nothing.
 */
public final class IcmpLayer {
    private final StackContext ctx;
    private final Routing routing;
    private final TransportErrorListener errors;
    private final Icmpv4Packet in = new Icmpv4Packet();
    private final Icmpv4Packet out = new Icmpv4Packet();
    private final Ipv4Packet quoted = new Ipv4Packet();
    private Stack.EchoListener echoListener;

    private final long[] drops = new long[WireError.COUNT];
    private long messages;
    private long broadcastEchoes;
    private long echoRequests;
    private long echoReplies;
    private long errorsIn;
    private long errorsNotOurs;
    private long txEchoReplies;
    private long txEchoRequests;
    private long txFailed;

    public IcmpLayer(StackContext ctx, Routing routing, TransportErrorListener errors) {
        this.ctx = ctx;
        this.routing = routing;
        this.errors = errors;
    }

    /** Sets (or with null, clears) the receiver of echo replies. */
    public void onEchoReply(Stack.EchoListener listener) {
        this.echoListener = listener;
    }

    /**
     * An ICMP message for us: the IPv4 payload at {@code off}, {@code len} bytes, from {@code src}.
     *
     * @param broadcastDst it was sent to a broadcast or multicast address
     */
    public void input(int src, MemorySegment seg, long off, int len, boolean broadcastDst) {
        messages++;
        int err = in.wrap(seg, off, len).check();
        if (err != WireError.OK) {
            drops[-err]++;
            return;
        }
        if (!in.verifyChecksum()) {
            drops[-WireError.BAD_CHECKSUM]++;
            return;
        }
        switch (in.type()) {
            case Icmpv4Type.ECHO_REQUEST -> {
                // RFC 1122 §3.2.2.6: "An ICMP Echo Request destined to an IP broadcast or IP multicast address MAY
                // be silently discarded" — and is, so the host cannot amplify a smurf attack.
                if (broadcastDst) {
                    broadcastEchoes++;
                    return;
                }
                echoRequests++;
                reply(src, seg, len);
            }
            case Icmpv4Type.ECHO_REPLY -> {
                echoReplies++;
                if (echoListener != null) {
                    echoListener.onReply(src, in.identifier(), in.sequence(), in.dataLength(), ctx.nowNs());
                }
            }
            default -> {
                errorsIn++;
                quotedError();
            }
        }
    }

    private void reply(int src, MemorySegment seg, int len) {
        Ipv4Output ip = ctx.ip();
        if (len > ip.maxL4Length(src)) {
            txFailed++;         // larger than we may send back: came with IP options or over a bigger MTU
            return;
        }
        TxPacket p = ip.begin(src, IpProtocol.ICMP, len);
        if (p == null) {
            txFailed++;
            return;
        }
        // RFC 792: "The data received in the echo message must be returned in the echo reply message." RFC 1122
        // §3.2.2.6: the reply's source is the request's specific destination, which sourceFor() yields.
        MemorySegment.copy(seg, in.dataOffset(), p.segment(), p.l4Offset() + Icmpv4Packet.HEADER_LENGTH,
                in.dataLength());
        out.wrap(p.segment(), p.l4Offset(), len);
        out.setType(Icmpv4Type.ECHO_REPLY);
        out.setCode(0);
        out.setChecksum(0);
        out.setIdentifier(in.identifier());
        out.setSequence(in.sequence());
        ip.commit(p, len, 2);
        txEchoReplies++;
    }

    private void quotedError() {
        // RFC 1122 §3.2.2.1 and §3.2.2.4: Destination Unreachable and Time Exceeded go to the transport layer,
        // which finds the socket from the quoted header and ports. Only errors about our own packets count.
        quoted.wrap(in.segment(), in.dataOffset(), in.dataLength());
        if (quoted.checkEmbedded() != WireError.OK || quoted.payloadLength() < 8
                || (!routing.isOurs(quoted.src()) && quoted.src() != Routing.LOOPBACK_SOURCE)) {
            errorsNotOurs++;
            return;
        }
        int code = in.code();
        boolean fragNeeded = in.type() == Icmpv4Type.DST_UNREACHABLE && code == Icmpv4Code.FRAGMENTATION_NEEDED;
        errors.onError(in.type(), code, fragNeeded ? in.nextHopMtu() : 0, quoted);
    }

    /**
     * Sends an echo request to {@code dst} with {@code payloadLength} data bytes (0, 1, 2, … as ping(8) fills
     * them): 0, or -EINVAL, -EMSGSIZE, or the output's error (-ENOBUFS, -EHOSTUNREACH, -ENETUNREACH).
     */
    public int ping(int dst, int ident, int seq, int payloadLength) {
        if ((ident & ~0xFFFF) != 0 || (seq & ~0xFFFF) != 0 || payloadLength < 0) {
            return -Errno.EINVAL;
        }
        Ipv4Output ip = ctx.ip();
        int length = Icmpv4Packet.HEADER_LENGTH + payloadLength;
        if (payloadLength > ip.maxL4Length(dst) - Icmpv4Packet.HEADER_LENGTH) {
            return -Errno.EMSGSIZE;
        }
        TxPacket p = ip.begin(dst, IpProtocol.ICMP, length);
        if (p == null) {
            return ip.lastError();
        }
        MemorySegment seg = p.segment();
        long data = p.l4Offset() + Icmpv4Packet.HEADER_LENGTH;
        for (int i = 0; i < payloadLength; i++) {
            seg.set(ValueLayout.JAVA_BYTE, data + i, (byte) i);
        }
        out.wrap(seg, p.l4Offset(), length);
        out.setType(Icmpv4Type.ECHO_REQUEST);
        out.setCode(0);
        out.setChecksum(0);
        out.setIdentifier(ident);
        out.setSequence(seq);
        ip.commit(p, length, 2);
        txEchoRequests++;
        return 0;
    }

    /** Adds the {@code icmp.*} counters (but the error sender's) to {@code into}. */
    public void putCounters(Map<String, Long> into) {
        into.put("icmp.rx.messages", messages);
        into.put("icmp.rx.drop.TRUNCATED", drops[-WireError.TRUNCATED]);
        into.put("icmp.rx.drop.BAD_LENGTH", drops[-WireError.BAD_LENGTH]);
        into.put("icmp.rx.drop.UNSUPPORTED", drops[-WireError.UNSUPPORTED]);
        into.put("icmp.rx.drop.BAD_CHECKSUM", drops[-WireError.BAD_CHECKSUM]);
        into.put("icmp.rx.drop.broadcast_echo", broadcastEchoes);
        into.put("icmp.rx.echo_requests", echoRequests);
        into.put("icmp.rx.echo_replies", echoReplies);
        into.put("icmp.rx.errors", errorsIn);
        into.put("icmp.rx.errors_not_ours", errorsNotOurs);
        into.put("icmp.tx.echo_replies", txEchoReplies);
        into.put("icmp.tx.echo_requests", txEchoRequests);
        into.put("icmp.tx.echo_replies_failed", txFailed);
    }
}
