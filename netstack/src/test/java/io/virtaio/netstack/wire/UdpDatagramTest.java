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
import org.junit.jupiter.api.Test;

class UdpDatagramTest {
    /** RFC 768: 198.18.0.1:40000 to 198.18.0.2:53, data "hi!" (odd, so the checksum pads a zero byte). */
    static final String DATAGRAM = """
            9c 40               # source port 40000
            00 35               # destination port 53
            00 0b               # length 11
            4d d1               # checksum, with the pseudo-header
            68 69 21            # "hi!"
            """;
    /** Data chosen so that the checksum computes to zero, which RFC 768 transmits as ffff. */
    static final String ZERO_SUM = """
            9c 40 00 35 00 0a
            ff ff               # checksum: computed 0000, sent as all ones
            d7 3c               # data
            """;

    private final UdpDatagram datagram = new UdpDatagram();

    @Test
    void emitWritesHeaderAndChecksumAroundTheData() {
        MemorySegment buf = filled(11);
        copy(hex("68 69 21"), 0, buf, 8, 3);
        new UdpRepr(40000, 53, 3).emit(datagram.wrap(buf, 0, 11), A, B);
        assertBytes(DATAGRAM, buf);
    }

    @Test
    void aComputedZeroIsSentAsAllOnes() {
        MemorySegment buf = filled(10);
        copy(hex("d7 3c"), 0, buf, 8, 2);
        new UdpRepr(40000, 53, 2).emit(datagram.wrap(buf, 0, 10), A, B);
        assertBytes(ZERO_SUM, buf);
        assertTrue(datagram.verifyChecksum(A, B));
    }

    @Test
    void parsesTheFixture() {
        datagram.wrap(hex(DATAGRAM), 0, 11);
        assertEquals(WireError.OK, datagram.check());
        assertTrue(datagram.verifyChecksum(A, B));
        assertEquals(new UdpRepr(40000, 53, 3), UdpRepr.parse(datagram));
        assertEquals(8, datagram.payloadOffset());
        assertEquals(11, datagram.datagramLength());
    }

    @Test
    void detectsABadChecksumInAnyByteOrTheWrongAddresses() {
        MemorySegment good = hex(DATAGRAM);
        for (int i = 0; i < good.byteSize(); i++) {
            MemorySegment buf = copy(good);
            buf.set(ValueLayout.JAVA_BYTE, i, (byte) (buf.get(ValueLayout.JAVA_BYTE, i) ^ 0x04));
            datagram.wrap(buf, 0, 11);
            if (datagram.check() == WireError.OK) {
                assertFalse(datagram.verifyChecksum(A, B), "byte " + i);
            }
        }
        assertFalse(datagram.wrap(good, 0, 11).verifyChecksum(A, Ipv4Address.parse("198.18.0.3")));
        assertFalse(datagram.verifyChecksum(B, A + 1));
    }

    @Test
    void zeroChecksumMeansNoneOnIpv4() {
        MemorySegment buf = hex(DATAGRAM.replace("4d d1", "00 00"));
        assertTrue(datagram.wrap(buf, 0, 11).verifyChecksum(A, B));
    }

    @Test
    void bytesAfterTheLengthFieldAreIgnored() {
        MemorySegment buf = hex(DATAGRAM + "ee ee ee");
        datagram.wrap(buf, 0, 14);
        assertEquals(WireError.OK, datagram.check());
        assertTrue(datagram.verifyChecksum(A, B));
        assertEquals(3, datagram.payloadLength());
    }

    @Test
    void partialChecksumIsThePseudoHeaderSumForTheDevice() {
        MemorySegment buf = hex(DATAGRAM);
        datagram.wrap(buf, 0, 11).fillPartialChecksum(A, B);
        // c612 + 0001 + c612 + 0002 + 0011 + 000b = 1_8c43 -> 8c44
        assertEquals(0x8C44, datagram.checksum());
        // The device (virtio 1.2 §5.1.6.2) sums from csum_start to the end and stores the complement.
        datagram.setChecksum(Checksum.finishUdp(Checksum.sum(buf, 0, 11)));
        assertBytes(DATAGRAM, buf);
    }

    @Test
    void checkNamesEachMalformation() {
        assertEquals(WireError.TRUNCATED, datagram.wrap(hex(DATAGRAM), 0, 7).check());
        assertEquals(WireError.BAD_LENGTH, datagram.wrap(hex(DATAGRAM.replace("00 0b", "00 07")), 0, 11).check());
        assertEquals(WireError.TRUNCATED, datagram.wrap(hex(DATAGRAM.replace("00 0b", "00 0c")), 0, 11).check());
        assertEquals(WireError.TRUNCATED, datagram.wrap(hex(DATAGRAM.replace("00 0b", "ff ff")), 0, 11).check());
        assertEquals(WireError.OK, datagram.wrap(hex("00 00 00 00 00 08 00 00"), 0, 8).check());
    }

    @Test
    void misuseThrowsAtOnce() {
        UdpRepr repr = new UdpRepr(1, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> repr.emit(datagram.wrap(filled(10), 0, 10), A, B));
        assertThrows(IllegalArgumentException.class, () -> new UdpRepr(65536, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> new UdpRepr(1, 2, 65528));
        assertThrows(IllegalArgumentException.class, () -> new UdpRepr(1, 2, -1));
    }
}
