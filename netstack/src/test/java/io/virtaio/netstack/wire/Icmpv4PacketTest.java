package io.virtaio.netstack.wire;

import static io.virtaio.netstack.wire.WireTestSupport.A;
import static io.virtaio.netstack.wire.WireTestSupport.B;
import static io.virtaio.netstack.wire.WireTestSupport.assertBytes;
import static io.virtaio.netstack.wire.WireTestSupport.copy;
import static io.virtaio.netstack.wire.WireTestSupport.filled;
import static io.virtaio.netstack.wire.WireTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Icmpv4PacketTest {
    /** RFC 792 echo: identifier 0x1234, sequence 1, data "abcd". */
    static final String ECHO_REQUEST = """
            08 00               # type 8 echo, code 0
            21 04               # checksum
            12 34 00 01         # identifier, sequence number
            61 62 63 64         # data "abcd"
            """;
    static final String ECHO_REPLY = """
            00 00 29 04         # type 0 echo reply, code 0, checksum
            12 34 00 01 61 62 63 64
            """;
    /** The start of a UDP datagram 198.18.0.2:40000 to 198.18.0.1:53 ("hi!"): IP header and 64 bits. */
    static final String QUOTED = """
            45 00 00 1f 00 00 40 00 40 11 ae a6 c6 12 00 02 c6 12 00 01   # IP header, total length 31
            9c 40 00 35 00 0b 00 00                                       # UDP header: 40000 -> 53
            """;
    static final String PORT_UNREACHABLE = """
            03 03               # type 3 destination unreachable, code 3 port
            60 7c               # checksum
            00 00 00 00         # unused
            """ + QUOTED;
    static final String FRAGMENTATION_NEEDED = """
            03 04               # type 3, code 4 fragmentation needed and DF set
            5b 03               # checksum
            00 00 05 78         # unused, next-hop MTU 1400 (RFC 1191 §4)
            """ + QUOTED;
    static final String TIME_EXCEEDED = """
            0b 00               # type 11 time exceeded, code 0 TTL
            58 7f               # checksum
            00 00 00 00         # unused
            """ + QUOTED;

    static Stream<Arguments> fixtures() {
        return Stream.of(
                Arguments.of("echo request", ECHO_REQUEST, new Icmpv4Repr.EchoRequest(0x1234, 1, 4)),
                Arguments.of("echo reply", ECHO_REPLY, new Icmpv4Repr.EchoReply(0x1234, 1, 4)),
                Arguments.of("port unreachable", PORT_UNREACHABLE,
                        new Icmpv4Repr.DstUnreachable(Icmpv4Code.PORT_UNREACHABLE, 0, 28)),
                Arguments.of("fragmentation needed", FRAGMENTATION_NEEDED,
                        new Icmpv4Repr.DstUnreachable(Icmpv4Code.FRAGMENTATION_NEEDED, 1400, 28)),
                Arguments.of("time exceeded", TIME_EXCEEDED,
                        new Icmpv4Repr.TimeExceeded(Icmpv4Code.TTL_EXCEEDED, 28)));
    }

    private final Icmpv4Packet packet = new Icmpv4Packet();

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void emitWritesTheHeaderAndChecksumAroundTheData(String name, String fixture, Icmpv4Repr repr) {
        MemorySegment expected = hex(fixture);
        int length = (int) expected.byteSize();
        MemorySegment buf = filled(length);
        copy(expected, 8, buf, 8, length - 8);                  // the data goes in first
        repr.emit(packet.wrap(buf, 0, length));
        assertBytes(fixture, buf);
        assertEquals(length, repr.bufferLength());
        assertEquals(8, repr.headerLength());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void parsesEachFixture(String name, String fixture, Icmpv4Repr repr) {
        MemorySegment buf = hex(fixture);
        packet.wrap(buf, 0, (int) buf.byteSize());
        assertEquals(WireError.OK, packet.check());
        assertTrue(packet.verifyChecksum());
        assertEquals(repr, Icmpv4Repr.parse(packet));
        assertEquals(8, packet.dataOffset());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void detectsABadChecksumInAnyByte(String name, String fixture, Icmpv4Repr repr) {
        MemorySegment good = hex(fixture);
        for (int i = 0; i < good.byteSize(); i++) {
            MemorySegment buf = copy(good);
            buf.set(ValueLayout.JAVA_BYTE, i, (byte) (buf.get(ValueLayout.JAVA_BYTE, i) ^ 0x01));
            assertFalse(packet.wrap(buf, 0, (int) buf.byteSize()).verifyChecksum(), "byte " + i);
        }
    }

    @Test
    void theQuotedDatagramLeadsToTheSocket() {
        MemorySegment buf = hex(PORT_UNREACHABLE);
        packet.wrap(buf, 0, (int) buf.byteSize());
        assertEquals(WireError.OK, packet.check());
        Ipv4Packet quoted = new Ipv4Packet().wrap(buf, packet.dataOffset(), packet.dataLength());
        assertEquals(WireError.OK, quoted.checkEmbedded());
        assertEquals(IpProtocol.UDP, quoted.protocol());
        assertEquals(B, quoted.src());
        assertEquals(A, quoted.dst());
        assertEquals(8, quoted.payloadLength());
        assertEquals(40000, Be.u16(buf, quoted.payloadOffset()));
        assertEquals(53, Be.u16(buf, quoted.payloadOffset() + 2));
    }

    @Test
    void anEchoReplyMirrorsTheRequest() {
        assertEquals(new Icmpv4Repr.EchoReply(7, 9, 56), new Icmpv4Repr.EchoRequest(7, 9, 56).reply());
    }

    @Test
    void unknownTypesAreUnsupported() {
        MemorySegment buf = hex("0d 00 00 00 00 00 00 00" + "00".repeat(12));   // timestamp request
        assertEquals(WireError.UNSUPPORTED, packet.wrap(buf, 0, 20).check());
        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) 5);                          // redirect
        assertEquals(WireError.UNSUPPORTED, packet.check());
    }

    @Test
    void errorsMustQuoteAnIpHeaderAnd64Bits() {
        MemorySegment buf = hex(TIME_EXCEEDED);
        assertEquals(WireError.TRUNCATED, packet.wrap(buf, 0, 35).check());
        assertEquals(WireError.OK, packet.wrap(buf, 0, 36).check());
    }

    @Test
    void anEchoNeedsOnlyItsHeader() {
        assertEquals(WireError.OK, packet.wrap(hex(ECHO_REQUEST), 0, 8).check());
        assertEquals(0, packet.dataLength());
        assertEquals(WireError.TRUNCATED, packet.wrap(hex(ECHO_REQUEST), 0, 7).check());
    }

    @Test
    void aViewLongerThanAnyIpPayloadIsRefused() {
        MemorySegment buf = MemorySegment.ofArray(new byte[0x10000]);
        assertEquals(WireError.BAD_LENGTH, packet.wrap(buf, 0, 0x10000).check());
        assertEquals(WireError.OK, packet.wrap(buf, 0, 0xFFFF).check());
    }

    @Test
    void misuseThrowsAtOnce() {
        Icmpv4Repr echo = new Icmpv4Repr.EchoRequest(1, 1, 4);
        assertThrows(IllegalArgumentException.class, () -> echo.emit(packet.wrap(filled(13), 0, 13)));
        assertThrows(IllegalArgumentException.class, () -> echo.emit(packet.wrap(filled(11), 0, 11)));
        assertThrows(IllegalArgumentException.class, () -> new Icmpv4Repr.EchoRequest(0x10000, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Icmpv4Repr.DstUnreachable(3, 0, 27));
        assertThrows(IllegalArgumentException.class, () -> new Icmpv4Repr.TimeExceeded(256, 28));
        MemorySegment unknown = hex("0d 00 00 00 00 00 00 00");
        assertThrows(IllegalArgumentException.class, () -> Icmpv4Repr.parse(packet.wrap(unknown, 0, 8)));
    }
}
