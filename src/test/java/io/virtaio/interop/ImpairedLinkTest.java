package io.virtaio.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.bench.serve.ServerCounters;
import io.virtaio.bench.serve.Service;
import io.virtaio.bench.serve.StackServer;
import io.virtaio.bench.serve.TapNode;
import io.virtaio.interop.LinkImpairment.Direction;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A transfer through a bad link: the kernel's side of the TAP drops 2 % of the IPv4 packets each way at random
 * (nftables {@code numgen random}) and sends towards us through a 50 Mbit/s token bucket (tc-tbf), both inside the
 * test's namespace. A Linux client streams through our echo server, so both stacks' loss recovery is at work: the
 * kernel's for what it sends us, ours for what we send back. Every byte must come back, in order.
 */
@LinuxInterop
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ImpairedLinkTest {
    private static final Pattern OVERLIMITS = Pattern.compile("overlimits (\\d+)");

    @Test
    void anEchoStreamThroughRandomLossAndARateLimitComesBackIntact() throws Exception {
        LinuxInteropExtension.require(LinuxInteropExtension.tools("nft", "tc"));
        long bytes = 8L << 20;
        try (TapNode node = TapLink.node()) {
            StackServer server = StackServer.start(node.channels(), new InetSocketAddress(TapLink.OUR_ADDRESS, 7),
                    Service.ECHO);
            String dev = node.tap().name();
            LinkImpairment.dropRandomly(node.tap().namespace(), dev, Direction.TO_US, 2, "");
            LinkImpairment.dropRandomly(node.tap().namespace(), dev, Direction.FROM_US, 2, "");
            LinkImpairment.rateLimit(node.tap().namespace(), dev, "50mbit", "32kb", "20ms");
            String line;
            try (JavaPeer peer = JavaPeer.start(node.tap().namespace(), "TcpPeer.java", "echo-stream",
                    TapLink.OUR_ADDRESS, "7", Long.toString(bytes), "3")) {
                line = peer.awaitLine("echoed", Duration.ofSeconds(150));
                assertEquals(0, peer.waitFor(Duration.ofSeconds(10)), peer.describe());
            }
            // "echoed N sha256 X sent Y": what came back hashes as what went out.
            String[] f = line.split(" ");
            assertEquals(Long.toString(bytes), f[1], line);
            assertEquals(f[5], f[3], "SHA-256 of the echo equals that of the data sent: " + line);

            long droppedToUs = LinkImpairment.dropped(node.tap().namespace(), Direction.TO_US);
            long droppedFromUs = LinkImpairment.dropped(node.tap().namespace(), Direction.FROM_US);
            String qdisc = LinkImpairment.qdisc(node.tap().namespace(), dev);
            Map<String, Long> c = node.counters();
            ServerCounters s = server.counters();
            String state = "dropped to us " + droppedToUs + ", from us " + droppedFromUs + "; " + qdisc + "; " + c;
            System.out.printf("impaired echo of %d MiB: nft dropped %d to us and %d from us; our retransSegs %d, "
                    + "outOfOrderSegs %d%n", bytes >> 20, droppedToUs, droppedFromUs, c.get("tcp.retransSegs"),
                    c.get("tcp.outOfOrderSegs"));
            // The impairments were live: both rules dropped, and the bucket held packets back.
            assertTrue(droppedToUs > 0 && droppedFromUs > 0, state);
            Matcher m = OVERLIMITS.matcher(qdisc);
            assertTrue(m.find() && Long.parseLong(m.group(1)) > 0, "tbf throttled: " + qdisc);
            // We lost segments and recovered them: our own retransmissions carried the echo through.
            assertTrue(c.get("tcp.retransSegs") > 0, state);
            assertEquals(bytes, s.bytesIn());
            assertEquals(bytes, s.bytesOut());
            assertEquals(0, s.failures(), state);
        }
    }
}
