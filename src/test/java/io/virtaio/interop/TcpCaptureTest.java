package io.virtaio.interop;

import static io.virtaio.aio.posix.Aio.AF_INET;
import static io.virtaio.aio.posix.Aio.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.bench.serve.Cidr;
import io.virtaio.bench.serve.TapAttachment;
import io.virtaio.bench.serve.TapNode;
import io.virtaio.interop.LinkImpairment.Direction;
import io.virtaio.netstack.Errno;
import io.virtaio.virtio.backend.PcapBackend;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A TCP transfer recorded by our capture ({@code PcapBackend}, checksums completed as on a wire) and read back by
 * tshark: both directions present, nothing malformed, no bad checksum — and tshark's count of our retransmissions is
 * exactly our stack's {@code tcp.retransSegs}.
 *
 * <h2>What exactly is compared</h2>
 * We send 4 MiB to a Linux reader; the kernel, inside the namespace, drops 2 % of our data segments (IPv4 longer
 * than 100 bytes, so no SYN, pure ACK or bare FIN) after our capture saw them. Nothing the kernel sends is dropped,
 * so Linux retransmits nothing, and every segment we send is in the capture — originals and retransmissions alike.
 * Then the segments of ours that do not advance our sequence space are exactly the ones we retransmitted, and
 * {@code tcp.retransSegs} counts every one of them (fast, RTO and TLP retransmissions; it counts no SYN, and no SYN is
 * dropped). Wireshark labels such a segment {@code tcp.analysis.retransmission} (fast and spurious retransmissions
 * included) — or {@code tcp.analysis.out_of_order} when it follows the highest segment so far by less than the
 * connection's first round-trip time (its packet-tcp.c heuristic for reordering, which on a TAP's 50 µs RTT catches
 * retransmissions sent right after new data). A sender's own capture has no reordering, so both labels mean "sent
 * again", and their sum on our direction is what equals our counter, exactly; the split is printed.
 */
@LinuxInterop
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TcpCaptureTest {
    private static final int PORT = 7007;
    private static final String OURS = "ip.src == " + TapLink.OUR_ADDRESS + " && ";
    private static final String THEIRS = "ip.src == " + TapLink.KERNEL_ADDRESS + " && ";
    private static final String SENT_AGAIN = "(tcp.analysis.retransmission || tcp.analysis.out_of_order)";
    /** The payload is a random byte stream: no dissector of tshark's should try to make sense of it. */
    private static final List<String> OPAQUE = Tshark.opaquePayload(PORT);

    @Test
    void tsharkCountsExactlyTheRetransmissionsWeCounted() throws Exception {
        LinuxInteropExtension.require(LinuxInteropExtension.tools("tshark", "nft"));
        Path file = Path.of("target", "captures", "tcp-retransmissions.pcapng");
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        long bytes = 4L << 20;
        long retransSegs;
        long dropped;
        PcapBackend capture;
        try (TapNode node = TapLink.node(TapAttachment.Options.of(Cidr.parse(TapLink.KERNEL_CIDR)).withPcap(file));
                JavaPeer peer = JavaPeer.start(node.tap().namespace(), "TcpPeer.java", "sink",
                        Integer.toString(PORT))) {
            LinkImpairment.dropRandomly(node.tap().namespace(), node.tap().name(), Direction.FROM_US, 2,
                    "ip protocol tcp ip length > 100");
            peer.awaitLine("ready", Duration.ofSeconds(60));
            String digest = send(node, bytes);
            assertEquals("received " + bytes + " sha256 " + digest, peer.awaitLine("received", Duration.ofSeconds(90)),
                    peer.describe());
            assertEquals(0, peer.waitFor(Duration.ofSeconds(10)), peer.describe());
            dropped = LinkImpairment.dropped(node.tap().namespace(), Direction.FROM_US);
            retransSegs = node.counters().get("tcp.retransSegs");
            capture = node.tap().capture();
        }
        // Closed: the file is complete.
        long recorded = capture.counters().frames() + capture.counters().delivered();
        assertEquals(0, capture.counters().dropped(), "capture write errors");
        assertTrue(dropped > 0, "the kernel dropped some of our segments");
        assertTrue(retransSegs >= dropped, "each dropped segment was sent again: " + retransSegs + " < " + dropped);

        CaptureReport report = Tshark.analyze(file, OPAQUE);
        assertEquals(recorded, report.frames(), report.toString());
        assertTrue(report.inbound() > 0 && report.outbound() > 0, "both directions: " + report);
        assertEquals(0, report.malformed(), report.toString());
        assertEquals(0, report.badChecksums(), report.toString());
        assertTrue(report.goodChecksums() > 0, "checksums were verified: " + report);

        int retransmission = Tshark.count(file, OPAQUE, OURS + "tcp.analysis.retransmission", null, null);
        int outOfOrder = Tshark.count(file, OPAQUE, OURS + "tcp.analysis.out_of_order", null, null);
        int sentAgain = Tshark.count(file, OPAQUE, OURS + SENT_AGAIN, null, null);
        int theirs = Tshark.count(file, OPAQUE, THEIRS + SENT_AGAIN, null, null);
        System.out.printf("capture: %d frames; nft dropped %d of our segments; tcp.retransSegs %d; tshark: %d "
                + "retransmission + %d out-of-order = %d of ours, %d of Linux's%n", report.frames(), dropped,
                retransSegs, retransmission, outOfOrder, sentAgain, theirs);
        assertEquals(retransSegs, sentAgain, "our segments tshark sees sent again (" + retransmission
                + " retransmission, " + outOfOrder + " out-of-order) vs tcp.retransSegs");
        assertEquals(retransmission + outOfOrder, sentAgain, "no segment carries both labels");
        assertEquals(0, theirs, "nothing of Linux's was lost, so nothing was sent again");
        // An expert warning other than that label would be a fault of the capture or of a stack — except "window
        // full": a segment reaching the right edge of the reader's advertised window, which a sender limited by a
        // slow reader may send (RFC 9293 §3.8.6: up to SND.UNA + SND.WND), and Linux's sender does too.
        List<String> unexplained = new ArrayList<>();
        Tshark.count(file, OPAQUE, "(" + Tshark.WARNING + ") && !tcp.analysis.out_of_order"
                + " && !tcp.analysis.window_full", unexplained, "warning");
        assertEquals(List.of(), unexplained);
    }

    /** Writes {@code bytes} of payload 31 on a new connection with aio_write, two requests in flight; SHA-256. */
    private static String send(TapNode node, long bytes) {
        Aio aio = node.aio();
        int fd = aio.socket(AF_INET, SOCK_STREAM, 0);
        assertEquals(0, aio.connect(fd, new sockaddr_in(TapLink.KERNEL_IP, PORT)),
                () -> "connect: " + Errno.name(aio.errno()));
        MessageDigest sha = Payload.sha256();
        int chunk = 64 * 1024;
        aiocb[] cbs = {new aiocb(fd, node.runtime().allocate(chunk), chunk, 0),
            new aiocb(fd, node.runtime().allocate(chunk), chunk, 0)};
        long offset = 0;
        int submitted = 0;
        int completed = 0;
        while (completed < submitted || offset < bytes) {
            for (; submitted - completed < cbs.length && offset < bytes; submitted++) {
                aiocb cb = cbs[submitted % cbs.length];
                int n = (int) Math.min(chunk, bytes - offset);
                Payload.fill(31, offset, cb.aio_buf, n);
                sha.update(cb.aio_buf.asSlice(0, n).asByteBuffer());
                cb.aio_nbytes = n;
                offset += n;
                assertEquals(0, aio.aio_write(cb), () -> "aio_write: " + Errno.name(aio.errno()));
            }
            aiocb oldest = cbs[completed++ % cbs.length];
            assertEquals(0, aio.aio_suspend(new aiocb[] {oldest}, 1, null));
            assertEquals(oldest.aio_nbytes, aio.aio_return(oldest), () -> Errno.name(aio.aio_error(oldest)));
        }
        assertEquals(0, aio.close(fd));
        return Payload.hex(sha.digest());
    }
}
