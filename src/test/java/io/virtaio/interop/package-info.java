/**
 * Interop with the Linux kernel's own stack: our stack on a virtio-net device backed by a TAP, the kernel on the
 * other side, inside a network namespace each test creates and removes.
 *
 * <h2>Fixtures</h2>
 * <ul>
 *   <li>{@link io.virtaio.interop.LinuxInterop} / {@link io.virtaio.interop.LinuxInteropExtension} — the gate: root,
 *       /dev/net/tun, iproute2, native access; with {@code CI=true} a missing one fails the test, elsewhere skips
 *       it; dead runs' namespaces are reaped once per JVM.</li>
 *   <li>{@link io.virtaio.interop.TapLink} — namespace + TAP (kernel side 198.18.0.1/24 in the namespace) + our
 *       {@code VirtioHost} at 198.18.0.2 (+ optional capture) + {@link io.virtaio.interop.HostLoop}, the thread
 *       that owns the stack. Everything is removed by {@code close()}, also after a failed set-up.
 *       {@code TapLink.node()} is the same cable for tests through the public API: an {@code AioRuntime} whose
 *       node is on the TAP (bench's {@code TapNode}, what {@code ./virtaio serve} runs), with the POSIX façade and
 *       channels.</li>
 *   <li>{@link io.virtaio.interop.JavaPeer} — a JDK single-file program from {@code resources/interop} run in the
 *       namespace, the Linux-side peer: {@code UdpPeer.java}, and {@code TcpPeer.java} (senders, sinks, echo
 *       clients and servers, 200 connections at once, a reset), whose payload {@link io.virtaio.interop.Payload}
 *       makes and hashes on our side.</li>
 *   <li>{@link io.virtaio.interop.Tshark} / {@link io.virtaio.interop.CaptureReport} — a capture read back with
 *       checksum validation: malformed frames, bad checksums (quoted ones apart), warnings, TCP retransmissions.</li>
 *   <li>{@link io.virtaio.interop.LinkImpairment} — nftables random drop and tbf rate limit on the kernel's side.</li>
 * </ul>
 *
 * <h2>Cases</h2>
 * Phase A: the TAP backend itself, ARP, ping, UDP, a checked capture ({@code Tap*Test}, {@code CaptureTest}).
 * Phase B, TCP with Linux: {@link io.virtaio.interop.LinuxClientsTest} (curl and JDK clients against our servers,
 * 200 connections, 100 MiB in), {@link io.virtaio.interop.OurClientsTest} (our POSIX AIO client against Linux
 * servers, 100 MiB out, a reset as ECONNRESET), {@link io.virtaio.interop.ImpairedLinkTest} (2 % loss each way
 * and a rate limit), {@link io.virtaio.interop.TcpCaptureTest} (tshark's count of our retransmissions equals
 * ours).
 *
 * <h2>Rules</h2>
 * Traffic only inside namespaces the tests create, addresses from 198.18.0.0/15 only, every namespace named
 * {@code vtap-<pid>-<n>} and removed afterwards (close, then the shutdown hook, then the next run's reaper). Each
 * test builds its own link, so tests share nothing and may run in any order.
 */
package io.virtaio.interop;
