package io.virtaio.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.udp.UdpSocket;
import io.virtaio.virtio.netns.CommandResult;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link io.virtaio.virtio.backend.PcapBackend} around the TAP records both directions of real traffic with the
 * kernel — ARP, ping both ways, UDP both ways, with checksum offload on — and tshark, validating every checksum,
 * finds nothing malformed, no bad checksum, no warning. The capture is kept in {@code target/captures}.
 */
@LinuxInterop
class CaptureTest {
    @BeforeEach
    void tools() {
        LinuxInteropExtension.require(LinuxInteropExtension.tools("tshark", "ping"));
    }

    private static Path captureFile(String name) throws Exception {
        Path dir = Path.of("target", "captures");
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        Files.deleteIfExists(file);
        return file;
    }

    @Test
    void captureOfBothDirectionsReadsCleanWithChecksumsValidated() throws Exception {
        Path file = captureFile("tap-both-directions.pcapng");
        long udpNeedsCsum;
        long recorded;
        try (TapLink link = TapLink.open(TapLink.Options.defaults().withPcap(file));
                Arena arena = Arena.ofShared()) {
            // Linux pings us (ARP first), then we ping Linux.
            CommandResult r = link.ns.exec(Duration.ofSeconds(30), "ping", "-n", "-c", "3", "-i", "0.2", "-W", "5",
                    TapLink.OUR_ADDRESS);
            assertEquals(0, r.exitCode(), r.describe());
            List<Integer> replies = new CopyOnWriteArrayList<>();
            link.loop.call(s -> {
                s.onEchoReply((from, ident, seq, len, now) -> replies.add(seq));
                return null;
            });
            for (int seq = 1; seq <= 3; seq++) {
                int q = seq;
                int sent = link.loop.call(s -> s.ping(TapLink.KERNEL_IP, 42, q, 200));
                assertEquals(0, sent);
                link.loop.await("echo reply " + q, Duration.ofSeconds(10), () -> replies.contains(q));
            }
            // UDP: the Linux client sends to our echo server; partial checksums both ways (TUN_F_CSUM and CSUM).
            MemorySegment buf = arena.allocate(65536);
            UdpSocket server = link.loop.call(s -> {
                UdpSocket u = s.udpSocket();
                assertEquals(0, u.bind(0, 7));
                return u;
            });
            link.loop.addService(s -> {
                for (int n = server.recvFrom(buf, 0, 65536); n >= 0; n = server.recvFrom(buf, 0, 65536)) {
                    server.sendTo(buf, 0, n, server.lastSourceAddress(), server.lastSourcePort());
                }
            });
            try (JavaPeer peer = JavaPeer.start(link.ns, "UdpPeer.java", "send", TapLink.OUR_ADDRESS, "7", "5",
                    "1", "512", "1472")) {
                assertEquals("ok 15", peer.awaitLine("ok", Duration.ofSeconds(60)), peer.describe());
            }
            udpNeedsCsum = link.tap.counters().rxNeedsCsum();
            recorded = link.pcap.counters().frames() + link.pcap.counters().delivered();
            assertEquals(0, link.pcap.counters().dropped(), "capture write errors");
        }
        assertTrue(udpNeedsCsum >= 15, "the kernel sent partial checksums (" + udpNeedsCsum + ")");

        CaptureReport report = Tshark.analyze(file);
        assertEquals(recorded, report.frames(), "every frame recorded is read back: " + report);
        assertTrue(report.inbound() >= 3 + 3 + 15 + 1, "inbound: " + report);
        assertTrue(report.outbound() >= 3 + 3 + 15 + 1, "outbound: " + report);
        assertEquals(report.frames(), report.inbound() + report.outbound(), "every frame has a direction");
        assertEquals(List.of(), report.problems(), report.toString());
        assertTrue(report.clean(), report.toString());
        assertEquals(0, report.quotedBadChecksums(), report.toString());
        // 6 pings x 2, 15 datagrams x 2: every one of them had a checksum that tshark verified good.
        assertTrue(report.goodChecksums() >= 12 + 30, "checksums verified: " + report);
    }

    /**
     * The same traffic recorded as handed over (no completion) shows every offloaded datagram as a bad checksum:
     * the check above is live, and the COMPLETED mode is what makes the capture clean.
     */
    @Test
    void partialChecksumsRecordedAsHandedAreWhatTsharkFlags() throws Exception {
        Path file = captureFile("tap-as-handed.pcapng");
        long needsCsum;
        try (TapLink link = TapLink.open(TapLink.Options.defaults().withPcap(file)
                .withPcapChecksums(io.virtaio.virtio.backend.PcapBackend.Checksums.AS_HANDED));
                Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(65536);
            UdpSocket server = link.loop.call(s -> {
                UdpSocket u = s.udpSocket();
                assertEquals(0, u.bind(0, 7));
                return u;
            });
            link.loop.addService(s -> {
                for (int n = server.recvFrom(buf, 0, 65536); n >= 0; n = server.recvFrom(buf, 0, 65536)) {
                    server.sendTo(buf, 0, n, server.lastSourceAddress(), server.lastSourcePort());
                }
            });
            try (JavaPeer peer = JavaPeer.start(link.ns, "UdpPeer.java", "send", TapLink.OUR_ADDRESS, "7", "4",
                    "100")) {
                assertEquals("ok 4", peer.awaitLine("ok", Duration.ofSeconds(60)), peer.describe());
            }
            needsCsum = link.tap.counters().rxNeedsCsum();
        }
        CaptureReport report = Tshark.analyze(file);
        // 4 datagrams in with the kernel's partial sums, 4 echoes out with ours.
        assertEquals(4, needsCsum);
        assertEquals(8, report.badChecksums(), report.toString());
    }
}
