package io.virtaio.netstack.wire;

import static io.virtaio.netstack.wire.WireTestSupport.MAC_A;
import static io.virtaio.netstack.wire.WireTestSupport.MAC_B;
import static io.virtaio.netstack.wire.WireTestSupport.assertBytes;
import static io.virtaio.netstack.wire.WireTestSupport.filled;
import static io.virtaio.netstack.wire.WireTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class EthernetFrameTest {
    /** RFC 894: destination, source, type; here an ARP frame from 02:00:00:00:00:01 to 02:00:00:00:00:02. */
    static final String HEADER = """
            02 00 00 00 00 02   # destination address
            02 00 00 00 00 01   # source address
            08 06               # type: ARP
            """;

    private final EthernetFrame frame = new EthernetFrame();

    @Test
    void emitWritesExactlyTheHeader() {
        MemorySegment buf = filled(18);
        new EthernetRepr(MAC_A, MAC_B, EtherType.ARP).emit(frame.wrap(buf, 0, 18));
        assertBytes(HEADER + "a5 a5 a5 a5", buf);
    }

    @Test
    void parsesTheFixture() {
        MemorySegment buf = hex(HEADER + "de ad be ef");
        assertEquals(WireError.OK, frame.wrap(buf, 0, 18).check());
        assertEquals(new EthernetRepr(MAC_A, MAC_B, EtherType.ARP), EthernetRepr.parse(frame));
        assertEquals(MAC_B, frame.dst());
        assertEquals(14, frame.payloadOffset());
        assertEquals(4, frame.payloadLength());
    }

    @Test
    void aHeaderAloneIsAFrameWithAnEmptyPayload() {
        assertEquals(WireError.OK, frame.wrap(hex(HEADER), 0, 14).check());
        assertEquals(0, frame.payloadLength());
    }

    @Test
    void viewsWorkAtAnyOffsetOfALargerBuffer() {
        MemorySegment buf = filled(40);
        new EthernetRepr(MAC_B, MacAddress.BROADCAST, EtherType.IPV4).emit(frame.wrap(buf, 7, 20));
        assertEquals(WireError.OK, frame.check());
        assertEquals(new EthernetRepr(MAC_B, MacAddress.BROADCAST, EtherType.IPV4), EthernetRepr.parse(frame));
        assertEquals(21, frame.payloadOffset());
        assertEquals((byte) 0xA5, buf.get(ValueLayout.JAVA_BYTE, 6));
        assertEquals((byte) 0xA5, buf.get(ValueLayout.JAVA_BYTE, 21));
    }

    @Test
    void roundTrip() {
        EthernetRepr repr = new EthernetRepr(0x0A0B_0C0D_0E0FL, 0x0102_0304_0506L, 0x88CC);
        MemorySegment buf = filled(14);
        repr.emit(frame.wrap(buf, 0, 14));
        assertEquals(repr, EthernetRepr.parse(frame.wrap(buf, 0, 14)));
        assertEquals(14, repr.headerLength());
        assertEquals(14, repr.bufferLength());
    }

    @Test
    void misuseThrowsAtOnce() {
        assertThrows(IndexOutOfBoundsException.class, () -> frame.wrap(filled(10), 0, 11));
        assertThrows(IndexOutOfBoundsException.class, () -> frame.wrap(filled(10), -1, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> frame.wrap(filled(10), 0, -1));
        EthernetRepr repr = new EthernetRepr(MAC_A, MAC_B, EtherType.IPV4);
        assertThrows(IllegalArgumentException.class, () -> repr.emit(frame.wrap(filled(13), 0, 13)));
        assertThrows(IllegalArgumentException.class, () -> new EthernetRepr(1L << 48, MAC_B, EtherType.IPV4));
        assertThrows(IllegalArgumentException.class, () -> new EthernetRepr(MAC_A, MAC_B, 0x10000));
    }
}
