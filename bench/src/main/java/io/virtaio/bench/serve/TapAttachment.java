package io.virtaio.bench.serve;

import io.virtaio.aio.node.NodeFactory;
import io.virtaio.aio.node.Nodes;
import io.virtaio.netstack.StackConfig;
import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.InboundHandoff;
import io.virtaio.virtio.backend.PcapBackend;
import io.virtaio.virtio.backend.PcapWriter;
import io.virtaio.virtio.fault.DeviceFaults;
import io.virtaio.virtio.fault.FaultSpec;
import io.virtaio.virtio.fault.FaultStage;
import io.virtaio.virtio.net.VirtioNet;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import io.virtaio.virtio.netns.CommandException;
import io.virtaio.virtio.netns.HostCommands;
import io.virtaio.virtio.netns.NetNamespace;
import io.virtaio.virtio.tap.TapBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A TAP device as the cable of one node: the kernel's end moved into a network namespace (when one is given),
 * given an address and an MTU and brought up; our end the {@link Backend} a node's virtio-net device is built on —
 * the TAP alone, or behind a capture and a fault stage:
 *
 * <pre>
 *   virtio-net device ─ [DeviceFaults] ─ [PcapBackend] ─ [FaultStage ─ InboundHandoff] ─ TapBackend ═ kernel
 * </pre>
 *
 * The capture sees what the device sends and receives; the fault stage sits between it and the TAP, so a frame the
 * stage drops on its way out is in the capture and never reaches the kernel. The stage is confined to the thread
 * that polls the device, and the TAP delivers from its reader thread: the {@link InboundHandoff} carries inbound
 * frames across. Without faults the TAP delivers straight into the device.
 *
 * <p>{@link #close()} closes the backend chain (the TAP disappears with its descriptor) and the namespace when it
 * is owned; closing the node that uses the backend closes the chain too (closing twice is harmless).
 */
public final class TapAttachment implements AutoCloseable {
    /**
     * How to attach.
     *
     * @param name          TAP name or template ({@code vtap%d}: the kernel numbers it)
     * @param mtu           the interface's MTU, which the device must be given too
     * @param kernelAddress the address of the kernel's end, or null to leave it unconfigured (and down)
     * @param pcap          where to capture (pcapng, checksums completed as on a wire), or null
     * @param faults        faults between the capture and the TAP ({@link FaultSpec#NONE}: none)
     * @param seed          seeds the faults
     */
    public record Options(String name, int mtu, Cidr kernelAddress, Path pcap, FaultSpec faults, long seed) {
        public Options {
            if (mtu < VirtioNet.MIN_MTU || mtu > VirtioNet.MAX_MTU) {
                throw new IllegalArgumentException("MTU must be in " + VirtioNet.MIN_MTU + ".." + VirtioNet.MAX_MTU
                        + ": " + mtu);
            }
            if (name == null || faults == null) {
                throw new IllegalArgumentException("name and faults are required (FaultSpec.NONE for none)");
            }
        }

        /** {@code vtap%d}, MTU 1500, kernel end at {@code kernelAddress}, no capture, no faults. */
        public static Options of(Cidr kernelAddress) {
            return new Options(TapBackend.DEFAULT_NAME, 1500, kernelAddress, null, FaultSpec.NONE, 1);
        }

        public Options withName(String n) {
            return new Options(n, mtu, kernelAddress, pcap, faults, seed);
        }

        public Options withMtu(int m) {
            return new Options(name, m, kernelAddress, pcap, faults, seed);
        }

        public Options withPcap(Path file) {
            return new Options(name, mtu, kernelAddress, file, faults, seed);
        }

        public Options withFaults(FaultSpec spec, long s) {
            return new Options(name, mtu, kernelAddress, pcap, spec, s);
        }
    }

    /** Inbound frames the handoff can hold while the device's loop catches up. */
    private static final int HANDOFF_SLOTS = 512;
    /**
     * Receive buffers of a node on a TAP at an MTU up to {@link #JUMBO_MTU}. The TAP's reader hands over the
     * kernel's frames in bursts, as fast as the kernel's sender makes them, and a frame that finds no buffer is
     * dropped (as a NIC drops). Measured with a Linux sender at about 3 Gbit/s: with the driver's default 256
     * buffers 11 % of the frames found none; with 1024, 0.5 % — as often as the kernel's own TAP queue (1000
     * frames) overflowed, which is the sender's congestion control finding the path's limit. It costs 1.6 MiB.
     */
    static final int RX_QUEUE = 1024;
    /** Above this MTU a buffer is up to 64 KiB, and the driver's default of 256 (16 MiB) is plenty. */
    static final int JUMBO_MTU = 9000;

    private final NetNamespace namespace;
    private final TapBackend tap;
    private final PcapBackend capture;
    private final FaultStage stage;
    private final DeviceFaults deviceFaults;
    private final Backend backend;
    private final int mtu;

    private TapAttachment(NetNamespace namespace, TapBackend tap, PcapBackend capture, FaultStage stage,
                          DeviceFaults deviceFaults, Backend backend, int mtu) {
        this.namespace = namespace;
        this.tap = tap;
        this.capture = capture;
        this.stage = stage;
        this.deviceFaults = deviceFaults;
        this.backend = backend;
        this.mtu = mtu;
    }

    /**
     * Opens the TAP, moves its kernel end into {@code ns} (null: it stays in this process's namespace), configures it
     * and builds the backend chain. On failure everything made so far is removed, {@code ns} included if owned.
     */
    public static TapAttachment open(NetNamespace ns, Options options) throws IOException {
        List<AutoCloseable> made = new ArrayList<>();
        if (ns != null) {
            made.add(ns);
        }
        try {
            TapBackend tap = TapBackend.open(options.name());
            made.addFirst(tap::close);
            configureKernelEnd(ns, tap.name(), options);
            long startNs = System.nanoTime();
            FaultSpec faults = options.faults();
            boolean faulty = !faults.network().isNone() || faults.hasDeviceFaults();
            int frameBytes = options.mtu() + VirtioNet.ETH_HEADER;
            FaultStage stage = null;
            Backend chain = tap;
            if (faulty) {
                stage = new FaultStage(new InboundHandoff(tap, HANDOFF_SLOTS, frameBytes), faults.network(),
                        options.seed(), FaultStage.Options.defaults().withStartNs(startNs)
                                .withMaxFrameBytes(frameBytes).withHoldSlots(frameBytes > 9000 ? 256 : 1024));
                chain = stage;
            }
            PcapBackend capture = null;
            if (options.pcap() != null) {
                capture = new PcapBackend(chain, PcapWriter.open(options.pcap(), PcapWriter.Format.PCAPNG),
                        PcapBackend.Checksums.COMPLETED);
                chain = capture;
            }
            DeviceFaults deviceFaults = null;
            if (faults.hasDeviceFaults()) {
                deviceFaults = new DeviceFaults(chain, faults.device(), options.seed() ^ 0x5DEECE66DL, startNs);
                chain = deviceFaults;
            }
            Backend outer = chain;
            made.addFirst(outer::close);
            return new TapAttachment(ns, tap, capture, stage, deviceFaults, outer, options.mtu());
        } catch (IOException | RuntimeException | Error e) {
            for (AutoCloseable c : made) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** MTU, address, up — in the namespace, or in ours. IPv6 off there: its chatter is noise to our stack. */
    private static void configureKernelEnd(NetNamespace ns, String dev, Options options) throws CommandException {
        if (ns != null) {
            ns.adoptLink(dev);
            ns.sysctl("net.ipv6.conf." + dev + ".disable_ipv6", "1");
            ns.setMtu(dev, options.mtu());
            if (options.kernelAddress() != null) {
                ns.addAddress(dev, options.kernelAddress().toString());
                ns.linkUp(dev);
            }
            return;
        }
        HostCommands.check("ip", "link", "set", "dev", dev, "mtu", Integer.toString(options.mtu()));
        if (options.kernelAddress() != null) {
            HostCommands.check("ip", "addr", "add", options.kernelAddress().toString(), "dev", dev);
            HostCommands.check("ip", "link", "set", "dev", dev, "up");
        }
    }

    /** What the node's device is built on. */
    public Backend backend() {
        return backend;
    }

    /**
     * A node of a runtime on this TAP: a stack on a virtio-net device with this MTU, the MAC
     * {@link Nodes#macFor} gives its address, and receive buffers for the TAP's bursts ({@value #RX_QUEUE} at
     * most MTUs). {@code AioRuntime.builder().node("tap", attachment.node(stack))}.
     */
    public NodeFactory node(StackConfig stack) {
        int rx = mtu > JUMBO_MTU ? VirtioNetDriver.Config.defaults().rxQueueSize() : RX_QUEUE;
        VirtioNetDevice.Config device = VirtioNetDevice.Config.defaults().withMac(Nodes.macFor(stack.address()))
                .withMtu(mtu).withMaxQueueSize(Math.max(rx, VirtioNetDevice.Config.defaults().maxQueueSize()));
        VirtioNetDriver.Config driver = VirtioNetDriver.Config.defaults()
                .withQueueSizes(rx, VirtioNetDriver.Config.defaults().txQueueSize());
        return Nodes.virtio(device, driver, stack, backend);
    }

    public TapBackend tap() {
        return tap;
    }

    /** The kernel's name of the interface, e.g. {@code vtap0}. */
    public String name() {
        return tap.name();
    }

    public int mtu() {
        return mtu;
    }

    /** The namespace the kernel's end is in, or null for this process's. */
    public NetNamespace namespace() {
        return namespace;
    }

    /** The capture, or null. */
    public PcapBackend capture() {
        return capture;
    }

    /** The fault stage, or null without network or device faults. */
    public FaultStage faults() {
        return stage;
    }

    /**
     * The TAP's counters ({@code tap.}), the fault stage's and device faults' ({@code fault.}, {@code device_fault.})
     * and the capture's ({@code pcap.}). The fault stage is confined to the device's loop: read these after it stopped,
     * or accept approximate values.
     */
    public Map<String, Long> counters() {
        Map<String, Long> m = new TreeMap<>();
        tap.counters().toMap().forEach((k, v) -> m.put("tap." + k, v));
        if (stage != null) {
            stage.toMap().forEach((k, v) -> m.put("fault." + k, v));
        }
        if (deviceFaults != null) {
            deviceFaults.counters().forEach((k, v) -> m.put("device_fault." + k, v));
        }
        if (capture != null) {
            capture.counters().toMap().forEach((k, v) -> m.put("pcap." + k, v));
        }
        return m;
    }

    /** Closes the backend chain (the TAP, the capture file), then deletes the namespace if it is owned. */
    @Override
    public void close() throws CommandException {
        try {
            backend.close();
        } finally {
            if (namespace != null) {
                namespace.close();
            }
        }
    }
}
