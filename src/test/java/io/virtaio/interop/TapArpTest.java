package io.virtaio.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.wire.MacAddress;
import io.virtaio.virtio.netns.CommandResult;
import io.virtaio.virtio.netns.NetNamespace.Neighbour;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Address resolution against the kernel's neighbour subsystem, in both directions, each from a cold start. */
@LinuxInterop
class TapArpTest {
    TapLink link;

    @BeforeEach
    void setUp() throws Exception {
        link = TapLink.open();
    }

    @AfterEach
    void tearDown() {
        if (link != null) {
            link.close();
        }
    }

    @Test
    void kernelResolvesOurAddressToOurMac() throws Exception {
        assertEquals(Optional.empty(), link.ns.neighbour(link.dev(), TapLink.OUR_ADDRESS)
                .filter(n -> n.lladdr() != null), "the kernel knows nothing of us yet (gratuitous ARP creates no entry)");
        // One echo request makes the kernel resolve us first.
        CommandResult r = link.ns.exec(Duration.ofSeconds(10), "ping", "-n", "-c", "1", "-W", "5",
                TapLink.OUR_ADDRESS);
        assertEquals(0, r.exitCode(), r.describe());
        Optional<Neighbour> entry = link.ns.neighbour(link.dev(), TapLink.OUR_ADDRESS);
        assertTrue(entry.isPresent(), "no neighbour entry for us in: " + link.ns.ip("neigh"));
        Neighbour n = entry.get();
        assertEquals(TapLink.OUR_MAC_TEXT, n.lladdr(), n.toString());
        assertTrue(n.state().matches("REACHABLE|STALE|DELAY|PROBE"), n.toString());
        Map<String, Long> c = link.loop.call(s -> s.counters());
        assertTrue(c.get("arp.rx.requests_for_us") >= 1 && c.get("arp.tx.replies") >= 1, c.toString());
    }

    @Test
    void weResolveTheKernelsAddressToItsMac() throws Exception {
        long kernelMac = MacAddress.parse(link.ns.linkMac(link.dev()));
        assertEquals(-1L, (long) link.loop.call(s -> s.neighbor(TapLink.KERNEL_IP)), "nothing learned yet");
        // Our ping makes our stack ask; the kernel answers our request.
        int sent = link.loop.call(s -> s.ping(TapLink.KERNEL_IP, 1, 1, 8));
        assertEquals(0, sent);
        link.loop.await("our ARP cache to learn the kernel's MAC", Duration.ofSeconds(10),
                () -> link.host.stack().neighbor(TapLink.KERNEL_IP) >= 0);
        long learned = link.loop.call(s -> s.neighbor(TapLink.KERNEL_IP));
        assertEquals(MacAddress.toString(kernelMac), MacAddress.toString(learned));
        Map<String, Long> c = link.loop.call(s -> s.counters());
        assertTrue(c.get("arp.tx.requests") >= 1, c.toString());
        assertTrue(c.get("arp.rx.replies_for_us") >= 1, c.toString());
    }
}
