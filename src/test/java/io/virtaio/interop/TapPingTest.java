package io.virtaio.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.netns.CommandResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ICMP echo between Linux and our stack over a TAP, both ways. */
@LinuxInterop
class TapPingTest {
    TapLink link;

    @BeforeEach
    void setUp() throws Exception {
        LinuxInteropExtension.require(LinuxInteropExtension.tools("ping"));
        link = TapLink.open();
    }

    @AfterEach
    void tearDown() {
        if (link != null) {
            link.close();
        }
    }

    @Test
    void linuxPingReachesOurStack() throws Exception {
        CommandResult r = link.ns.exec(Duration.ofSeconds(30), "ping", "-n", "-c", "3", "-i", "0.2", "-W", "5",
                TapLink.OUR_ADDRESS);
        assertEquals(0, r.exitCode(), r.describe() + "\n" + r.stdout() + "\nour counters: " + link.host.counters());
        assertTrue(r.stdout().contains("3 packets transmitted, 3 received"), r.stdout());
        long requests = link.loop.call(s -> s.counters().get("icmp.rx.echo_requests"));
        assertTrue(requests >= 3, "our stack answered " + requests + " echo requests");
    }

    @Test
    void ourPingReachesLinux() {
        List<Integer> replies = new CopyOnWriteArrayList<>();
        link.loop.call(s -> {
            s.onEchoReply((from, ident, seq, len, now) -> {
                if (from == TapLink.KERNEL_IP && ident == 0x7654 && len == 56) {
                    replies.add(seq);
                }
            });
            return null;
        });
        for (int seq = 1; seq <= 3; seq++) {
            int q = seq;
            int sent = link.loop.call(s -> s.ping(TapLink.KERNEL_IP, 0x7654, q, 56));
            assertEquals(0, sent, "ping " + seq + " sent");
            link.loop.await("echo reply " + seq, Duration.ofSeconds(10), () -> replies.contains(q));
        }
        assertEquals(List.of(1, 2, 3), replies);
    }
}
