package io.virtaio.netstack.wire;

import java.lang.foreign.MemorySegment;

/**
 * 48-bit IEEE 802 MAC addresses as {@code long}s: the low 48 bits hold the address with the first octet on the
 * wire most significant, so 02:00:00:00:00:01 is {@code 0x0200_0000_0001L}. The high 16 bits are always zero.
 */
public final class MacAddress {
    /** ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    /** The number of octets of an address on the wire. */
    public static final int LENGTH = 6;

    private MacAddress() {}

    /**
     * Parses six two-digit hex octets separated by colons, e.g. {@code "02:76:74:00:00:01"} (either case).
     *
     * @throws IllegalArgumentException if {@code s} is not such an address
     */
    public static long parse(String s) {
        if (s.length() != 17) {
            throw new IllegalArgumentException("not a MAC address: \"" + s + "\"");
        }
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            int hi = Character.digit(s.charAt(3 * i), 16);
            int lo = Character.digit(s.charAt(3 * i + 1), 16);
            if (hi < 0 || lo < 0 || (i < 5 && s.charAt(3 * i + 2) != ':')) {
                throw new IllegalArgumentException("not a MAC address: \"" + s + "\"");
            }
            mac = mac << 8 | hi << 4 | lo;
        }
        return mac;
    }

    /** Lower-case colon notation, e.g. {@code "02:76:74:00:00:01"}. */
    public static String toString(long mac) {
        checkMac(mac);
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int octet = (int) (mac >>> shift) & 0xFF;
            sb.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
            if (shift > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /** True if the I/G bit (least significant bit of the first octet, IEEE Std 802) is set; broadcast too. */
    public static boolean isMulticast(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    /** True for ff:ff:ff:ff:ff:ff. */
    public static boolean isBroadcast(long mac) {
        return mac == BROADCAST;
    }

    /** True for an individual (neither multicast nor broadcast) address other than 00:00:00:00:00:00. */
    public static boolean isUnicast(long mac) {
        return mac != 0 && !isMulticast(mac);
    }

    /** The six octets at {@code off}. */
    public static long read(MemorySegment seg, long off) {
        return (long) Be.u16(seg, off) << 32 | Be.u32(seg, off + 2);
    }

    /**
     * Writes the six octets of {@code mac} at {@code off}.
     *
     * @throws IllegalArgumentException if {@code mac} has bits above the low 48
     */
    public static void write(MemorySegment seg, long off, long mac) {
        checkMac(mac);
        Be.set16(seg, off, (int) (mac >>> 32));
        Be.set32(seg, off + 2, (int) mac);
    }

    static long checkMac(long mac) {
        if (mac >>> 48 != 0) {
            throw new IllegalArgumentException("not a 48-bit MAC address: 0x" + Long.toHexString(mac));
        }
        return mac;
    }
}
