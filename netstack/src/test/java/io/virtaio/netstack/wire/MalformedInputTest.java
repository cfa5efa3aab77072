package io.virtaio.netstack.wire;

import static io.virtaio.netstack.wire.WireTestSupport.bytes;
import static io.virtaio.netstack.wire.WireTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Truncated, oversized and garbage input for every parser: {@code check()} returns a negative code and never
 * throws. Each input is a segment of exactly its length, so any read past it throws and fails the test.
 */
class MalformedInputTest {

    /** A parser: a valid fixture, the length below which it must be refused, and the check to run. */
    record Parser(String name, String fixture, int minimumLength, ToIntFunction<MemorySegment> check) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static int whole(MemorySegment seg) {
        return (int) seg.byteSize();
    }

    static final List<Parser> PARSERS = List.of(
            new Parser("Ethernet", EthernetFrameTest.HEADER, 14,
                    s -> new EthernetFrame().wrap(s, 0, whole(s)).check()),
            new Parser("ARP", ArpPacketTest.REQUEST, 28, s -> new ArpPacket().wrap(s, 0, whole(s)).check()),
            new Parser("IPv4", Ipv4PacketTest.HEADER + "00".repeat(95), 115,
                    s -> new Ipv4Packet().wrap(s, 0, whole(s)).check()),
            new Parser("ICMP echo", Icmpv4PacketTest.ECHO_REQUEST, 8,
                    s -> new Icmpv4Packet().wrap(s, 0, whole(s)).check()),
            new Parser("ICMP unreachable", Icmpv4PacketTest.PORT_UNREACHABLE, 36,
                    s -> new Icmpv4Packet().wrap(s, 0, whole(s)).check()),
            new Parser("ICMP time exceeded", Icmpv4PacketTest.TIME_EXCEEDED, 36,
                    s -> new Icmpv4Packet().wrap(s, 0, whole(s)).check()),
            new Parser("UDP", UdpDatagramTest.DATAGRAM, 11, s -> new UdpDatagram().wrap(s, 0, whole(s)).check()),
            new Parser("TCP SYN", TcpSegmentTest.SYN, 40, s -> new TcpSegment().wrap(s, 0, whole(s)).check()),
            new Parser("TCP data", TcpSegmentTest.DATA, 32, s -> new TcpSegment().wrap(s, 0, whole(s)).check()),
            new Parser("TCP SACK", TcpSegmentTest.SACK, 60, s -> new TcpSegment().wrap(s, 0, whole(s)).check()));

    static Stream<Arguments> truncations() {
        return PARSERS.stream().flatMap(p -> IntStream.range(0, p.minimumLength()).mapToObj(n -> Arguments.of(p, n)));
    }

    @ParameterizedTest(name = "{0} cut to {1} bytes")
    @MethodSource("truncations")
    void truncatedInputIsRefused(Parser parser, int length) {
        MemorySegment whole = hex(parser.fixture());
        assertEquals(WireError.OK, parser.check().applyAsInt(whole), "the fixture itself is valid");
        MemorySegment cut = MemorySegment.ofArray(Arrays.copyOf(bytes(parser.fixture()), length));
        int result = parser.check().applyAsInt(cut);
        assertTrue(result < 0, parser.name() + " at " + length + " bytes: " + WireError.name(result));
    }

    /** A length or count field pointing past the buffer. */
    static Stream<Arguments> oversizedLengthFields() {
        return Stream.of(
                Arguments.of("IPv4 total length 65535", Ipv4PacketTest.HEADER.replace("00 73", "ff ff"),
                        (ToIntFunction<MemorySegment>) s -> new Ipv4Packet().wrap(s, 0, whole(s)).check(),
                        WireError.TRUNCATED),
                Arguments.of("IPv4 IHL 15", Ipv4PacketTest.HEADER.replace("45", "4f") + "00".repeat(20),
                        (ToIntFunction<MemorySegment>) s -> new Ipv4Packet().wrap(s, 0, whole(s)).check(),
                        WireError.TRUNCATED),
                Arguments.of("embedded IPv4 IHL 15", "4f" + Icmpv4PacketTest.QUOTED.strip().substring(2),
                        (ToIntFunction<MemorySegment>) s -> new Ipv4Packet().wrap(s, 0, whole(s)).checkEmbedded(),
                        WireError.TRUNCATED),
                Arguments.of("UDP length 65535", UdpDatagramTest.DATAGRAM.replace("00 0b", "ff ff"),
                        (ToIntFunction<MemorySegment>) s -> new UdpDatagram().wrap(s, 0, whole(s)).check(),
                        WireError.TRUNCATED),
                Arguments.of("TCP data offset 15", TcpSegmentTest.SYN.replace("a0 02", "f0 02"),
                        (ToIntFunction<MemorySegment>) s -> new TcpSegment().wrap(s, 0, whole(s)).check(),
                        WireError.TRUNCATED),
                Arguments.of("ARP hardware length 255", ArpPacketTest.REQUEST.replace("06 04", "ff 04"),
                        (ToIntFunction<MemorySegment>) s -> new ArpPacket().wrap(s, 0, whole(s)).check(),
                        WireError.UNSUPPORTED),
                Arguments.of("TCP option length 255", TcpSegmentTest.SYN.replace("02 04 05 b4", "02 ff 05 b4"),
                        (ToIntFunction<MemorySegment>) MalformedInputTest::checkThenParseOptions,
                        WireError.BAD_OPTION),
                Arguments.of("SACK length 34 in 24 bytes of options",
                        TcpSegmentTest.DATA.replace("01 01 08 0a", "05 22 08 0a"),
                        (ToIntFunction<MemorySegment>) MalformedInputTest::checkThenParseOptions,
                        WireError.BAD_OPTION));
    }

    private static int checkThenParseOptions(MemorySegment s) {
        TcpSegment segment = new TcpSegment().wrap(s, 0, whole(s));
        int result = segment.check();
        return result != WireError.OK ? result : new TcpOptions().parse(segment);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oversizedLengthFields")
    void oversizedLengthFieldsAreRefused(String name, String input, ToIntFunction<MemorySegment> check,
            int expected) {
        assertEquals(WireError.name(expected), WireError.name(check.applyAsInt(hex(input))));
    }

    /** Whole buffers of one pattern, at the lengths around every header boundary. */
    static Stream<Arguments> garbage() {
        List<Arguments> cases = new ArrayList<>();
        int[] lengths = {0, 1, 2, 7, 8, 9, 13, 14, 15, 19, 20, 21, 27, 28, 29, 35, 36, 37, 59, 60, 61, 64, 1500};
        for (int fill : new int[] {0x00, 0xFF, 0xA5, 0x55, 0x45, 0x08, 0x03}) {
            for (int length : lengths) {
                cases.add(Arguments.of(String.format("%02x", fill), length));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} bytes of {0}")
    @MethodSource("garbage")
    void garbageNeverThrowsAndOnlyPassesWhereTheBytesAreValid(String fill, int length) {
        MemorySegment seg = MemorySegment.ofArray(new byte[length]).fill((byte) Integer.parseInt(fill, 16));
        ParseAll all = new ParseAll();
        all.everyView(seg);
        all.frame(seg);
        // Constant bytes can never make a valid IPv4 header with a matching total length, except 0x45 filling
        // (version 4, IHL 5, total length 0x4545 > any of these lengths) which must still be refused.
        assertEquals(0, all.reached(ParseAll.Reached.IPV4));
        if (fill.equals("00")) {
            assertEquals(WireError.name(length < 8 ? WireError.TRUNCATED : WireError.BAD_LENGTH),
                    WireError.name(new UdpDatagram().wrap(seg, 0, length).check()));
            assertEquals(WireError.name(length < 20 ? WireError.TRUNCATED : WireError.BAD_HEADER_LENGTH),
                    WireError.name(new TcpSegment().wrap(seg, 0, length).check()));
        }
        if (fill.equals("ff") && length >= 60) {
            TcpSegment segment = new TcpSegment().wrap(seg, 0, length);
            assertEquals(WireError.OK, segment.check());
            assertEquals(WireError.BAD_OPTION, new TcpOptions().parse(segment));
        }
    }
}
