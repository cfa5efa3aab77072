package io.virtaio.netstack.wire;

import static io.virtaio.netstack.wire.WireTestSupport.A;
import static io.virtaio.netstack.wire.WireTestSupport.B;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArpPacketTest {
    /** RFC 826: 198.18.0.1 at 02:00:00:00:00:01 asks who has 198.18.0.2. */
    static final String REQUEST = """
            00 01               # ar$hrd: Ethernet
            08 00               # ar$pro: IPv4
            06 04               # ar$hln, ar$pln
            00 01               # ar$op: request
            02 00 00 00 00 01   # ar$sha
            c6 12 00 01         # ar$spa 198.18.0.1
            00 00 00 00 00 00   # ar$tha: unknown
            c6 12 00 02         # ar$tpa 198.18.0.2
            """;
    static final String REPLY = """
            00 01 08 00 06 04
            00 02               # ar$op: reply
            02 00 00 00 00 02   # ar$sha: the answer
            c6 12 00 02         # ar$spa 198.18.0.2
            02 00 00 00 00 01   # ar$tha
            c6 12 00 01         # ar$tpa 198.18.0.1
            """;

    private final ArpPacket packet = new ArpPacket();

    @Test
    void emitsARequest() {
        MemorySegment buf = filled(30);
        ArpRepr.request(MAC_A, A, B).emit(packet.wrap(buf, 0, 30));
        assertBytes(REQUEST + "a5 a5", buf);
    }

    @Test
    void emitsAReply() {
        MemorySegment buf = filled(28);
        new ArpRepr(ArpOperation.REPLY, MAC_B, B, MAC_A, A).emit(packet.wrap(buf, 0, 28));
        assertBytes(REPLY, buf);
    }

    @Test
    void parsesBothFixturesIncludingEthernetPadding() {
        MemorySegment request = hex(REQUEST + "00".repeat(18));           // padded to a 60-byte frame
        assertEquals(WireError.OK, packet.wrap(request, 0, 46).check());
        assertEquals(new ArpRepr(ArpOperation.REQUEST, MAC_A, A, 0, B), ArpRepr.parse(packet));
        assertEquals(WireError.OK, packet.wrap(hex(REPLY), 0, 28).check());
        assertEquals(new ArpRepr(ArpOperation.REPLY, MAC_B, B, MAC_A, A), ArpRepr.parse(packet));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "IEEE 802 hardware,  0, 06",
        "IPv6 protocol,      2, 86",
        "8-byte hw address,  4, 08",
        "16-byte protocol,   5, 10",
        "RARP opcode 3,      7, 03",
        "opcode 0,           7, 00",
    })
    void rejectsOtherMediaProtocolsAndOpcodesAsUnsupported(String what, int offset, String value) {
        MemorySegment buf = hex(REQUEST);
        buf.set(ValueLayout.JAVA_BYTE, offset, (byte) Integer.parseInt(value, 16));
        assertEquals(WireError.UNSUPPORTED, packet.wrap(buf, 0, 28).check(), what);
    }

    @Test
    void truncatedWhenTheAddressesAreCut() {
        assertEquals(WireError.TRUNCATED, packet.wrap(hex(REQUEST), 0, 27).check());
        assertEquals(WireError.TRUNCATED, packet.wrap(hex(REQUEST), 0, 7).check());
    }

    @Test
    void misuseThrowsAtOnce() {
        assertThrows(IllegalArgumentException.class, () -> new ArpRepr(3, MAC_A, A, 0, B));
        assertThrows(IllegalArgumentException.class, () -> ArpRepr.request(-1L, A, B));
        ArpRepr request = ArpRepr.request(MAC_A, A, B);
        assertThrows(IllegalArgumentException.class, () -> request.emit(packet.wrap(filled(27), 0, 27)));
    }
}
