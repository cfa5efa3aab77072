package io.virtaio.netstack.wire;

/**
 * IPv4 addresses as {@code int}s holding the address in network order: 198.18.0.1 is {@code 0xC6120001}, the
 * first octet in the most significant byte, exactly as {@link Be#i32} reads it from a header.
 */
public final class Ipv4Address {
    /** 0.0.0.0, the unspecified address (RFC 1122 §3.2.1.3 (a)). */
    public static final int ANY = 0;
    /** 255.255.255.255, the limited broadcast address (RFC 1122 §3.2.1.3 (c)). */
    public static final int BROADCAST = 0xFFFF_FFFF;

    private Ipv4Address() {}

    /** The address {@code a.b.c.d}; each octet must be in {@code 0..255}. */
    public static int of(int a, int b, int c, int d) {
        if (((a | b | c | d) & ~0xFF) != 0) {
            throw new IllegalArgumentException("octet out of range: " + a + "." + b + "." + c + "." + d);
        }
        return a << 24 | b << 16 | c << 8 | d;
    }

    /**
     * Parses strict dotted-quad notation: four decimal octets {@code 0..255} without signs, spaces or leading zeros
     * (which {@code inet_aton} would read as octal).
     *
     * @throws IllegalArgumentException if {@code s} is not such an address
     */
    public static int parse(String s) {
        int addr = 0;
        int octets = 0;
        int i = 0;
        int n = s.length();
        while (octets < 4) {
            int start = i;
            int value = 0;
            while (i < n && i - start < 4 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i++) - '0');
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
                throw new IllegalArgumentException("not an IPv4 address: \"" + s + "\"");
            }
            addr = addr << 8 | value;
            octets++;
            if (octets < 4) {
                if (i >= n || s.charAt(i) != '.') {
                    throw new IllegalArgumentException("not an IPv4 address: \"" + s + "\"");
                }
                i++;
            }
        }
        if (i != n) {
            throw new IllegalArgumentException("not an IPv4 address: \"" + s + "\"");
        }
        return addr;
    }

    /** Dotted-quad notation, e.g. {@code "198.18.0.1"}. */
    public static String toString(int addr) {
        return (addr >>> 24) + "." + (addr >>> 16 & 0xFF) + "." + (addr >>> 8 & 0xFF) + "." + (addr & 0xFF);
    }

    /** The netmask of a prefix: {@code mask(24) == 0xFFFFFF00}, {@code mask(0) == 0}. */
    public static int mask(int prefixLength) {
        checkPrefixLength(prefixLength);
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /** True if the first {@code prefixLength} bits of {@code addr} and {@code network} agree. */
    public static boolean inPrefix(int addr, int network, int prefixLength) {
        return ((addr ^ network) & mask(prefixLength)) == 0;
    }

    /** True for 224.0.0.0/4 (RFC 5771, class D). */
    public static boolean isMulticast(int addr) {
        return addr >>> 28 == 0xE;
    }

    /** True for the limited broadcast 255.255.255.255; a subnet's directed broadcast depends on its prefix. */
    public static boolean isBroadcast(int addr) {
        return addr == BROADCAST;
    }

    /** True for 0.0.0.0. */
    public static boolean isUnspecified(int addr) {
        return addr == ANY;
    }

    /** True for 127.0.0.0/8 (RFC 1122 §3.2.1.3 (g)). */
    public static boolean isLoopback(int addr) {
        return addr >>> 24 == 127;
    }

    private static void checkPrefixLength(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length not in 0..32: " + prefixLength);
        }
    }
}
