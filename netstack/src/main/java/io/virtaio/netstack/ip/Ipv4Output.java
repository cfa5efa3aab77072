package io.virtaio.netstack.ip;

/**
 * How transport protocols send: reserve room for one IPv4 packet, write the transport header and payload in
 * place, commit. The output layer writes the Ethernet and IPv4 headers, completes the transport checksum (in
 * software, or as a partial sum for the device when it offloads), resolves the next hop with ARP (queueing a
 * bounded number of packets meanwhile) and loops packets for local addresses back.
 *
 * <p>Confined to the stack's thread; allocation-free on the fast path.
 */
public interface Ipv4Output {
    /**
     * Reserves room for a packet to {@code dst} carrying {@code protocol} with a transport part of up to
     * {@code maxL4Length} bytes.
     *
     * @return the packet to fill, or null when no buffer is free (counted; the caller retries later) or there
     *     is no route (see {@link #lastError()})
     */
    TxPacket begin(int dst, int protocol, int maxL4Length);

    /**
     * Sends the packet with a transport part of {@code l4Length} bytes whose checksum field is at
     * {@code checksumOffset} from the transport header (TCP 16, UDP 6, ICMP 2) and holds zero.
     */
    void commit(TxPacket packet, int l4Length, int checksumOffset);

    /** Gives the reserved room back unsent. */
    void abort(TxPacket packet);

    /** Why the last {@link #begin} returned null: {@code -ENOBUFS}, {@code -EHOSTUNREACH} or {@code -ENETUNREACH}. */
    int lastError();

    /** Largest transport part that fits one packet to {@code dst} without fragmentation (MTU − 20). */
    int maxL4Length(int dst);

    /** The source address this stack uses toward {@code dst}. */
    int sourceFor(int dst);
}
