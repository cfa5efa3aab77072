package io.virtaio.netstack.wire;

/**
 * The ICMPv4 messages this stack sends and handles (RFC 792). The data (echo payload or the quoted original
 * datagram) is not copied: each variant records its length, and the data sits at
 * {@link Icmpv4Packet#dataOffset()}. {@link #emit} expects it already in place, since the checksum covers it.
 */
public sealed interface Icmpv4Repr {
    /**
     * An echo (request).
     *
     * @param identifier echo identifier
     * @param sequence   echo sequence number
     * @param dataLength the number of data bytes
     */
    record EchoRequest(int identifier, int sequence, int dataLength) implements Icmpv4Repr {
        /** @throws IllegalArgumentException if a field is out of range */
        public EchoRequest {
            Require.range("identifier", identifier, 0, 0xFFFF);
            Require.range("sequence", sequence, 0, 0xFFFF);
            Require.range("data length", dataLength, 0, MAX_DATA_LENGTH);
        }

        /** The reply RFC 792 asks for: same identifier, sequence number and data. */
        public EchoReply reply() {
            return new EchoReply(identifier, sequence, dataLength);
        }
    }

    /**
     * An echo reply.
     *
     * @param identifier echo identifier of the request
     * @param sequence   echo sequence number of the request
     * @param dataLength the number of data bytes
     */
    record EchoReply(int identifier, int sequence, int dataLength) implements Icmpv4Repr {
        /** @throws IllegalArgumentException if a field is out of range */
        public EchoReply {
            Require.range("identifier", identifier, 0, 0xFFFF);
            Require.range("sequence", sequence, 0, 0xFFFF);
            Require.range("data length", dataLength, 0, MAX_DATA_LENGTH);
        }
    }

    /**
     * A destination unreachable.
     *
     * @param code       see {@link Icmpv4Code}
     * @param nextHopMtu the Next-Hop MTU for {@link Icmpv4Code#FRAGMENTATION_NEEDED} (RFC 1191 §4), else 0
     * @param dataLength the number of quoted bytes: the original IP header and at least 64 bits of its data
     */
    record DstUnreachable(int code, int nextHopMtu, int dataLength) implements Icmpv4Repr {
        /** @throws IllegalArgumentException if a field is out of range */
        public DstUnreachable {
            Require.range("code", code, 0, 0xFF);
            Require.range("next-hop MTU", nextHopMtu, 0, 0xFFFF);
            Require.range("data length", dataLength, Icmpv4Packet.MIN_QUOTED_LENGTH, MAX_DATA_LENGTH);
        }
    }

    /**
     * A time exceeded.
     *
     * @param code       {@link Icmpv4Code#TTL_EXCEEDED} or {@link Icmpv4Code#REASSEMBLY_TIME_EXCEEDED}
     * @param dataLength the number of quoted bytes: the original IP header and at least 64 bits of its data
     */
    record TimeExceeded(int code, int dataLength) implements Icmpv4Repr {
        /** @throws IllegalArgumentException if a field is out of range */
        public TimeExceeded {
            Require.range("code", code, 0, 0xFF);
            Require.range("data length", dataLength, Icmpv4Packet.MIN_QUOTED_LENGTH, MAX_DATA_LENGTH);
        }
    }

    /** The most data a message may carry: {@link Icmpv4Packet#MAX_LENGTH} less the header. */
    int MAX_DATA_LENGTH = Icmpv4Packet.MAX_LENGTH - Icmpv4Packet.HEADER_LENGTH;

    /**
     * Reads a message whose {@link Icmpv4Packet#check()} returned {@link WireError#OK}; the code of echo messages
     * is not kept (RFC 792 sets it to 0).
     *
     * @throws IllegalArgumentException if the message was not checked (its type is not one of the four)
     */
    static Icmpv4Repr parse(Icmpv4Packet packet) {
        int dataLength = packet.dataLength();
        return switch (packet.type()) {
            case Icmpv4Type.ECHO_REQUEST -> new EchoRequest(packet.identifier(), packet.sequence(), dataLength);
            case Icmpv4Type.ECHO_REPLY -> new EchoReply(packet.identifier(), packet.sequence(), dataLength);
            case Icmpv4Type.DST_UNREACHABLE -> new DstUnreachable(packet.code(), packet.nextHopMtu(), dataLength);
            case Icmpv4Type.TIME_EXCEEDED -> new TimeExceeded(packet.code(), dataLength);
            default -> throw new IllegalArgumentException("unchecked ICMP type " + packet.type());
        };
    }

    /** The number of data bytes after the header. */
    int dataLength();

    /** {@link Icmpv4Packet#HEADER_LENGTH}. */
    default int headerLength() {
        return Icmpv4Packet.HEADER_LENGTH;
    }

    /** The message length: header plus data. */
    default int bufferLength() {
        return Icmpv4Packet.HEADER_LENGTH + dataLength();
    }

    /**
     * Writes the header into {@code packet} and fills the checksum over the header and the data already there.
     *
     * @throws IllegalArgumentException unless the view spans exactly {@link #bufferLength()} bytes
     */
    default void emit(Icmpv4Packet packet) {
        Require.exactly(packet.length(), bufferLength());
        switch (this) {
            case EchoRequest r -> writeEcho(packet, Icmpv4Type.ECHO_REQUEST, r.identifier(), r.sequence());
            case EchoReply r -> writeEcho(packet, Icmpv4Type.ECHO_REPLY, r.identifier(), r.sequence());
            case DstUnreachable r -> {
                packet.setType(Icmpv4Type.DST_UNREACHABLE);
                packet.setCode(r.code());
                packet.setNextHopMtu(r.nextHopMtu());
            }
            case TimeExceeded r -> {
                packet.setType(Icmpv4Type.TIME_EXCEEDED);
                packet.setCode(r.code());
                packet.clearRestOfHeader();
            }
        }
        packet.fillChecksum();
    }

    private static void writeEcho(Icmpv4Packet packet, int type, int identifier, int sequence) {
        packet.setType(type);
        packet.setCode(0);
        packet.setIdentifier(identifier);
        packet.setSequence(sequence);
    }
}
