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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TcpSegmentTest {
    /** RFC 9293 §3.1 with RFC 7323/2018 options in Linux's SYN layout: 198.18.0.1:49152 to 198.18.0.2:80. */
    static final String SYN = """
            c0 00 00 50         # source port 49152, destination port 80
            01 02 03 04         # sequence number
            00 00 00 00         # acknowledgment number
            a0 02               # data offset 10 words; SYN
            fa f0               # window 64240
            e6 78               # checksum
            00 00               # urgent pointer
            02 04 05 b4         # MSS 1460
            04 02 08 0a         # SACK-permitted; timestamps kind 8 length 10 ...
            0a 0b 0c 0d         # ... TSval
            00 00 00 00         # ... TSecr
            01 03 03 07         # NOP; window scale 7
            """;
    static final TcpRepr SYN_REPR = TcpRepr.of(49152, 80, 0x0102_0304, 0, TcpFlags.SYN, 64240, 0)
            .withMss(1460).withSackPermitted().withTimestamps(0x0A0B_0C0D, 0).withWindowScale(7);

    /** A data segment in Linux's layout: NOP NOP timestamps, then 5 bytes. */
    static final String DATA = """
            c0 00 00 50 01 02 03 05
            a0 b0 c0 d1         # acknowledgment number
            80 18               # data offset 8 words; PSH ACK
            01 f6               # window 502
            24 67 00 00         # checksum, urgent pointer
            01 01 08 0a         # NOP NOP timestamps
            0a 0b 0c 0e 11 22 33 44
            68 65 6c 6c 6f      # "hello"
            """;
    static final TcpRepr DATA_REPR = TcpRepr.of(49152, 80, 0x0102_0305, 0xA0B0_C0D1, TcpFlags.PSH | TcpFlags.ACK,
            502, 5).withTimestamps(0x0A0B_0C0E, 0x1122_3344);

    /** An ACK from 198.18.0.2:80 with timestamps and three SACK blocks, the last across the sequence wrap. */
    static final String SACK = """
            00 50 c0 00 a0 b0 c0 d1 01 02 03 05
            f0 10               # data offset 15 words; ACK
            04 00 50 01 00 00   # window 1024, checksum, urgent pointer
            01 01 08 0a 0a 0b 0c 0f 11 22 33 45
            01 01 05 1a         # NOP NOP SACK length 26: three blocks
            00 00 10 00 00 00 20 00
            00 00 30 00 00 00 40 00
            ff ff ff f0 00 00 00 10
            """;
    static final TcpRepr SACK_REPR = TcpRepr.of(80, 49152, 0xA0B0_C0D1, 0x0102_0305, TcpFlags.ACK, 1024, 0)
            .withTimestamps(0x0A0B_0C0F, 0x1122_3345)
            .withSackBlocks(new SackBlock(0x1000, 0x2000), new SackBlock(0x3000, 0x4000),
                    new SackBlock(0xFFFF_FFF0, 0x10));

    /** A bare RST|ACK from 198.18.0.2:80. */
    static final String RST = """
            00 50 c0 00 00 00 00 00 01 02 03 05
            50 14               # data offset 5 words; RST ACK
            00 00 5f 51 00 00   # window 0, checksum, urgent pointer
            """;
    static final TcpRepr RST_REPR = TcpRepr.of(80, 49152, 0, 0x0102_0305, TcpFlags.RST | TcpFlags.ACK, 0, 0);

    static Stream<Arguments> fixtures() {
        return Stream.of(
                Arguments.of("SYN", SYN, SYN_REPR, A, B),
                Arguments.of("data", DATA, DATA_REPR, A, B),
                Arguments.of("SACK", SACK, SACK_REPR, B, A),
                Arguments.of("RST", RST, RST_REPR, B, A));
    }

    private final TcpSegment segment = new TcpSegment();
    private final TcpOptions options = new TcpOptions();

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void emitWritesHeaderOptionsAndChecksumAroundTheData(String name, String fixture, TcpRepr repr, int src,
            int dst) {
        MemorySegment expected = hex(fixture);
        int length = (int) expected.byteSize();
        MemorySegment buf = filled(length);
        int headerLength = repr.headerLength();
        copy(expected, headerLength, buf, headerLength, length - headerLength);
        repr.emit(segment.wrap(buf, 0, length), src, dst);
        assertBytes(fixture, buf);
        assertEquals(length, repr.bufferLength());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void parsesEachFixture(String name, String fixture, TcpRepr repr, int src, int dst) {
        MemorySegment buf = hex(fixture);
        segment.wrap(buf, 0, (int) buf.byteSize());
        assertEquals(WireError.OK, segment.check());
        assertTrue(segment.verifyChecksum(src, dst));
        assertEquals(WireError.OK, options.parse(segment));
        assertEquals(repr, TcpRepr.parse(segment, options));
        assertEquals(repr, TcpRepr.parse(segment));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void detectsABadChecksumInAnyByteOrPseudoHeader(String name, String fixture, TcpRepr repr, int src, int dst) {
        MemorySegment good = hex(fixture);
        for (int i = 0; i < good.byteSize(); i++) {
            MemorySegment buf = copy(good);
            buf.set(ValueLayout.JAVA_BYTE, i, (byte) (buf.get(ValueLayout.JAVA_BYTE, i) ^ 0x80));
            assertFalse(segment.wrap(buf, 0, (int) buf.byteSize()).verifyChecksum(src, dst), "byte " + i);
        }
        assertFalse(segment.wrap(good, 0, (int) good.byteSize()).verifyChecksum(src, dst ^ 0x0100));
        assertFalse(segment.wrap(good, 0, (int) good.byteSize() - 1).verifyChecksum(src, dst));
    }

    @Test
    void partialChecksumIsWhatLinuxLeavesForTheDevice() {
        MemorySegment buf = hex(SYN);
        segment.wrap(buf, 0, 40).fillPartialChecksum(A, B);
        // c612 + 0001 + c612 + 0002 + 0006 + 0028 = 1_8c55 -> 8c56, uncomplemented
        assertEquals(0x8C56, segment.checksum());
        // The device (virtio 1.2 §5.1.6.2) sums from csum_start to the end and stores the complement at csum_offset.
        int csumStart = 0;
        int sum = Checksum.sum(buf, csumStart, 40);
        Be.set16(buf, csumStart + TcpSegment.CHECKSUM_OFFSET, Checksum.finish(sum));
        assertBytes(SYN, buf);
    }

    @Test
    void accessorsReadTheFixture() {
        segment.wrap(hex(DATA), 0, 37);
        assertEquals(WireError.OK, segment.check());
        assertEquals(32, segment.headerLength());
        assertEquals(20, segment.optionsOffset());
        assertEquals(12, segment.optionsLength());
        assertEquals(32, segment.payloadOffset());
        assertEquals(5, segment.payloadLength());
        assertEquals(5, segment.sequenceLength());
        assertTrue(segment.hasFlags(TcpFlags.ACK | TcpFlags.PSH));
        assertFalse(segment.hasFlags(TcpFlags.ACK | TcpFlags.SYN));
        assertEquals(0xA0B0_C0D1, segment.ack());
        assertEquals(0, segment.urgentPointer());
        segment.wrap(hex(SYN), 0, 40);
        assertEquals(1, segment.sequenceLength());
        assertEquals(1, SYN_REPR.sequenceLength());
        assertEquals(5, DATA_REPR.sequenceLength());
    }

    @Test
    void reservedBitsAreIgnoredOnReceiptAndClearedOnEmit() {
        MemorySegment buf = hex(RST.replace("50 14", "5f 14"));
        segment.wrap(buf, 0, 20);
        assertEquals(WireError.OK, segment.check());
        assertEquals(20, segment.headerLength());
        assertEquals(TcpFlags.RST | TcpFlags.ACK, segment.flags());
        segment.setHeaderLength(20);
        assertEquals(0x50, buf.get(ValueLayout.JAVA_BYTE, 12));
    }

    @Test
    void checkNamesEachMalformation() {
        assertEquals(WireError.TRUNCATED, segment.wrap(hex(SYN), 0, 19).check());
        assertEquals(WireError.BAD_HEADER_LENGTH, segment.wrap(hex(RST.replace("50 14", "40 14")), 0, 20).check());
        assertEquals(WireError.TRUNCATED, segment.wrap(hex(SYN), 0, 39).check());
        assertEquals(WireError.TRUNCATED, segment.wrap(hex(RST.replace("50 14", "f0 14")), 0, 20).check());
        MemorySegment huge = MemorySegment.ofArray(new byte[0x10000]);
        huge.set(ValueLayout.JAVA_BYTE, 12, (byte) 0x50);
        assertEquals(WireError.BAD_LENGTH, segment.wrap(huge, 0, 0x10000).check());
        assertEquals(WireError.OK, segment.wrap(huge, 0, 0xFFFF).check());
    }

    @Test
    void parseWithoutAHolderRefusesBadOptions() {
        MemorySegment buf = hex(SYN.replace("02 04 05 b4", "02 00 05 b4"));
        segment.wrap(buf, 0, 40);
        assertEquals(WireError.OK, segment.check());
        assertThrows(IllegalArgumentException.class, () -> TcpRepr.parse(segment));
        assertEquals(WireError.BAD_OPTION, options.parse(segment));
    }

    @Test
    void reprOptionsAndToString() {
        TcpOptions o = SACK_REPR.options();
        assertTrue(o.hasTimestamps());
        assertEquals(3, o.sackCount());
        assertEquals(0xFFFF_FFF0, o.sackLeft(2));
        assertEquals(List.of(new SackBlock(0x1000, 0x2000), new SackBlock(0x3000, 0x4000),
                new SackBlock(0xFFFF_FFF0, 0x10)), SACK_REPR.sackBlocks());
        assertEquals("TcpRepr[49152 > 80 SYN seq=16909060 ack=0 win=64240 mss=1460 ws=7 sackPermitted "
                + "ts=168496141/0 len=0]", SYN_REPR.toString());
    }

    @Test
    void misuseThrowsAtOnce() {
        assertThrows(IllegalArgumentException.class, () -> SYN_REPR.emit(segment.wrap(filled(41), 0, 41), A, B));
        assertThrows(IllegalArgumentException.class, () -> SYN_REPR.emit(segment.wrap(filled(39), 0, 39), A, B));
        assertThrows(IllegalArgumentException.class, () -> SYN_REPR.withWindowScale(15));
        assertThrows(IllegalArgumentException.class, () -> SYN_REPR.withMss(65536));
        assertThrows(IllegalArgumentException.class, () -> TcpRepr.of(1, 2, 3, 4, 0x100, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> TcpRepr.of(1, 2, 3, 4, 0, 0x10000, 0));
        assertThrows(IllegalArgumentException.class, () -> new TcpRepr(1, 2, 3, 4, 0, 5, -1, -1, false, false, 7, 0,
                List.of(), 0));
        SackBlock b = new SackBlock(1, 2);
        assertThrows(IllegalArgumentException.class, () -> DATA_REPR.withSackBlocks(b, b, b, b, b));
        TcpRepr tooMany = DATA_REPR.withSackBlocks(b, b, b, b);   // fine as a value, but 12 + 36 > 40 bytes
        assertThrows(IllegalArgumentException.class, tooMany::headerLength);
        segment.wrap(filled(60), 0, 60);
        assertThrows(IllegalArgumentException.class, () -> segment.setHeaderLength(22));
        assertThrows(IllegalArgumentException.class, () -> segment.setHeaderLength(64));
    }
}
