/**
 * The link layer's seam and Ethernet transmit: {@link io.virtaio.netstack.link.NetDevice} is what a NIC (the
 * virtio-net driver, or a test fake) offers the stack; {@link io.virtaio.netstack.link.EthernetSender} writes
 * Ethernet II headers into its transmit buffers and counts what leaves.
 *
 * <p>Thread: the stack's. Frames are handed over in place both ways; nothing here allocates. A device may be asked to
 * transmit from within its own receive callback (the stack answers ARP requests and echoes as they arrive).
 */
package io.virtaio.netstack.link;
