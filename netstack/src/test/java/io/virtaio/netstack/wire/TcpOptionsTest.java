package io.virtaio.netstack.wire;

import static io.virtaio.netstack.wire.WireTestSupport.assertBytes;
import static io.virtaio.netstack.wire.WireTestSupport.filled;
import static io.virtaio.netstack.wire.WireTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TcpOptionsTest {
    private final TcpOptions options = new TcpOptions();

    /** Parses exactly the given option bytes (the option list of a header, without padding). */
    private int parse(String optionHex) {
        MemorySegment seg = hex(optionHex);
        return options.parse(seg, 0, (int) seg.byteSize());
    }

    @Test
    void mss() {
        assertEquals(WireError.OK, parse("02 04 05 b4"));
        assertTrue(options.hasMss());
        assertEquals(1460, options.mss());
        assertFalse(options.hasWindowScale());
        assertFalse(options.sackPermitted());
        assertFalse(options.hasTimestamps());
        assertEquals(0, options.sackCount());
        assertEquals(WireError.OK, parse("02 04 ff ff"));
        assertEquals(65535, options.mss());
    }

    @ParameterizedTest(name = "shift {0} is used as {1}")
    @CsvSource({"00, 0", "07, 7", "0e, 14", "0f, 14", "ff, 14"})
    void windowScaleAbove14IsUsedAs14(String shift, int expected) {
        assertEquals(WireError.OK, parse("03 03 " + shift));
        assertTrue(options.hasWindowScale());
        assertEquals(expected, options.windowScale());
    }

    @Test
    void sackPermitted() {
        assertEquals(WireError.OK, parse("04 02"));
        assertTrue(options.sackPermitted());
    }

    @Test
    void timestampsAreRaw32BitValues() {
        assertEquals(WireError.OK, parse("08 0a ff ff ff fe 80 00 00 00"));
        assertTrue(options.hasTimestamps());
        assertEquals(0xFFFF_FFFE, options.tsVal());
        assertEquals(0x8000_0000, options.tsEcr());
        assertEquals(4294967294L, Integer.toUnsignedLong(options.tsVal()));
    }

    @ParameterizedTest(name = "{0} blocks")
    @ValueSource(ints = {1, 2, 3, 4})
    void sackWithOneToFourBlocks(int blocks) {
        StringBuilder hex = new StringBuilder(String.format("05 %02x", 2 + 8 * blocks));
        for (int i = 0; i < blocks; i++) {
            hex.append(String.format(" %08x %08x", 0xFFFF_0000 + i * 0x100, 0xFFFF_0080 + i * 0x100));
        }
        assertEquals(WireError.OK, parse(hex.toString()));
        assertEquals(blocks, options.sackCount());
        for (int i = 0; i < blocks; i++) {
            assertEquals(0xFFFF_0000 + i * 0x100, options.sackLeft(i));
            assertEquals(0xFFFF_0080 + i * 0x100, options.sackRight(i));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> options.sackLeft(blocks));
    }

    @Test
    void linuxSynLayout() {
        assertEquals(WireError.OK, parse("02 04 05 b4 04 02 08 0a 0a 0b 0c 0d 00 00 00 00 01 03 03 07"));
        assertEquals(1460, options.mss());
        assertTrue(options.sackPermitted());
        assertEquals(0x0A0B_0C0D, options.tsVal());
        assertEquals(0, options.tsEcr());
        assertEquals(7, options.windowScale());
    }

    @Test
    void linuxDataLayoutWithSack() {
        assertEquals(WireError.OK, parse("01 01 08 0a 00 00 00 01 00 00 00 02 01 01 05 0a 00 00 00 10 00 00 00 20"));
        assertEquals(1, options.tsVal());
        assertEquals(2, options.tsEcr());
        assertEquals(1, options.sackCount());
        assertEquals(0x10, options.sackLeft(0));
        assertEquals(0x20, options.sackRight(0));
    }

    @Test
    void unknownOptionsWithAValidLengthAreSkipped() {
        assertEquals(WireError.OK, parse("1e 06 00 01 02 03   02 04 05 b4"));     // MPTCP-like kind 30
        assertEquals(1460, options.mss());
        assertEquals(WireError.OK, parse("fe 02 03 03 05"));                    // experimental, no data
        assertEquals(5, options.windowScale());
        assertEquals(WireError.OK, parse("13 12" + " 00".repeat(16) + " 04 02"));  // MD5 signature (RFC 2385)
        assertTrue(options.sackPermitted());
    }

    @Test
    void eolEndsTheListAndWhateverFollowsIsIgnored() {
        assertEquals(WireError.OK, parse("02 04 05 b4 00 03 03 07"));
        assertEquals(1460, options.mss());
        assertFalse(options.hasWindowScale());
        assertEquals(WireError.OK, parse("00 02 00 ff ff"));
        assertFalse(options.hasMss());
        assertEquals(WireError.OK, parse("01 01 01 01"));
        assertEquals(WireError.OK, parse(""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "length 0 of a known option,          02 00 05 b4",
        "length 0 of an unknown option,       1e 00",
        "length 1,                            1e 01 00 00",
        "length 1 after NOPs,                 01 01 08 01",
        "a kind without its length byte,      01 01 01 02",
        "a lone kind byte,                    05",
        "MSS running past the list,           02 04 05",
        "timestamps running past the list,    08 0a 00 00 00 00",
        "unknown option running past,         1e 08 00 00 00 00",
        "SACK running past,                   01 01 05 12 00 00 00 01 00 00 00 02",
        "MSS of length 3,                     02 03 05 01",
        "MSS of length 5,                     02 05 05 b4 00",
        "window scale of length 2,            03 02",
        "window scale of length 4,            03 04 07 00",
        "SACK-permitted of length 3,          04 03 00 00",
        "timestamps of length 8,              08 08 00 00 00 00 00 00",
        "timestamps of length 12,             08 0c 00 00 00 00 00 00 00 00 00 00",
        "SACK without blocks,                 05 02",
        "SACK with a partial block,           05 06 00 00 00 01",
        "SACK of length 11,                   05 0b 00 00 00 01 00 00 00 02 00",
    })
    void malformedOptionsAreRejected(String what, String optionHex) {
        assertEquals(WireError.BAD_OPTION, parse(optionHex), what);
    }

    @Test
    void sackWithFiveBlocksIsRejectedEvenWhereItWouldFit() {
        assertEquals(WireError.BAD_OPTION, parse("05 2a" + " 00".repeat(40)));
    }

    @Test
    void aRejectedListLeavesTheHolderCleared() {
        assertEquals(WireError.BAD_OPTION, parse("02 04 05 b4 08 0a 00 00 00 01 00 00 00 02 03 00"));
        assertFalse(options.hasMss());
        assertFalse(options.hasTimestamps());
    }

    @Test
    void eachParseStartsAfresh() {
        assertEquals(WireError.OK, parse("02 04 05 b4 04 02 01 05 0a 00 00 00 01 00 00 00 02"));
        assertEquals(1, options.sackCount());
        assertEquals(WireError.OK, parse("01 01 01 01"));
        assertFalse(options.hasMss());
        assertFalse(options.sackPermitted());
        assertEquals(0, options.sackCount());
    }

    @Test
    void aRepeatedOptionOverwritesTheEarlierOne() {
        assertEquals(WireError.OK, parse("02 04 05 b4 02 04 02 18"));
        assertEquals(536, options.mss());
    }

    @Test
    void parsesTheOptionAreaOfASegment() {
        MemorySegment buf = hex(TcpSegmentTest.SYN);
        TcpSegment segment = new TcpSegment().wrap(buf, 0, 40);
        assertEquals(WireError.OK, segment.check());
        assertEquals(WireError.OK, options.parse(segment));
        assertEquals(7, options.windowScale());
        // The data offset bounds the list: with 16 bytes of options the window scale option is cut off.
        buf.set(ValueLayout.JAVA_BYTE, 12, (byte) 0x90);
        assertEquals(WireError.OK, segment.wrap(buf, 0, 40).check());
        assertEquals(WireError.OK, options.parse(segment));
        assertFalse(options.hasWindowScale());
        assertTrue(options.hasTimestamps());
        // With 14 bytes the timestamps option runs past the header.
        MemorySegment odd = hex("02 04 05 b4 04 02 08 0a 0a 0b 0c 0d 00 00");
        assertEquals(WireError.BAD_OPTION, options.parse(odd, 0, 14));
    }

    @Test
    void writerProducesLinuxSynLayout() {
        TcpOptions o = new TcpOptions();
        o.setMss(1460);
        o.setSackPermitted(true);
        o.setTimestamps(0x0A0B_0C0D, 0);
        o.setWindowScale(7);
        MemorySegment buf = filled(22);
        assertEquals(20, TcpOptionWriter.length(o));
        assertEquals(20, TcpOptionWriter.write(o, buf, 1));
        assertBytes("a5 02 04 05 b4 04 02 08 0a 0a 0b 0c 0d 00 00 00 00 01 03 03 07 a5", buf);
    }

    @Test
    void writerLayouts() {
        assertWrites("", new TcpOptions());
        TcpOptions o = new TcpOptions();
        o.setTimestamps(1, 2);
        assertWrites("01 01 08 0a 00 00 00 01 00 00 00 02", o);
        o.addSackBlock(0x10, 0x20);
        assertWrites("01 01 08 0a 00 00 00 01 00 00 00 02 01 01 05 0a 00 00 00 10 00 00 00 20", o);
        o.addSackBlock(0x30, 0x40);
        o.addSackBlock(0x50, 0x60);
        assertEquals(40, TcpOptionWriter.length(o));
        o.addSackBlock(0x70, 0x80);
        assertThrows(IllegalArgumentException.class, () -> TcpOptionWriter.length(o));
        assertThrows(IllegalStateException.class, () -> o.addSackBlock(0x90, 0xA0));

        TcpOptions synNoTs = new TcpOptions();
        synNoTs.setMss(1460);
        synNoTs.setSackPermitted(true);
        synNoTs.setWindowScale(0);
        assertWrites("02 04 05 b4 01 01 04 02 01 03 03 00", synNoTs);

        TcpOptions fourBlocks = new TcpOptions();
        for (int i = 0; i < 4; i++) {
            fourBlocks.addSackBlock(i, i + 1);
        }
        assertEquals(36, TcpOptionWriter.length(fourBlocks));
    }

    private static void assertWrites(String expectedHex, TcpOptions o) {
        int n = TcpOptionWriter.length(o);
        MemorySegment buf = filled(n);
        assertEquals(n, TcpOptionWriter.write(o, buf, 0));
        assertBytes(expectedHex, buf);
        assertEquals(0, n % 4);
    }

    @Test
    void maxSackBlocksLeavesRoomForTheOtherOptions() {
        TcpOptions o = new TcpOptions();
        assertEquals(4, TcpOptionWriter.maxSackBlocks(o));
        o.setTimestamps(1, 2);
        assertEquals(3, TcpOptionWriter.maxSackBlocks(o));
        o.setMss(1460);
        o.setWindowScale(7);
        assertEquals(2, TcpOptionWriter.maxSackBlocks(o));
    }

    @Test
    void writingIntoASegmentSetsItsDataOffset() {
        TcpOptions o = new TcpOptions();
        o.setTimestamps(5, 6);
        MemorySegment buf = filled(40);
        TcpSegment segment = new TcpSegment().wrap(buf, 0, 40);
        assertEquals(12, TcpOptionWriter.write(o, segment));
        assertEquals(32, segment.headerLength());
        assertThrows(IllegalArgumentException.class, () -> TcpOptionWriter.write(o, segment.wrap(buf, 0, 31)));
    }

    @Test
    void whateverTheWriterWritesParsesBackIdentically() {
        SplittableRandom random = new SplittableRandom(7323);
        TcpOptions written = new TcpOptions();
        for (int round = 0; round < 10_000; round++) {
            written.clear();
            if (random.nextBoolean()) {
                written.setMss(random.nextInt(0x10000));
            }
            if (random.nextBoolean()) {
                written.setWindowScale(random.nextInt(15));
            }
            written.setSackPermitted(random.nextBoolean());
            if (random.nextBoolean()) {
                written.setTimestamps(random.nextInt(), random.nextInt());
            }
            int blocks = random.nextInt(TcpOptionWriter.maxSackBlocks(written) + 1);
            for (int i = 0; i < blocks; i++) {
                written.addSackBlock(random.nextInt(), random.nextInt());
            }
            MemorySegment buf = filled(40);
            int n = TcpOptionWriter.write(written, buf, 0);
            assertEquals(WireError.OK, options.parse(buf, 0, n));
            assertEquals(written.toString(), options.toString());
        }
    }

    @Test
    void settersRefuseValuesTheWireCannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> options.setWindowScale(15));
        assertThrows(IllegalArgumentException.class, () -> options.setWindowScale(-1));
        assertThrows(IllegalArgumentException.class, () -> options.setMss(65536));
    }
}
