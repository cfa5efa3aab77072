package io.virtaio.netstack.wire;

import static io.virtaio.netstack.wire.WireTestSupport.hex;
import static io.virtaio.netstack.wire.WireTestSupport.assertBytes;
import static io.virtaio.netstack.wire.WireTestSupport.filled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressTest {

    @Test
    void ipv4AddressesAreNetworkOrderInts() {
        assertEquals(0xC612_0001, Ipv4Address.parse("198.18.0.1"));
        assertEquals(0xC612_0001, Ipv4Address.of(198, 18, 0, 1));
        assertEquals(0, Ipv4Address.parse("0.0.0.0"));
        assertEquals(-1, Ipv4Address.parse("255.255.255.255"));
        assertEquals("198.18.0.1", Ipv4Address.toString(0xC612_0001));
        assertEquals("255.255.255.255", Ipv4Address.toString(-1));
        assertEquals(0xC612_0001, Be.i32(hex("c6 12 00 01"), 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1..3.4",
        "1.2.3.", "a.b.c.d", "-1.2.3.4", "+1.2.3.4", "1234.1.1.1", "1.2.3.4/24", "0x1.2.3.4"})
    void ipv4ParseRejectsAnythingButStrictDottedQuad(String s) {
        assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(s));
    }

    @Test
    void ipv4OfRejectsOctetsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> Ipv4Address.of(256, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Address.of(0, 0, 0, -1));
    }

    @Test
    void ipv4Prefixes() {
        int net = Ipv4Address.parse("198.18.0.0");
        assertTrue(Ipv4Address.inPrefix(Ipv4Address.parse("198.19.255.255"), net, 15));
        assertFalse(Ipv4Address.inPrefix(Ipv4Address.parse("198.20.0.0"), net, 15));
        assertTrue(Ipv4Address.inPrefix(Ipv4Address.parse("10.0.0.1"), net, 0));
        assertTrue(Ipv4Address.inPrefix(net, net, 32));
        assertFalse(Ipv4Address.inPrefix(net + 1, net, 32));
        assertEquals(0xFFFF_FF00, Ipv4Address.mask(24));
        assertEquals(0, Ipv4Address.mask(0));
        assertEquals(-1, Ipv4Address.mask(32));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Address.mask(33));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Address.inPrefix(0, 0, -1));
    }

    @Test
    void ipv4Classes() {
        assertTrue(Ipv4Address.isMulticast(Ipv4Address.parse("224.0.0.1")));
        assertTrue(Ipv4Address.isMulticast(Ipv4Address.parse("239.255.255.255")));
        assertFalse(Ipv4Address.isMulticast(Ipv4Address.parse("240.0.0.0")));
        assertFalse(Ipv4Address.isMulticast(Ipv4Address.parse("223.255.255.255")));
        assertTrue(Ipv4Address.isBroadcast(Ipv4Address.parse("255.255.255.255")));
        assertFalse(Ipv4Address.isBroadcast(Ipv4Address.parse("198.18.0.255")));
        assertTrue(Ipv4Address.isUnspecified(0));
        assertTrue(Ipv4Address.isLoopback(Ipv4Address.parse("127.1.2.3")));
        assertFalse(Ipv4Address.isLoopback(Ipv4Address.parse("128.0.0.1")));
    }

    @Test
    void macAddressesAreTheLow48BitsFirstOctetMostSignificant() {
        assertEquals(0x0276_7400_0001L, MacAddress.parse("02:76:74:00:00:01"));
        assertEquals(0xAABB_CCDD_EEFFL, MacAddress.parse("AA:bb:Cc:dd:ee:ff"));
        assertEquals("02:76:74:00:00:01", MacAddress.toString(0x0276_7400_0001L));
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.toString(MacAddress.BROADCAST));
        assertEquals(0x0276_7400_0001L, MacAddress.read(hex("02 76 74 00 00 01"), 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "02:76:74:00:00", "02:76:74:00:00:01:02", "02-76-74-00-00-01", "0g:00:00:00:00:00",
        "02:76:74:00:00:1", "027674000001", "02:76:74:00:00:01 "})
    void macParseRejectsMalformedText(String s) {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(s));
    }

    @Test
    void macWriteWritesSixOctetsAndNothingElse() {
        MemorySegment seg = filled(8);
        MacAddress.write(seg, 1, 0x0276_7400_00FEL);
        assertBytes("a5 02 76 74 00 00 fe a5", seg);
        assertThrows(IllegalArgumentException.class, () -> MacAddress.write(seg, 0, 1L << 48));
    }

    @Test
    void macClasses() {
        assertTrue(MacAddress.isBroadcast(MacAddress.BROADCAST));
        assertTrue(MacAddress.isMulticast(MacAddress.BROADCAST));
        assertTrue(MacAddress.isMulticast(MacAddress.parse("01:00:5e:00:00:01")));
        assertFalse(MacAddress.isMulticast(MacAddress.parse("02:00:5e:00:00:01")));
        assertTrue(MacAddress.isUnicast(MacAddress.parse("02:00:00:00:00:01")));
        assertFalse(MacAddress.isUnicast(0));
        assertFalse(MacAddress.isUnicast(MacAddress.BROADCAST));
    }
}
