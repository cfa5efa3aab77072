/**
 * What a virtio-net device's frames travel through: {@link io.virtaio.virtio.backend.Backend} implementations that
 * wrap one another, in the manner of smoltcp's device wrappers.
 *
 * <ul>
 *   <li>{@link io.virtaio.virtio.backend.LoopbackBackend} — a device's frames come back to itself.</li>
 *   <li>{@link io.virtaio.virtio.backend.Wire} — a cable between two devices, optionally with a
 *       {@link io.virtaio.virtio.backend.LinkModel} (rate, delay, bounded queue).</li>
 *   <li>{@link io.virtaio.virtio.backend.PcapBackend} — records both directions of any backend with a
 *       {@link io.virtaio.virtio.backend.PcapWriter} (libpcap or pcapng).</li>
 *   <li>{@link io.virtaio.virtio.backend.InboundHandoff} — carries the frames of a backend that delivers from a
 *       thread of its own (a TAP's reader) over to the thread that polls the device, for stages confined to it.</li>
 *   <li>{@link io.virtaio.virtio.fault.FaultStage} and {@link io.virtaio.virtio.fault.DeviceFaults} (package
 *       {@code fault}) — network and virtio-level fault injection around any of these.</li>
 * </ul>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threads.</b> No backend here has a thread or a clock: time comes in as {@code nowNs}, and
 *       {@code poll(nowNs)} does what is due and returns the next deadline; a backend that takes on work its last
 *       deadline did not cover rings the doorbell its poller gave it ({@code setWakeup}). A direction is driven by its sending
 *       side's thread, which also delivers into the receiving device. The pcap writer is the one shared object
 *       (it locks, and only when capturing). The TAP backend (package {@code tap}) is the exception: its reader
 *       thread delivers; {@code InboundHandoff} moves those deliveries onto the polling thread where a stage needs
 *       it (its ring's indices are the only data the two threads share: release on publish, acquire on read).</li>
 *   <li><b>Allocation.</b> Buffers (delay lines, capture buffer) are allocated at construction; accepting,
 *       delivering and recording frames allocate nothing, except the UTF-8 bytes of a pcapng comment.</li>
 *   <li><b>Frames.</b> A frame is a stable 12-byte header copy and the Ethernet frame, valid only during the call
 *       ({@link io.virtaio.virtio.backend.FrameSink}); a backend that keeps one copies it. {@code accept} returns
 *       OK when the backend took the frame; what the receiver then did is counted, not returned.</li>
 *   <li><b>Counting.</b> Every backend counts frames, bytes, deliveries, refusals and its own drops
 *       ({@link io.virtaio.virtio.backend.BackendCounters}).</li>
 * </ul>
 */
package io.virtaio.virtio.backend;
