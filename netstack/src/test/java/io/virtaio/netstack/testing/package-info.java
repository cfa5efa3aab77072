/**
 * Test fakes for the network stack, shared with the modules above through netstack's test-jar.
 *
 * <ul>
 *   <li>{@link io.virtaio.netstack.testing.FakeNetDevice}: a {@link io.virtaio.netstack.link.NetDevice} in heap or
 *       native memory with configurable MTU and checksum capabilities, a bounded receive queue tests fill, and
 *       transmit buffers whose frames wait until taken (so ENOBUFS can be provoked).</li>
 *   <li>{@link io.virtaio.netstack.testing.FakeWire}: joins two fake devices, optionally dropping frames with a
 *       seeded probability; completes partial checksums the way a virtio device does.</li>
 *   <li>{@link io.virtaio.netstack.testing.Host} and {@link io.virtaio.netstack.testing.TwoHosts}: one stack played
 *       against by hand, or two stacks stepped together, in virtual time.</li>
 *   <li>{@link io.virtaio.netstack.testing.Frames}: builds frames with the wire Reprs and edits them.</li>
 * </ul>
 *
 * <p>Single-threaded, like the stacks they serve. Moving frames (inject, transfer) allocates nothing, so allocation
 * tests can run over these fakes; taking frames out for inspection allocates.
 */
package io.virtaio.netstack.testing;
