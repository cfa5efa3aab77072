/** The network stack: Ethernet, ARP, IPv4, ICMP, UDP and TCP, driving a virtio-net device. */
package io.virtaio.netstack;
