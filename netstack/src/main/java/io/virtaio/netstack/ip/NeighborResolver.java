package io.virtaio.netstack.ip;

/**
 * What IPv4 output needs from the link layer's address resolution (ARP on Ethernet): a MAC address for a next hop,
 * or the start of resolving one. Results of a resolution reach the {@link NeighborListener}.
 */
public interface NeighborResolver {
    /** {@link #lookup}: no usable MAC address; call {@link #resolve} (it is a no-op while one is under way). */
    long UNRESOLVED = -1;
    /** {@link #lookup}: resolution failed recently; the sender gets EHOSTUNREACH. */
    long UNREACHABLE = -2;

    /** The MAC address of on-link {@code addr} now, or {@link #UNRESOLVED} or {@link #UNREACHABLE}. */
    long lookup(int addr);

    /** Starts resolving {@code addr} unless that is under way; false if there is no room to track it. */
    boolean resolve(int addr);
}
