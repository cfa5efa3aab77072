/**
 * IPv4 (RFC 791, RFC 1122 §3.2.1, §3.3): routing, the output path through which every transport sends
 * ({@link io.virtaio.netstack.ip.Ipv4Output}, implemented by {@link io.virtaio.netstack.ip.Ipv4Sender}), the loopback
 * queue, the queue of packets waiting for ARP, and the seams to the link layer's resolver and to the transports'
 * error handling. IPv4 input lives in {@code iface}, beside the protocols it feeds.
 *
 * <h2>Output</h2>
 * A host with one interface (RFC 1122 §3.3.1): on-link destinations directly, others through the gateway, none
 * without one (ENETUNREACH); our address and 127.0.0.0/8 through loopback (64 KiB MTU, delivered at the next poll,
 * checksums trusted as Linux's {@code lo} does); broadcast and multicast to their MAC addresses without ARP. Headers
 * carry no options, DF, TTL 64, a counter Identification, the header checksum. Transport checksums are completed
 * in software, or left as a pseudo-header partial sum for a device with {@code CAP_TX_CSUM} (TCP and UDP, virtio
 * NEEDS_CSUM with {@code csum_start} 34). A packet never exceeds the MTU: senders ask
 * {@link io.virtaio.netstack.ip.Ipv4Output#maxL4Length} and TCP clamps its MSS to it.
 *
 * <h2>Fragments: dropped and counted, not reassembled</h2>
 * Received fragments (MF set or a non-zero offset) are dropped and counted as {@code ipv4.rx.drop.FRAGMENT}; no ICMP
 * "reassembly time exceeded" is sent, since nothing is reassembled. Why:
 * <ul>
 *   <li>This stack never makes fragments: it sends everything with DF and sizes UDP datagrams, ICMP messages and
 *       TCP segments to the MTU (EMSGSIZE otherwise). Its TCP peers do the same (PMTU discovery, RFC 1191; MSS
 *       from the MTU), so a virtio link carries no fragments in normal operation.</li>
 *   <li>Reassembly is a memory and CPU liability that every stack must bound and defend (RFC 4963 on mis-associated
 *       fragments; the Linux and BSD histories of fragment-overlap and exhaustion bugs), for traffic this runtime
 *       does not need.</li>
 *   <li>What is lost is UDP datagrams larger than the path MTU sent by peers that fragment, for which the
 *       application sees silence, as behind any firewall that drops fragments. If that ever matters, bounded
 *       reassembly (a handful of datagrams, a 64 KiB budget, RFC 791's timer) fits in front of the demultiplexer in
 *       {@code iface.Ipv4Input} without changing any seam.</li>
 * </ul>
 *
 * <p>Thread: the stack's. One packet is built at a time; building, sending, looping back and queueing for ARP
 * allocate nothing.
 */
package io.virtaio.netstack.ip;
