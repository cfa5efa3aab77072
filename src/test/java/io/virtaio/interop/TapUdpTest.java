package io.virtaio.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.udp.UdpSocket;
import io.virtaio.virtio.Virtio;
import io.virtaio.virtio.net.VirtioNet;
import io.virtaio.virtio.net.VirtioNetDriver;
import io.virtaio.virtio.tap.Tun;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * UDP between our sockets and the kernel's, both ways, with a JDK program in the namespace as the Linux peer; with
 * checksum offload negotiated (TUN_F_CSUM: partial checksums in both directions) and without it.
 */
@LinuxInterop
class TapUdpTest {
    private static final int ECHO_PORT = 7;
    private static final int PEER_PORT = 7007;
    private static final int[] SIZES = {1, 100, 1472};
    private static final long NO_CSUM = VirtioNetDriver.Config.DEFAULT_FEATURES
            & ~(Virtio.bit(VirtioNet.F_CSUM) | Virtio.bit(VirtioNet.F_GUEST_CSUM));

    TapLink link;
    final Arena arena = Arena.ofShared();

    @AfterEach
    void tearDown() {
        if (link != null) {
            link.close();
        }
        arena.close();
    }

    private static byte pattern(int k, int i) {
        return (byte) (k * 31 + i * 7 + (i >>> 8));
    }

    /** Serves UDP echo on our stack, on the loop thread: every datagram goes back to where it came from. */
    private void serveEcho() {
        MemorySegment buf = arena.allocate(65536);
        UdpSocket server = link.loop.call(s -> {
            UdpSocket u = s.udpSocket();
            assertEquals(0, u.bind(0, ECHO_PORT));
            return u;
        });
        link.loop.addService(s -> {
            for (int n = server.recvFrom(buf, 0, (int) buf.byteSize()); n >= 0;
                    n = server.recvFrom(buf, 0, (int) buf.byteSize())) {
                server.sendTo(buf, 0, n, server.lastSourceAddress(), server.lastSourcePort());
            }
        });
    }

    @ParameterizedTest(name = "checksum offload {0}")
    @ValueSource(booleans = {true, false})
    void linuxClientGetsEchoesFromOurStack(boolean offload) throws Exception {
        link = TapLink.open(TapLink.Options.defaults().withDriverFeatures(
                offload ? VirtioNetDriver.Config.DEFAULT_FEATURES : NO_CSUM));
        assertEquals(offload ? Tun.TUN_F_CSUM : 0, link.tap.offloads(), "offloads follow GUEST_CSUM");
        serveEcho();
        try (JavaPeer peer = JavaPeer.start(link.ns, "UdpPeer.java", "send", TapLink.OUR_ADDRESS,
                Integer.toString(ECHO_PORT), "20", "1", "100", "1472")) {
            assertEquals("ok 60", peer.awaitLine("ok", Duration.ofSeconds(60)));
            assertEquals(0, peer.waitFor(Duration.ofSeconds(10)), peer.describe());
        }
        Map<String, Long> c = link.loop.call(s -> s.counters());
        assertEquals(0, c.get("udp.rx.drop.BAD_CHECKSUM"), c.toString());
        // With TUN_F_CSUM the kernel hands its UDP over with partial checksums; without it, never.
        if (offload) {
            assertTrue(link.tap.counters().rxNeedsCsum() >= 60, link.tap.counters().toString());
        } else {
            assertEquals(0, link.tap.counters().rxNeedsCsum(), link.tap.counters().toString());
        }
    }

    @ParameterizedTest(name = "checksum offload {0}")
    @ValueSource(booleans = {true, false})
    void ourClientGetsEchoesFromLinux(boolean offload) throws Exception {
        link = TapLink.open(TapLink.Options.defaults().withDriverFeatures(
                offload ? VirtioNetDriver.Config.DEFAULT_FEATURES : NO_CSUM));
        int count = 10;
        try (JavaPeer peer = JavaPeer.start(link.ns, "UdpPeer.java", "echo", Integer.toString(PEER_PORT),
                Integer.toString(count * SIZES.length))) {
            peer.awaitLine("ready", Duration.ofSeconds(60));
            MemorySegment out = arena.allocate(2048);
            MemorySegment in = arena.allocate(65536);
            List<String> mismatches = new CopyOnWriteArrayList<>();
            int[] received = new int[1];
            UdpSocket client = link.loop.call(s -> {
                UdpSocket u = s.udpSocket();
                assertEquals(0, u.connect(TapLink.KERNEL_IP, PEER_PORT));
                return u;
            });
            for (int size : SIZES) {
                for (int k = 0; k < count; k++) {
                    int kk = k;
                    int sent = link.loop.call(s -> {
                        for (int i = 0; i < size; i++) {
                            out.set(ValueLayout.JAVA_BYTE, i, pattern(kk, i));
                        }
                        return client.send(out, 0, size);
                    });
                    assertEquals(size, sent, "datagram " + k + " of " + size + " bytes sent");
                    link.loop.await("echo of datagram " + k + " (" + size + " bytes)", Duration.ofSeconds(10), () -> {
                        int n = client.recvFrom(in, 0, (int) in.byteSize());
                        if (n < 0) {
                            return false;
                        }
                        received[0]++;
                        if (n != size || in.asSlice(0, n).mismatch(out.asSlice(0, size)) != -1) {
                            mismatches.add("datagram " + kk + ": " + n + " bytes, expected " + size);
                        }
                        return true;
                    });
                }
            }
            assertEquals(List.of(), mismatches);
            assertEquals(count * SIZES.length, received[0]);
            assertEquals("echoed " + count * SIZES.length, peer.awaitLine("echoed", Duration.ofSeconds(10)));
            assertEquals(0, peer.waitFor(Duration.ofSeconds(10)), peer.describe());
        }
        // The kernel took every frame we wrote, partial checksums included (tun.c makes them CHECKSUM_PARTIAL
        // skbs, which local delivery trusts), and its echoes prove the data arrived intact.
        assertEquals(0, link.tap.counters().txErrors(), link.tap.counters().toString());
        assertEquals(offload, link.host.driver().has(VirtioNet.F_CSUM));
        if (offload) {
            assertTrue(link.tap.counters().txNeedsCsum() >= count * SIZES.length, link.tap.counters().toString());
        } else {
            assertEquals(0, link.tap.counters().txNeedsCsum(), link.tap.counters().toString());
        }
    }

    @Test
    void datagramToAClosedLinuxPortComesBackAsPortUnreachable() {
        link = uncheckedOpen();
        MemorySegment one = arena.allocate(1);
        UdpSocket client = link.loop.call(s -> {
            UdpSocket u = s.udpSocket();
            assertEquals(0, u.connect(TapLink.KERNEL_IP, 9));
            return u;
        });
        int sent = link.loop.call(s -> client.send(one, 0, 1));
        assertEquals(1, sent);
        // RFC 1122 §4.1.3.3: the kernel's ICMP port unreachable reaches the connected socket as ECONNREFUSED.
        int[] error = new int[1];
        link.loop.await("ICMP port unreachable", Duration.ofSeconds(10), () -> (error[0] = client.takeError()) != 0);
        assertEquals(Errno.ECONNREFUSED, error[0]);
    }

    private static TapLink uncheckedOpen() {
        try {
            return TapLink.open();
        } catch (Exception e) {
            throw new AssertionError("link set-up failed", e);
        }
    }
}
