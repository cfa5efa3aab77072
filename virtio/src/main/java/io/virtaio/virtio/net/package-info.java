/**
 * virtio-net (virtio 1.2 §5.1): the device model, the driver a network stack uses, and what both share.
 *
 * <ul>
 *   <li>{@link io.virtaio.virtio.net.VirtioNetDevice} — the device: transport (status, features, configuration
 *       space, queue set-up, notifications), a transmit path ({@code pollTx}) and a receive path (its
 *       {@link io.virtaio.virtio.backend.FrameSink}).</li>
 *   <li>{@link io.virtaio.virtio.net.VirtioNetDriver} — the driver: §3.1 initialization, zero-copy receive and
 *       transmit of one frame per buffer, notification control, recovery by re-initialization.</li>
 *   <li>{@link io.virtaio.virtio.net.VirtioNet} (constants and the header layout),
 *       {@link io.virtaio.virtio.net.NetFeatures} (feature dependencies),
 *       {@link io.virtaio.virtio.net.InternetChecksum} (RFC 1071).</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * The driver is confined to the stack's loop thread. The device has three kinds of caller: the transport (any
 * thread, under the device's lock), the transmit path (one thread at a time) and the receive path (one thread at a
 * time, usually the peer's loop). A reset from the transport waits, lock-free on the data paths' side, until
 * neither data path is inside (a Dekker handshake on a busy flag and the volatile status). Doorbells are rung on
 * the ringing side's thread and must only wake someone.
 *
 * <h2>Allocation</h2>
 * Initialization and re-initialization allocate (rings and buffers in guest memory, a few arrays). The hot paths
 * — {@code pollTx}, {@code accept}/{@code flush}, {@code receive}, {@code txAcquire}/{@code txSubmit},
 * {@code flush}, {@code reclaimTx} — allocate nothing.
 *
 * <h2>Checks</h2>
 * Each side trusts nothing the other writes. The device copies every transmit header once and checks the copy;
 * protocol breaks (a transmit chain with writable buffers or shorter than the header, a receive chain with
 * readable buffers, any virtqueue violation) set DEVICE_NEEDS_RESET with a reason, and content errors are counted
 * drops ({@link io.virtaio.virtio.net.DeviceCounters.Drop}). The driver checks used lengths and ignores checksum
 * flags it did not negotiate ({@link io.virtaio.virtio.net.DriverCounters}). Misuse of the API by our own code
 * throws {@link java.lang.IllegalArgumentException} or {@link java.lang.IllegalStateException} at once.
 */
package io.virtaio.virtio.net;
