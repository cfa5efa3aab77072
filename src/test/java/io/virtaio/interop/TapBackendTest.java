package io.virtaio.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.Virtio;
import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.net.VirtioNet;
import io.virtaio.virtio.net.VirtioNetDriver;
import io.virtaio.virtio.netns.CommandResult;
import io.virtaio.virtio.netns.NetNamespace;
import io.virtaio.virtio.tap.LinuxErrno;
import io.virtaio.virtio.tap.TapBackend;
import io.virtaio.virtio.tap.TapCounters;
import io.virtaio.virtio.tap.Tun;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The TAP backend itself against the kernel: its life cycle, every kernel error it can provoke on purpose, the
 * offloads it sets, and the allocation-free transmit path. The TAP's kernel side is in a namespace of the test's
 * own; the only frames written carry the local experimental EtherType 0x88B5, which the kernel drops.
 */
@LinuxInterop
class TapBackendTest {
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    NetNamespace ns;
    TapBackend tap;
    final Arena arena = Arena.ofShared();
    MemorySegment hdr;
    MemorySegment frame;

    /** Counts what the reader delivers; accepts everything. */
    static final class CountingSink implements FrameSink {
        final AtomicInteger frames = new AtomicInteger();
        final AtomicInteger flushes = new AtomicInteger();

        @Override
        public int accept(MemorySegment h, MemorySegment f, long off, int len, long nowNs) {
            frames.incrementAndGet();
            return OK;
        }

        @Override
        public void flush(long nowNs) {
            flushes.incrementAndGet();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        ns = NetNamespace.create(TapLink.PREFIX);
        tap = TapBackend.open();
        ns.adoptLink(tap.name());
        ns.sysctl("net.ipv6.conf." + tap.name() + ".disable_ipv6", "1");
        hdr = arena.allocate(VirtioNet.HDR_SIZE, 8);
        frame = arena.allocate(1514, 64);
        // Broadcast, from a locally administered address, EtherType 0x88B5 (IEEE 802 local experimental).
        frame.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, -1L);
        frame.set(BE16, 6, (short) 0x0276);
        frame.set(BE16, 8, (short) 0x7400);
        frame.set(BE16, 10, (short) 0x0009);
        frame.set(BE16, 12, (short) 0x88B5);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (tap != null) {
                tap.close();
            }
        } finally {
            try {
                ns.close();
            } finally {
                arena.close();
            }
        }
    }

    private boolean linkExists() throws Exception {
        return ns.exec(Duration.ofSeconds(10), "ip", "link", "show", "dev", tap.name()).ok();
    }

    private static Thread readerThread(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("virtaio-tap-" + name)).findFirst().orElse(null);
    }

    @Test
    void theInterfaceLivesWhileOpenAndTheReaderStopsPromptlyOnClose() throws Exception {
        assertTrue(tap.name().matches("vtap\\d+"), "the kernel numbered the template: " + tap.name());
        tap.connect(new CountingSink());
        Thread reader = readerThread(tap.name());
        assertNotNull(reader, "reader thread started by connect");
        assertTrue(reader.isDaemon());
        assertTrue(linkExists());
        long start = System.nanoTime();
        tap.close();
        long closeMs = (System.nanoTime() - start) / 1_000_000;
        assertFalse(reader.isAlive(), "reader stopped");
        // The eventfd ends the reader's poll at once (it has no timeout: without the eventfd it would never wake).
        assertTrue(closeMs < 400, "close took " + closeMs + " ms");
        assertFalse(linkExists(), "a non-persistent TAP disappears with its descriptor");
        assertTrue(tap.isClosed());
        tap.close();
        assertEquals(FrameSink.DROP_BACKEND, tap.accept(hdr, frame, 0, 60, 0), "a closed TAP drops");
        assertEquals(1, tap.counters().txClosed());
    }

    @Test
    void writingWhileTheInterfaceIsDownIsACountedEio() throws Exception {
        // tun.c tun_get_user(): "if (!(tun->dev->flags & IFF_UP)) err = -EIO".
        assertEquals(FrameSink.DROP_BACKEND, tap.accept(hdr, frame, 0, 60, 0));
        assertEquals(1, tap.counters().txErrors(LinuxErrno.EIO), tap.counters().toString());
        ns.linkUp(tap.name());
        assertEquals(FrameSink.OK, tap.accept(hdr, frame, 0, 60, 0));
        assertEquals(1, tap.counters().txWritten());
        assertEquals(2, tap.counters().txFrames());
    }

    @Test
    void headersAndFramesTheKernelRefusesAreCountedEinval() throws Exception {
        ns.linkUp(tap.name());
        // NEEDS_CSUM with the checksum field past the end of the frame (tun_get_user: hdr_len > len).
        hdr.set(ValueLayout.JAVA_BYTE, VirtioNet.HDR_FLAGS, (byte) VirtioNet.HDR_F_NEEDS_CSUM);
        hdr.set(VirtioNet.LE16, VirtioNet.HDR_CSUM_START, (short) 50);
        hdr.set(VirtioNet.LE16, VirtioNet.HDR_CSUM_OFFSET, (short) 16);
        assertEquals(FrameSink.DROP_BACKEND, tap.accept(hdr, frame, 0, 60, 0));
        hdr.fill((byte) 0);
        // A gso_type the kernel does not know (virtio_net_hdr_to_skb: -EINVAL).
        hdr.set(ValueLayout.JAVA_BYTE, VirtioNet.HDR_GSO_TYPE, (byte) 0x42);
        hdr.set(VirtioNet.LE16, VirtioNet.HDR_GSO_SIZE, (short) 100);
        assertEquals(FrameSink.DROP_BACKEND, tap.accept(hdr, frame, 0, 60, 0));
        hdr.fill((byte) 0);
        // Shorter than an Ethernet header (tun_get_user: len < ETH_HLEN).
        assertEquals(FrameSink.DROP_BACKEND, tap.accept(hdr, frame, 0, 10, 0));
        TapCounters c = tap.counters();
        assertEquals(3, c.txErrors(LinuxErrno.EINVAL), c.toString());
        assertEquals(FrameSink.OK, tap.accept(hdr, frame, 0, 60, 0), "the TAP works on after refusals");
        assertEquals(4, c.txFrames());
        assertEquals(c.txFrames(), c.txWritten() + c.txErrors() + c.txShort() + c.txClosed());
    }

    @Test
    void offloadsFollowTheNegotiatedFeaturesAndTheKernelShowsThem() throws Exception {
        LinuxInteropExtension.require(LinuxInteropExtension.tools("ethtool"));
        assertEquals(0, tap.offloads(), "none before negotiation");
        assertTrue(ethtool().contains("tx-checksum-ip-generic: off"), "kernel side: " + ethtool());
        tap.featuresNegotiated(VirtioNetDriver.Config.DEFAULT_FEATURES);
        assertEquals(Tun.TUN_F_CSUM, tap.offloads());
        // The kernel may now hand over partial checksums (NETIF_F_HW_CSUM on the TAP), and still no TSO.
        String k = ethtool();
        assertTrue(k.contains("tx-checksum-ip-generic: on"), k);
        assertTrue(k.contains("tcp-segmentation-offload: off"), k);
        tap.featuresNegotiated(VirtioNetDriver.Config.DEFAULT_FEATURES & ~Virtio.bit(VirtioNet.F_GUEST_CSUM));
        assertEquals(0, tap.offloads());
        assertTrue(ethtool().contains("tx-checksum-ip-generic: off"));
        assertNull(tap.offloadFailure());
        assertEquals(2, tap.counters().toMap().get("offload.changes"));
    }

    private String ethtool() throws Exception {
        CommandResult r = ns.exec(Duration.ofSeconds(10), "ethtool", "-k", tap.name());
        assertEquals(0, r.exitCode(), r.describe());
        return r.stdout();
    }

    @Test
    void deletingTheInterfaceUnderTheReaderStopsItWithTheReason() throws Exception {
        CountingSink sink = new CountingSink();
        tap.connect(sink);
        Thread reader = readerThread(tap.name());
        ns.ip("link", "del", "dev", tap.name());
        reader.join(Duration.ofSeconds(5));
        assertFalse(reader.isAlive(), "reader gave up on a deleted interface");
        assertNotNull(tap.failure());
        assertEquals(LinuxErrno.EBADFD, tap.failure().errno(), tap.failure().getMessage());
        assertEquals(1, tap.counters().rxErrors(LinuxErrno.EBADFD));
        // Writes fail the same way, counted; nothing throws.
        assertEquals(FrameSink.DROP_BACKEND, tap.accept(hdr, frame, 0, 60, 0));
        assertEquals(1, tap.counters().txErrors(LinuxErrno.EBADFD), tap.counters().toString());
    }

    @Test
    void theTransmitPathAllocatesNothingPerFrameOnceCompiled() throws Exception {
        ns.linkUp(tap.name());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        MemorySegment heapFrame = MemorySegment.ofArray(new byte[1514]);
        MemorySegment.copy(frame, 0, heapFrame, 0, 1514);
        // Windows of 20 000 writes (half from native, half from heap memory) until one allocates nothing: before
        // C2 compiles the caller, the linker's per-call slice of the errno capture segment is a real allocation.
        long allocated = -1;
        int windows = 0;
        int ok = 0;
        while (allocated != 0 && windows < 20) {
            long before = threads.getCurrentThreadAllocatedBytes();
            ok = 0;
            for (int i = 0; i < 10_000; i++) {
                ok += tap.accept(hdr, frame, 0, 60 + i % 1400, 0) == FrameSink.OK ? 1 : 0;
                ok += tap.accept(hdr, heapFrame, 0, 60, 0) == FrameSink.OK ? 1 : 0;
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
            windows++;
        }
        assertEquals(0, allocated, "bytes allocated by 20 000 writes after " + windows + " windows");
        assertEquals(20_000, ok, tap.counters().toString());
        assertEquals(10_000L * windows, tap.counters().txCopied(), "heap frames are copied to native memory first");
        assertEquals(0, tap.counters().txErrors(), tap.counters().toString());
    }
}
