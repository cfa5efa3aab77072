/**
 * The network stack: Ethernet, ARP, IPv4, ICMP, UDP and TCP over a {@link io.virtaio.netstack.link.NetDevice}, in
 * the shape of smoltcp: zero-copy views and Reprs ({@code wire}), poll-driven layers, time passed in.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Thread.</b> A {@link io.virtaio.netstack.Stack}, its sockets and everything in its sub-packages belong to
 *       one thread at a time: the loop that polls it. Nothing blocks, sleeps, reads a clock or spawns a thread;
 *       {@code poll(nowNs)} does the work due and returns when it next needs to run.</li>
 *   <li><b>Allocation.</b> Receiving, transmitting, echoing and looping packets back allocate nothing once warm
 *       (pinned by {@code SteadyStateAllocationTest}): frames are handled in place with reused views, buffers are
 *       allocated when a stack or socket is made. Control paths (socket creation, counters, ARP misses, errors)
 *       are plain Java.</li>
 *   <li><b>Checked.</b> Every received byte: the wire views validate lengths, each layer its addresses, checksums
 *       and state; a bad frame is dropped and counted under {@code <layer>.rx.drop.<reason>}
 *       ({@link io.virtaio.netstack.Stack#counters()}), never an exception out of {@code poll}. Socket calls return
 *       {@code -errno} ({@link io.virtaio.netstack.Errno}); misuse of an internal seam (building two packets at once,
 *       committing more than reserved, polling a closed stack) throws at once.</li>
 *   <li><b>Bounded.</b> The socket table, the ARP cache (256 neighbours), the packets awaiting ARP, the loopback
 *       queue and each socket's receive queue have fixed limits; beyond them, a counted drop or an error code.</li>
 * </ul>
 *
 * <h2>Packages</h2>
 * {@code wire} (formats), {@code link} (the NIC seam, Ethernet transmit), {@code arp}, {@code ip} (routing, IPv4
 * output, loopback, the ARP wait queue), {@code icmp}, {@code udp}, {@code tcp}, {@code iface} (the receive-side
 * demultiplexing that ties them together), {@code time} (timer wheel, rate limiting), {@code util}. Arrows: iface
 * uses all the protocol packages; icmp, udp and tcp use ip; arp uses ip's resolver seam and link; nothing uses iface
 * but {@link io.virtaio.netstack.Stack}.
 */
package io.virtaio.netstack;
