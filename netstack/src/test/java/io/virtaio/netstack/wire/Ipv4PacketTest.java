package io.virtaio.netstack.wire;

import static io.virtaio.netstack.wire.WireTestSupport.A;
import static io.virtaio.netstack.wire.WireTestSupport.B;
import static io.virtaio.netstack.wire.WireTestSupport.assertBytes;
import static io.virtaio.netstack.wire.WireTestSupport.filled;
import static io.virtaio.netstack.wire.WireTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class Ipv4PacketTest {
    /**
     * RFC 791 §3.1 layout; the widely used worked example of the header checksum (192.168.0.1 to 192.168.0.199,
     * UDP, 115 bytes, DF, TTL 64), whose checksum b861 is computed by hand in many textbooks.
     */
    static final String HEADER = """
            45                  # version 4, IHL 5
            00                  # DSCP 0, ECN 0
            00 73               # total length 115
            00 00               # identification 0
            40 00               # flags: DF; fragment offset 0
            40                  # TTL 64
            11                  # protocol UDP
            b8 61               # header checksum
            c0 a8 00 01         # source 192.168.0.1
            c0 a8 00 c7         # destination 192.168.0.199
            """;
    static final Ipv4Repr REPR = new Ipv4Repr(Ipv4Address.parse("192.168.0.1"), Ipv4Address.parse("192.168.0.199"),
            IpProtocol.UDP, 95, 64, true, 0);

    /** A middle fragment: MF set, offset 1480 (185 units of 8), 198.18.0.1 to 198.18.0.2, ICMP. */
    static final String FRAGMENT = """
            45 00 05 dc         # IHL 5, total length 1500
            12 34               # identification 0x1234
            20 b9               # flags: MF; fragment offset 185 * 8 = 1480
            40 01               # TTL 64, ICMP
            b6 0c               # header checksum
            c6 12 00 01 c6 12 00 02
            """;

    private final Ipv4Packet packet = new Ipv4Packet();

    @Test
    void emitWritesTheTextbookHeader() {
        MemorySegment buf = filled(115);
        REPR.emit(packet.wrap(buf, 0, 115));
        assertBytes(HEADER + "a5".repeat(95), buf);
    }

    @Test
    void parsesTheTextbookHeader() {
        MemorySegment buf = hex(HEADER + "00".repeat(95));
        assertEquals(WireError.OK, packet.wrap(buf, 0, 115).check());
        assertTrue(packet.verifyChecksum());
        assertEquals(REPR, Ipv4Repr.parse(packet));
        assertEquals(4, packet.version());
        assertEquals(20, packet.headerLength());
        assertEquals(20, packet.payloadOffset());
        assertEquals(95, packet.payloadLength());
        assertFalse(packet.isFragment());
        assertEquals(0xB861, packet.checksum());
    }

    @Test
    void emitsAndParsesAFragment() {
        Ipv4Repr repr = new Ipv4Repr(A, B, IpProtocol.ICMP, 1480, 64, false, 0x1234, true, 1480);
        MemorySegment buf = filled(1500);
        repr.emit(packet.wrap(buf, 0, 1500));
        assertBytes(FRAGMENT, buf.asSlice(0, 20));
        assertEquals(WireError.OK, packet.check());
        assertTrue(packet.isFragment());
        assertTrue(packet.moreFragments());
        assertFalse(packet.dontFragment());
        assertEquals(1480, packet.fragmentOffset());
        assertEquals(repr, Ipv4Repr.parse(packet));
        assertTrue(repr.isFragment());
    }

    @Test
    void aLastFragmentHasNoMfButAnOffset() {
        MemorySegment buf = hex(FRAGMENT + "00".repeat(1480));
        buf.set(ValueLayout.JAVA_BYTE, 6, (byte) 0x00);         // MF cleared, offset 185 remains
        packet.wrap(buf, 0, 1500);
        assertEquals(WireError.OK, packet.check());
        assertTrue(packet.isFragment());
        assertFalse(packet.moreFragments());
        assertFalse(packet.verifyChecksum());                   // the edit above broke it
        packet.fillChecksum();
        assertTrue(packet.verifyChecksum());
    }

    @Test
    void detectsABadChecksumInAnyHeaderByte() {
        for (int i = 0; i < 20; i++) {
            MemorySegment buf = hex(HEADER + "00".repeat(95));
            buf.set(ValueLayout.JAVA_BYTE, i, (byte) (buf.get(ValueLayout.JAVA_BYTE, i) ^ 0x10));
            packet.wrap(buf, 0, 115);
            if (packet.check() == WireError.OK) {
                assertFalse(packet.verifyChecksum(), "flipped a bit in byte " + i);
            }
        }
    }

    @Test
    void optionsAreSkippedAndCoveredByTheChecksum() {
        MemorySegment buf = hex("""
                46 00 00 1c         # IHL 6: one word of options; total length 28
                00 01 00 00 40 11 00 00
                c6 12 00 01 c6 12 00 02
                94 04 00 00         # RFC 2113 router alert
                01 02 03 04         # payload
                """);
        packet.wrap(buf, 0, 28);
        assertEquals(WireError.OK, packet.check());
        packet.fillChecksum();
        assertTrue(packet.verifyChecksum());
        buf.set(ValueLayout.JAVA_BYTE, 22, (byte) 0x01);        // inside the option
        assertFalse(packet.verifyChecksum());
        assertEquals(24, packet.headerLength());
        assertEquals(24, packet.payloadOffset());
        assertEquals(4, packet.payloadLength());
        assertEquals(4, Ipv4Repr.parse(packet).payloadLength());
    }

    @Test
    void ethernetPaddingAfterTotalLengthIsNotPayload() {
        MemorySegment buf = hex(HEADER.replace("00 73", "00 1c") + "00".repeat(26));   // 28 of 46 bytes
        packet.wrap(buf, 0, 46);
        assertEquals(WireError.OK, packet.check());
        assertEquals(8, packet.payloadLength());
        assertEquals(46, packet.length());
    }

    @Test
    void checkNamesEachMalformation() {
        assertEquals(WireError.BAD_VERSION, packet.wrap(hex(HEADER.replace("45", "65") + "00".repeat(95)), 0, 115)
                .check());
        assertEquals(WireError.BAD_HEADER_LENGTH,
                packet.wrap(hex(HEADER.replace("45", "44") + "00".repeat(95)), 0, 115).check());
        assertEquals(WireError.TRUNCATED, packet.wrap(hex(HEADER.replace("45", "4f") + "00".repeat(20)), 0, 40)
                .check());
        assertEquals(WireError.BAD_TOTAL_LENGTH,
                packet.wrap(hex(HEADER.replace("00 73", "00 13") + "00".repeat(95)), 0, 115).check());
        assertEquals(WireError.TRUNCATED, packet.wrap(hex(HEADER + "00".repeat(94)), 0, 114).check());
        assertEquals(WireError.TRUNCATED, packet.wrap(hex(HEADER.replace("00 73", "ff ff")), 0, 20).check());
    }

    @Test
    void embeddedHeadersMayEndBeforeTheirTotalLength() {
        MemorySegment quoted = hex(Icmpv4PacketTest.QUOTED);    // 28 of a 31-byte datagram
        packet.wrap(quoted, 0, 28);
        assertEquals(WireError.TRUNCATED, packet.check());
        assertEquals(WireError.OK, packet.checkEmbedded());
        assertEquals(31, packet.totalLength());
        assertEquals(8, packet.payloadLength());
        assertEquals(IpProtocol.UDP, packet.protocol());
        assertEquals(B, packet.src());
        assertTrue(packet.verifyChecksum());
        assertEquals(WireError.BAD_VERSION, packet.wrap(hex("60" + "00".repeat(27)), 0, 28).checkEmbedded());
    }

    @Test
    void dscpAndEcnAreSeparateFields() {
        MemorySegment buf = hex(HEADER + "00".repeat(95));
        packet.wrap(buf, 0, 115).setDscpEcn(46, 1);             // EF, ECT(1)
        assertEquals(0xB9, buf.get(ValueLayout.JAVA_BYTE, 1) & 0xFF);
        assertEquals(46, packet.dscp());
        assertEquals(1, packet.ecn());
    }

    @Test
    void misuseThrowsAtOnce() {
        packet.wrap(filled(60), 0, 60);
        assertThrows(IllegalArgumentException.class, () -> packet.setVersionAndHeaderLength(21));
        assertThrows(IllegalArgumentException.class, () -> packet.setVersionAndHeaderLength(64));
        assertThrows(IllegalArgumentException.class, () -> packet.setFragment(false, true, 7));
        assertThrows(IllegalArgumentException.class, () -> packet.setFragment(false, true, 65536));
        assertThrows(IllegalArgumentException.class, () -> REPR.emit(packet.wrap(filled(114), 0, 114)));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Repr(A, B, 256, 0, 64, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Repr(A, B, 6, 65516, 64, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Repr(A, B, 6, 0, 256, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Repr(A, B, 6, 0, 64, false, 0x10000));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Repr(A, B, 6, 0, 64, false, 0, true, 12));
    }
}
