/**
 * The virtio layer: guest memory, split virtqueues laid out byte-exact per virtio 1.2 §2.7, the virtio-net device
 * model (§5.1) and the device backends (loopback, wire, pcap).
 */
package io.virtaio.virtio;
