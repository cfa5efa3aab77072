package io.virtaio.netstack.testing;

import io.virtaio.netstack.wire.ArpOperation;
import io.virtaio.netstack.wire.ArpPacket;
import io.virtaio.netstack.wire.ArpRepr;
import io.virtaio.netstack.wire.Be;
import io.virtaio.netstack.wire.EtherType;
import io.virtaio.netstack.wire.EthernetFrame;
import io.virtaio.netstack.wire.EthernetRepr;
import io.virtaio.netstack.wire.Icmpv4Packet;
import io.virtaio.netstack.wire.Icmpv4Repr;
import io.virtaio.netstack.wire.IpProtocol;
import io.virtaio.netstack.wire.Ipv4Packet;
import io.virtaio.netstack.wire.Ipv4Repr;
import io.virtaio.netstack.wire.MacAddress;
import io.virtaio.netstack.wire.UdpDatagram;
import io.virtaio.netstack.wire.UdpRepr;
import io.virtaio.netstack.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Builds frames to inject into a stack, with the wire package's Reprs, and reads the frames a stack sent. Built
 * frames are well formed (checksums filled); tests break them on purpose with the setters below, which keep the
 * IPv4 header checksum right unless told not to. Offsets assume an untagged Ethernet frame and a 20-byte IPv4
 * header.
 */
public final class Frames {
    /** Offset of the IPv4 header in a frame. */
    public static final int IP = EthernetFrame.HEADER_LENGTH;
    /** Offset of the transport header in a frame with a 20-byte IPv4 header. */
    public static final int L4 = IP + Ipv4Packet.MIN_HEADER_LENGTH;

    private Frames() {}

    /** An Ethernet II frame around {@code payload}. */
    public static byte[] ethernet(long dst, long src, int etherType, byte[] payload) {
        byte[] frame = new byte[EthernetFrame.HEADER_LENGTH + payload.length];
        MemorySegment seg = MemorySegment.ofArray(frame);
        new EthernetRepr(src, dst, etherType).emit(new EthernetFrame().wrap(seg, 0, frame.length));
        System.arraycopy(payload, 0, frame, EthernetFrame.HEADER_LENGTH, payload.length);
        return frame;
    }

    /** An ARP frame (broadcast for a request, to {@code targetMac} for a reply). */
    public static byte[] arp(ArpRepr repr) {
        byte[] payload = new byte[ArpPacket.LENGTH];
        repr.emit(new ArpPacket().wrap(MemorySegment.ofArray(payload), 0, payload.length));
        long dst = repr.operation() == ArpOperation.REQUEST ? MacAddress.BROADCAST : repr.targetMac();
        return ethernet(dst, repr.senderMac(), EtherType.ARP, payload);
    }

    /** An IPv4 packet (TTL 64, DF, Identification 1, checksum filled) around {@code payload}. */
    public static byte[] ipv4(int src, int dst, int protocol, byte[] payload) {
        byte[] packet = new byte[Ipv4Packet.MIN_HEADER_LENGTH + payload.length];
        System.arraycopy(payload, 0, packet, Ipv4Packet.MIN_HEADER_LENGTH, payload.length);
        new Ipv4Repr(src, dst, protocol, payload.length, 64, true, 1)
                .emit(new Ipv4Packet().wrap(MemorySegment.ofArray(packet), 0, packet.length));
        return packet;
    }

    /** A UDP datagram with its checksum filled for {@code src}/{@code dst}. */
    public static byte[] udp(int src, int dst, int srcPort, int dstPort, byte[] data) {
        byte[] datagram = new byte[UdpDatagram.HEADER_LENGTH + data.length];
        System.arraycopy(data, 0, datagram, UdpDatagram.HEADER_LENGTH, data.length);
        new UdpRepr(srcPort, dstPort, data.length)
                .emit(new UdpDatagram().wrap(MemorySegment.ofArray(datagram), 0, datagram.length), src, dst);
        return datagram;
    }

    /** An ICMP message (its data in place, checksum filled). */
    public static byte[] icmp(Icmpv4Repr repr, byte[] data) {
        byte[] message = new byte[Icmpv4Packet.HEADER_LENGTH + data.length];
        System.arraycopy(data, 0, message, Icmpv4Packet.HEADER_LENGTH, data.length);
        repr.emit(new Icmpv4Packet().wrap(MemorySegment.ofArray(message), 0, message.length));
        return message;
    }

    /** A whole frame: Ethernet, IPv4, UDP. */
    public static byte[] udpFrame(long dstMac, long srcMac, int src, int dst, int srcPort, int dstPort, byte[] data) {
        return ethernet(dstMac, srcMac, EtherType.IPV4, ipv4(src, dst, IpProtocol.UDP,
                udp(src, dst, srcPort, dstPort, data)));
    }

    /** A whole frame: Ethernet, IPv4, ICMP. */
    public static byte[] icmpFrame(long dstMac, long srcMac, int src, int dst, Icmpv4Repr repr, byte[] data) {
        return ethernet(dstMac, srcMac, EtherType.IPV4, ipv4(src, dst, IpProtocol.ICMP, icmp(repr, data)));
    }

    /** Recomputes the IPv4 header checksum of {@code frame} (after editing header bytes). */
    public static byte[] fixIpChecksum(byte[] frame) {
        Ipv4Packet ip = new Ipv4Packet().wrap(MemorySegment.ofArray(frame), IP, frame.length - IP);
        ip.fillChecksum();
        return frame;
    }

    /** Sets byte {@code offset} of {@code frame} and, if it is in the IPv4 header, refills its checksum. */
    public static byte[] withByte(byte[] frame, int offset, int value) {
        frame[offset] = (byte) value;
        return offset >= IP && offset < L4 && offset != IP + 10 && offset != IP + 11 ? fixIpChecksum(frame) : frame;
    }

    /** Sets the 16-bit big-endian field at {@code offset}, refilling the IPv4 header checksum if it is in there. */
    public static byte[] withU16(byte[] frame, int offset, int value) {
        Be.set16(MemorySegment.ofArray(frame), offset, value);
        return offset >= IP && offset < L4 && offset != IP + 10 ? fixIpChecksum(frame) : frame;
    }

    /** {@code n} bytes 0, 1, 2, … (mod 256). */
    public static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    /** The EtherType of a frame. */
    public static int etherType(byte[] frame) {
        return Be.u16(MemorySegment.ofArray(frame), 12);
    }

    /** The IPv4 view of a frame's payload (checked), or an AssertionError. */
    public static Ipv4Packet ipv4Of(byte[] frame) {
        Ipv4Packet ip = new Ipv4Packet().wrap(MemorySegment.ofArray(frame), IP, frame.length - IP);
        if (etherType(frame) != EtherType.IPV4 || ip.check() != WireError.OK) {
            throw new AssertionError("not an IPv4 frame");
        }
        return ip;
    }

    /** The bytes of {@code frame} from {@code offset} to the end. */
    public static byte[] tail(byte[] frame, int offset) {
        return MemorySegment.ofArray(frame).asSlice(offset).toArray(ValueLayout.JAVA_BYTE);
    }
}
