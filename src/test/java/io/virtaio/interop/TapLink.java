package io.virtaio.interop;

import io.virtaio.bench.serve.Cidr;
import io.virtaio.bench.serve.TapAttachment;
import io.virtaio.bench.serve.TapNode;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.host.VirtioHost;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.PcapBackend;
import io.virtaio.virtio.backend.PcapWriter;
import io.virtaio.virtio.netns.NetNamespace;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import io.virtaio.virtio.tap.TapBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One cable between our stack and the Linux kernel, set up and torn down whole: a network namespace of its own, a
 * TAP whose kernel side is moved there and given {@value #KERNEL_CIDR}, and on the device side (in this JVM) a
 * {@link VirtioHost} at {@value #OUR_ADDRESS} on the TAP — optionally through a {@link PcapBackend} — driven by a
 * {@link HostLoop}.
 *
 * <pre>
 *   namespace vtap-&lt;pid&gt;-&lt;n&gt;                    this JVM
 *   Linux stack ── vtapN (198.18.0.1/24) ═══ /dev/net/tun ═══ TapBackend ─ [pcap] ─ virtio-net device ─ driver ─ Stack (198.18.0.2)
 * </pre>
 *
 * Every test builds its own, so tests share nothing, and {@link #close()} removes everything (loop, host, TAP,
 * namespace) even when a step fails; the namespace's shutdown hook and the stale-namespace reaper cover a JVM that
 * dies first.
 */
final class TapLink implements AutoCloseable {
    static final String PREFIX = "vtap";
    static final String KERNEL_ADDRESS = "198.18.0.1";
    static final String KERNEL_CIDR = KERNEL_ADDRESS + "/24";
    static final String OUR_ADDRESS = "198.18.0.2";
    static final int KERNEL_IP = Ipv4Address.parse(KERNEL_ADDRESS);
    static final int OUR_IP = Ipv4Address.parse(OUR_ADDRESS);
    /** Our device's MAC: locally administered, "vt" in the middle. */
    static final long OUR_MAC = 0x02_76_74_00_00_02L;
    static final String OUR_MAC_TEXT = "02:76:74:00:00:02";

    /**
     * How to build the link.
     *
     * @param pcap           where to capture our device's traffic (pcapng), or null
     * @param pcapChecksums  what the capture shows of partial checksums (COMPLETED: as on a wire)
     * @param driverFeatures what the driver asks for (offloads follow what it gets)
     * @param ipv6           leave IPv6 on on the kernel side (router solicitations, MLD: frames our stack drops)
     * @param rxQueueSize    receive buffers the driver posts
     */
    record Options(Path pcap, PcapBackend.Checksums pcapChecksums, long driverFeatures, boolean ipv6,
                   int rxQueueSize) {
        static Options defaults() {
            return new Options(null, PcapBackend.Checksums.COMPLETED, VirtioNetDriver.Config.DEFAULT_FEATURES, false,
                    VirtioNetDriver.Config.defaults().rxQueueSize());
        }

        Options withPcap(Path file) {
            return new Options(file, pcapChecksums, driverFeatures, ipv6, rxQueueSize);
        }

        Options withPcapChecksums(PcapBackend.Checksums mode) {
            return new Options(pcap, mode, driverFeatures, ipv6, rxQueueSize);
        }

        Options withDriverFeatures(long features) {
            return new Options(pcap, pcapChecksums, features, ipv6, rxQueueSize);
        }

        Options withIpv6(boolean on) {
            return new Options(pcap, pcapChecksums, driverFeatures, on, rxQueueSize);
        }

        Options withRxQueueSize(int buffers) {
            return new Options(pcap, pcapChecksums, driverFeatures, ipv6, buffers);
        }
    }

    final NetNamespace ns;
    final TapBackend tap;
    final PcapBackend pcap;
    final VirtioHost host;
    final HostLoop loop;

    private TapLink(NetNamespace ns, TapBackend tap, PcapBackend pcap, VirtioHost host, HostLoop loop) {
        this.ns = ns;
        this.tap = tap;
        this.pcap = pcap;
        this.host = host;
        this.loop = loop;
    }

    static TapLink open() throws IOException {
        return open(Options.defaults());
    }

    static TapLink open(Options options) throws IOException {
        List<AutoCloseable> built = new ArrayList<>();
        try {
            NetNamespace ns = NetNamespace.create(PREFIX);
            built.add(ns);
            TapBackend tap = TapBackend.open(TapBackend.DEFAULT_NAME);
            built.add(tap::close);
            String dev = tap.name();
            ns.adoptLink(dev);
            if (!options.ipv6()) {
                ns.sysctl("net.ipv6.conf." + dev + ".disable_ipv6", "1");
            }
            ns.addAddress(dev, KERNEL_CIDR);
            ns.linkUp(dev);
            PcapBackend pcap = options.pcap() == null ? null : new PcapBackend(tap,
                    PcapWriter.open(options.pcap(), PcapWriter.Format.PCAPNG), options.pcapChecksums());
            Backend backend = pcap != null ? pcap : tap;
            if (pcap != null) {
                built.add(pcap::close);
            }
            VirtioHost host = new VirtioHost(VirtioNetDevice.Config.defaults().withMac(OUR_MAC),
                    VirtioNetDriver.Config.defaults().withFeatures(options.driverFeatures())
                            .withQueueSizes(options.rxQueueSize(), VirtioNetDriver.Config.defaults().txQueueSize()),
                    StackConfig.of(OUR_IP, 24).withSeed(0x7461_7000L), backend, System.nanoTime());
            built.add(host);
            HostLoop loop = new HostLoop(host, dev);
            return new TapLink(ns, tap, pcap, host, loop);
        } catch (IOException | RuntimeException | Error e) {
            closeAll(built.reversed(), e);
            throw e;
        }
    }

    /**
     * The runtime variant of the cable, for tests through the public API (POSIX façade, channels): our stack as the
     * node of an {@code AioRuntime} on a TAP into a namespace of its own, kernel end {@value #KERNEL_CIDR}, us
     * {@value #OUR_ADDRESS} — what {@code ./virtaio serve} runs ({@link TapNode}). Closing it removes everything.
     */
    static TapNode node(TapAttachment.Options options) throws IOException {
        return TapNode.start(NetNamespace.create(PREFIX), options, StackConfig.of(OUR_IP, 24).withSeed(0x7461_7001L));
    }

    /** {@link #node(TapAttachment.Options)} with a plain TAP: MTU 1500, no capture, no faults. */
    static TapNode node() throws IOException {
        return node(TapAttachment.Options.of(Cidr.parse(KERNEL_CIDR)));
    }

    /** The kernel side's interface name (inside {@link #ns}). */
    String dev() {
        return tap.name();
    }

    /** Stops the loop, closes the host (stack, capture, TAP — the interface disappears) and deletes the namespace. */
    @Override
    public void close() {
        closeAll(List.of(loop, host, ns), null);
    }

    /** Closes each in order, even after a failure; the first failure wins and the rest are suppressed into it. */
    private static void closeAll(List<? extends AutoCloseable> resources, Throwable primary) {
        Throwable first = primary;
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Throwable t) {
                if (first == null) {
                    first = t;
                } else {
                    first.addSuppressed(t);
                }
            }
        }
        if (primary == null && first != null) {
            if (first instanceof RuntimeException e) {
                throw e;
            }
            if (first instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException("cleanup failed", first);
        }
    }
}
