/**
 * ICMPv4 (RFC 792, RFC 1122 §3.2.2): the echo server and client, Destination Unreachable errors we send, and the
 * hand-off of errors we receive to the transport that sent the quoted packet.
 *
 * <p>What is checked: every message's length, type and checksum (in software; devices do not offload ICMP); errors
 * must quote at least an IPv4 header and 8 bytes of a packet this host sent. Errors are sent only as RFC 1122
 * §3.2.2 allows (never about an ICMP error, a broadcast or multicast, a link-layer broadcast, a non-initial fragment
 * or a source that is not a single host) and at most {@code icmpErrorsPerSecond} a second. Echo requests to a
 * broadcast address are ignored.
 *
 * <p>Thread: the stack's. Receiving, echoing and sending errors allocate nothing.
 */
package io.virtaio.netstack.icmp;
