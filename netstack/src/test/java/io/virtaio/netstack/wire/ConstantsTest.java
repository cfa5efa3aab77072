package io.virtaio.netstack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConstantsTest {

    @Test
    void wireErrorCodesAreDenseNegativeAndUniquelyNamed() {
        Set<String> names = new HashSet<>();
        for (int code = 0; code > -WireError.COUNT; code--) {
            names.add(WireError.name(code));
        }
        assertEquals(WireError.COUNT, names.size());
        assertEquals("OK", WireError.name(WireError.OK));
        assertEquals("TRUNCATED", WireError.name(WireError.TRUNCATED));
        assertEquals("BAD_OPTION", WireError.name(WireError.BAD_OPTION));
        assertEquals("UNSUPPORTED", WireError.name(WireError.UNSUPPORTED));
        assertEquals("UNKNOWN", WireError.name(-WireError.COUNT));
        assertEquals("UNKNOWN", WireError.name(1));
        assertEquals("UNKNOWN", WireError.name(Integer.MIN_VALUE));
    }

    @Test
    void protocolNumbersHaveTheirRegistryValuesAndNames() {
        assertEquals(0x0800, EtherType.IPV4);
        assertEquals(0x0806, EtherType.ARP);
        assertEquals(0x86DD, EtherType.IPV6);
        assertEquals(0x8100, EtherType.VLAN);
        assertEquals("ARP", EtherType.name(0x0806));
        assertEquals("0x88cc", EtherType.name(0x88CC));
        assertEquals(1, IpProtocol.ICMP);
        assertEquals(6, IpProtocol.TCP);
        assertEquals(17, IpProtocol.UDP);
        assertEquals("UDP", IpProtocol.name(17));
        assertEquals("132", IpProtocol.name(132));
        assertEquals("REPLY", ArpOperation.name(2));
        assertEquals("3", ArpOperation.name(3));
        assertEquals("ECHO_REQUEST", Icmpv4Type.name(8));
        assertEquals("PORT_UNREACHABLE", Icmpv4Code.name(Icmpv4Type.DST_UNREACHABLE, 3));
        assertEquals("TTL_EXCEEDED", Icmpv4Code.name(Icmpv4Type.TIME_EXCEEDED, 0));
        assertEquals("0", Icmpv4Code.name(Icmpv4Type.ECHO_REQUEST, 0));
    }

    @Test
    void tcpFlagsSitInByte13InRfcOrder() {
        assertEquals(0x01, TcpFlags.FIN);
        assertEquals(0x02, TcpFlags.SYN);
        assertEquals(0x04, TcpFlags.RST);
        assertEquals(0x08, TcpFlags.PSH);
        assertEquals(0x10, TcpFlags.ACK);
        assertEquals(0x20, TcpFlags.URG);
        assertEquals(0x40, TcpFlags.ECE);
        assertEquals(0x80, TcpFlags.CWR);
        assertEquals("SYN|ACK", TcpFlags.toString(0x12));
        assertEquals("FIN|SYN|RST|PSH|ACK|URG|ECE|CWR", TcpFlags.toString(0xFF));
        assertEquals("-", TcpFlags.toString(0));
    }

    @Test
    void icmpErrorTypesAreTheOnesNeverAnsweredWithAnError() {
        assertEquals(true, Icmpv4Type.isError(Icmpv4Type.DST_UNREACHABLE));
        assertEquals(true, Icmpv4Type.isError(Icmpv4Type.TIME_EXCEEDED));
        assertEquals(false, Icmpv4Type.isError(Icmpv4Type.ECHO_REQUEST));
        assertEquals(false, Icmpv4Type.isError(Icmpv4Type.ECHO_REPLY));
    }
}
