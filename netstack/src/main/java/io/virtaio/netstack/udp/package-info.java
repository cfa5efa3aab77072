/**
 * UDP (RFC 768, RFC 1122 §4.1): non-blocking datagram sockets and the layer that demultiplexes to them.
 *
 * <p>What is checked: the datagram's length against the IPv4 payload, its checksum (zero: none; verified in software
 * unless the device vouched), the destination port, the socket's bound address and connected peer. Socket calls
 * check their arguments as C does (EINVAL, EFAULT, EBADF) and never throw. A datagram must fit one packet
 * (EMSGSIZE); each socket's receive queue is bounded in bytes (SO_RCVBUF, default {@code udpReceiveQueueBytes}) and
 * drops, counted, beyond it. A closed port is answered with ICMP port unreachable; a connected socket receives ICMP
 * errors about its datagrams as its pending error (ECONNREFUSED, ...).
 *
 * <p>Thread: the stack's. Sending and receiving copy between the caller's segment and the stack's buffers in place and
 * allocate nothing; a socket's queue storage is allocated with the socket.
 */
package io.virtaio.netstack.udp;
