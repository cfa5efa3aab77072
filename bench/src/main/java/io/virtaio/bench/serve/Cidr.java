package io.virtaio.bench.serve;

import io.virtaio.netstack.wire.Ipv4Address;

/**
 * An IPv4 interface address with its prefix length, as iproute2 writes it: {@code 198.18.0.2/24}.
 *
 * @param address      the address, first octet most significant
 * @param prefixLength 0..32
 */
public record Cidr(int address, int prefixLength) {
    public Cidr {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32: " + prefixLength);
        }
    }

    /** Parses {@code A.B.C.D/N}; the prefix is required. */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not ADDRESS/PREFIX: '" + text + "' (example: 198.18.0.2/24)");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a prefix length: '" + text + "'");
        }
        return new Cidr(Ipv4Address.parse(text.substring(0, slash)), prefix);
    }

    /** True if {@code other} is on this address's subnet. */
    public boolean contains(int other) {
        return Ipv4Address.inPrefix(other, address, prefixLength);
    }

    /** The address alone, dotted. */
    public String host() {
        return Ipv4Address.toString(address);
    }

    @Override
    public String toString() {
        return host() + "/" + prefixLength;
    }
}
