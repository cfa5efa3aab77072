package io.virtaio.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.interop.LinkImpairment.Direction;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The impairments phase B relies on do what they claim, measured from our stack: nftables drops the share it is
 * told to (and counts exactly what it dropped), tbf holds the rate it is given.
 */
@LinuxInterop
class LinkImpairmentTest {
    TapLink link;

    @BeforeEach
    void setUp() throws Exception {
        LinuxInteropExtension.require(LinuxInteropExtension.tools("nft", "tc"));
        link = TapLink.open();
    }

    @AfterEach
    void tearDown() {
        if (link != null) {
            link.close();
        }
    }

    /**
     * Resolves the kernel's address before any rule is in place, so that no request waits in the (bounded) ARP
     * queue and the one that triggers resolution is not subject to a drop rule.
     */
    private void resolveKernel() {
        int sent = link.loop.call(s -> s.ping(TapLink.KERNEL_IP, 1, 0, 8));
        assertEquals(0, sent);
        link.loop.await("ARP", Duration.ofSeconds(5), () -> link.host.stack().neighbor(TapLink.KERNEL_IP) >= 0);
    }

    /** Sends {@code count} echo requests of {@code size} bytes at once; returns reply arrival times by sequence. */
    private Map<Integer, Long> pingBurst(int ident, int count, int size, Duration wait) {
        Map<Integer, Long> replies = new ConcurrentHashMap<>();
        link.loop.call(s -> {
            s.onEchoReply((from, id, seq, len, now) -> {
                if (id == ident) {
                    replies.put(seq, now);
                }
            });
            return null;
        });
        for (int seq = 1; seq <= count; seq++) {
            int q = seq;
            int sent = link.loop.call(s -> s.ping(TapLink.KERNEL_IP, ident, q, size));
            assertEquals(0, sent, "request " + q + "; " + link.loop.call(s -> s.counters()) + " "
                    + link.tap.counters());
        }
        long deadline = System.nanoTime() + wait.toNanos();
        int seen = -1;
        // Settle: until replies stop coming for 300 ms, or the deadline.
        while (System.nanoTime() < deadline && seen != replies.size()) {
            seen = replies.size();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return replies;
    }

    @Test
    void randomDropRuleDropsAboutItsShareAndCountsEachDrop() throws Exception {
        resolveKernel();
        LinkImpairment.dropRandomly(link.ns, link.dev(), Direction.FROM_US, 50, "ip protocol icmp");
        int count = 400;
        Map<Integer, Long> replies = pingBurst(0x51, count, 56, Duration.ofSeconds(10));
        long dropped = LinkImpairment.dropped(link.ns, Direction.FROM_US);
        // Every request either was dropped by the rule or was answered: the rule's counter is exact.
        assertEquals(count, dropped + replies.size(), "dropped " + dropped + ", replies " + replies.size());
        // Binomial(400, 0.5): mean 200, standard deviation 10; ±60 is six of them.
        assertTrue(dropped > 140 && dropped < 260, "dropped " + dropped + " of " + count);
        LinkImpairment.clear(link.ns, link.dev());
        assertEquals(20, pingBurst(0x52, 20, 56, Duration.ofSeconds(5)).size(), "nothing dropped once cleared");
    }

    @Test
    void tokenBucketHoldsTheRateTowardsUs() throws Exception {
        resolveKernel();
        LinkImpairment.rateLimit(link.ns, link.dev(), "2mbit", "4kb", "2s");
        int count = 60;
        int size = 1400;
        Map<Integer, Long> replies = pingBurst(0x53, count, size, Duration.ofSeconds(10));
        assertEquals(count, replies.size(), "a 2 s queue holds the whole burst: " + LinkImpairment.qdisc(link.ns,
                link.dev()));
        long first = replies.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        long last = replies.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        // Frames of 14 + 20 + 8 + 1400 bytes; the bucket's 4 kB lets the first two or so through at once.
        double bits = (count - 1) * (14 + 20 + 8 + size) * 8.0;
        double mbitPerSecond = bits / ((last - first) / 1e9) / 1e6;
        System.out.printf("tbf 2mbit: %d replies of %d bytes over %.1f ms = %.2f Mbit/s%n", count, size,
                (last - first) / 1e6, mbitPerSecond);
        assertTrue(mbitPerSecond > 1.5 && mbitPerSecond < 2.6, mbitPerSecond + " Mbit/s under a 2mbit tbf");
    }
}
