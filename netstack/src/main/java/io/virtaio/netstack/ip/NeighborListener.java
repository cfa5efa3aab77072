package io.virtaio.netstack.ip;

/** Told when resolving a neighbour ends; the packets waiting for it can then go, or be given up. */
public interface NeighborListener {
    /** {@code addr} is at {@code mac}. */
    void onResolved(int addr, long mac);

    /** {@code addr} did not answer the configured number of requests. */
    void onUnreachable(int addr);
}
