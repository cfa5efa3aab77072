/**
 * The interface's receive side: what ties the protocol packages together. {@link
 * io.virtaio.netstack.iface.EthernetInput} takes every frame from the device and hands ARP and IPv4 on;
 * {@link io.virtaio.netstack.iface.Ipv4Input} validates datagrams and demultiplexes them to ICMP, UDP and TCP (and
 * answers closed ports and unknown protocols); {@link io.virtaio.netstack.iface.TransportErrors} routes errors about
 * our packets back to their transport; {@link io.virtaio.netstack.iface.Transports} holds the transports, TCP being
 * created the first time it is needed.
 *
 * <p>Every drop is counted by reason, and the counts add up: at each layer, packets in equal drops plus packets
 * passed up (pinned by {@code PollFuzzTest}). Thread: the stack's. Allocation-free.
 */
package io.virtaio.netstack.iface;
