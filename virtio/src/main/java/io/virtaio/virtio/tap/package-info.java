/**
 * A virtio-net backend on a Linux TAP interface: our device on one side, the kernel's network stack on the other.
 *
 * <ul>
 *   <li>{@link io.virtaio.virtio.tap.TapBackend} — open, offloads, the transmit path, close.</li>
 *   <li>{@link io.virtaio.virtio.tap.TapCounters} — every frame accounted for, errors by errno.</li>
 *   <li>{@link io.virtaio.virtio.tap.TapOffloads} — negotiated GUEST_* features to TUN_F_* flags.</li>
 *   <li>{@link io.virtaio.virtio.tap.Tun}, {@link io.virtaio.virtio.tap.LinuxErrno} — the kernel ABI used
 *       (if_tun.h ioctls and flags, struct ifreq, errno values).</li>
 *   <li>{@code Libc} (internal) — the FFM downcalls: open, ioctl, readv, writev, poll, eventfd, write, close, each
 *       capturing errno; {@code TapReader} (internal) — the receive thread.</li>
 * </ul>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threads.</b> Two data paths, each confined to one thread. Transmit: the device's transmit path (the
 *       host's loop) calls {@code accept}, one writev(2) per frame on a non-blocking descriptor — it never blocks.
 *       Receive: the backend's own reader thread ({@code virtaio-tap-<name>}, a platform daemon) sleeps in poll(2)
 *       on the TAP and an eventfd, reads frames with non-blocking readv(2) in batches of up to 64, hands each to
 *       the device's receive path and flushes once per batch; the flush rings the driver's interrupt doorbell,
 *       which wakes the host's loop. The transport's {@code featuresNegotiated} and {@code close} take a lock the
 *       data paths never take.</li>
 *   <li><b>Backpressure.</b> A frame that finds no receive buffer is not dropped: the reader holds it, asks the
 *       device to be told when the driver posts buffers ({@code FrameSink.notifyWhenRoom}: the receive queue's
 *       kick, §2.7.10), and sleeps on the eventfd, which that kick writes; the kernel keeps what follows queued,
 *       as QEMU leaves a TAP unread while its guest has no buffers. Counted as {@code rx.room_waits}.</li>
 *   <li><b>Lifecycle.</b> {@code open} configures the TAP (TUNSETIFF, TUNSETVNETHDRSZ 12, TUNSETVNETLE,
 *       TUNSETOFFLOAD 0); {@code connect} (by the device) starts the reader; {@code close} sets the closed flag,
 *       wakes the reader through the eventfd, joins it, and only then closes the descriptors, so that no thread
 *       ever uses a descriptor number after it was closed (and perhaps reused). It must not run concurrently with
 *       {@code accept}: a host closes its backend after its loop stopped.</li>
 *   <li><b>Allocation.</b> {@code open}, {@code featuresNegotiated} and {@code close} allocate. Per frame nothing
 *       is allocated on either path: the iovecs, pollfds, header and frame buffers and errno captures are
 *       allocated once, and downcall handles are invoked exactly. One caveat, measured: the JDK's linker takes a
 *       32-byte slice of the errno capture segment on every call ({@code SharedUtils.checkCaptureSegment}); C2's
 *       escape analysis removes it once the calling loop is compiled, so the steady state allocates 0 bytes per
 *       frame (pinned by the interop tests), while interpreted warm-up code allocates that slice.</li>
 *   <li><b>Checks.</b> Every frame read is checked for length (a runt or a possibly cut frame is a counted drop)
 *       and its header completed (num_buffers, which tun.c leaves unwritten); the device then checks the header's
 *       flags, gso type and checksum offsets like any other backend's. The kernel checks what we write and
 *       answers EINVAL; that, and every other errno, is counted, never thrown.</li>
 *   <li><b>Offloads.</b> Off until the driver negotiates GUEST_CSUM, then TUN_F_CSUM: the kernel may hand over
 *       NEEDS_CSUM frames (which the driver's GUEST_CSUM accepts) and DATA_VALID ones. No segmentation offload:
 *       the device model implements no GUEST_TSO, and a GSO frame would be a drop.</li>
 * </ul>
 *
 * <p>Linux only, on LP64 (x86-64, aarch64); restricted methods need {@code --enable-native-access}.
 */
package io.virtaio.virtio.tap;
