package io.virtaio.netstack.ip;

import io.virtaio.netstack.wire.Ipv4Address;

/**
 * The interface's IPv4 addressing and the routing decision of a host with one interface (RFC 1122 §3.3.1): its
 * address and on-link prefix, its broadcast addresses, its default gateway, and which addresses are local, which
 * are valid sources. Immutable; every method is a few integer operations.
 */
public final class Routing {
    /** 127.0.0.1: the source of packets to 127.0.0.0/8 (RFC 1122 §3.2.1.3 (g)). */
    public static final int LOOPBACK_SOURCE = Ipv4Address.of(127, 0, 0, 1);
    /** Returned by {@link #nextHop} when there is no route. */
    public static final int NO_ROUTE = 0;

    private final int address;
    private final int prefixLength;
    private final int subnetBroadcast;
    private final int gateway;

    /**
     * @throws IllegalArgumentException if {@code gateway} is set but not on-link (RFC 1122 §3.3.1.1: a host's
     *     gateways are on its connected network)
     */
    public Routing(int address, int prefixLength, int gateway) {
        this.address = address;
        this.prefixLength = prefixLength;
        // RFC 919 / RFC 1122 §3.2.1.3 (d): {<Network>, -1} is the subnet's broadcast; a /31 (RFC 3021) or /32 has
        // none.
        this.subnetBroadcast = prefixLength <= 30 ? address | ~Ipv4Address.mask(prefixLength) : 0;
        if (gateway != 0 && !Ipv4Address.inPrefix(gateway, address, prefixLength)) {
            throw new IllegalArgumentException("gateway " + Ipv4Address.toString(gateway) + " is not on-link for "
                    + Ipv4Address.toString(address) + "/" + prefixLength);
        }
        this.gateway = gateway;
    }

    /** Our address. */
    public int address() {
        return address;
    }

    /** The subnet-directed broadcast address, or 0 when the prefix has none. */
    public int subnetBroadcast() {
        return subnetBroadcast;
    }

    /** True for our own (unicast) address. */
    public boolean isOurs(int addr) {
        return addr == address && addr != 0;
    }

    /** True if packets to {@code dst} stay in this host: our address or 127.0.0.0/8. */
    public boolean isLocal(int dst) {
        return isOurs(dst) || Ipv4Address.isLoopback(dst);
    }

    /** True for the limited broadcast and this subnet's directed broadcast (RFC 1122 §3.2.1.3 (c), (d)). */
    public boolean isBroadcast(int addr) {
        return addr == Ipv4Address.BROADCAST || (addr == subnetBroadcast && subnetBroadcast != 0);
    }

    /**
     * The neighbour a packet to unicast {@code dst} goes to (RFC 1122 §3.3.1.1): {@code dst} itself when on-link,
     * else the gateway, else {@link #NO_ROUTE}.
     */
    public int nextHop(int dst) {
        if (dst == 0) {
            return NO_ROUTE;        // RFC 1122 §3.2.1.3 (a): 0.0.0.0 names no destination
        }
        return Ipv4Address.inPrefix(dst, address, prefixLength) ? dst : gateway;
    }

    /** The source address for packets to {@code dst} (RFC 1122 §3.3.4.2: the interface's address). */
    public int sourceFor(int dst) {
        return Ipv4Address.isLoopback(dst) ? LOOPBACK_SOURCE : address;
    }

    /**
     * True if {@code addr} can name a single host (RFC 1122 §3.2.2: what an ICMP error may be sent to; §3.2.1.3:
     * what may appear as a source): not 0.0.0.0, 127.0.0.0/8, a broadcast, a multicast or a class E
     * (240.0.0.0/4) address.
     */
    public boolean isSingleHost(int addr) {
        return addr != 0 && !Ipv4Address.isLoopback(addr) && !Ipv4Address.isMulticast(addr) && !isBroadcast(addr)
                && addr >>> 28 != 0xF;
    }
}
