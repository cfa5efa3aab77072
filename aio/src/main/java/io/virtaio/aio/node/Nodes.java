package io.virtaio.aio.node;

import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.host.VirtioHost;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.LinkModel;
import io.virtaio.virtio.backend.LoopbackBackend;
import io.virtaio.virtio.backend.Wire;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import java.util.Objects;

/**
 * Factories for the usual network nodes: a stack on a virtio-net device on any {@link Backend}, and two stacks
 * joined by the in-process virtio {@link Wire} (the embedded default).
 *
 * <pre>{@code
 * try (AioRuntime rt = AioRuntime.builder().wiredPair().build()) {     // nodes 0 (10.0.0.1) and 1 (10.0.0.2)
 *     Aio a = rt.aio(0), b = rt.aio(1);
 *     ...
 * }
 * Nodes.Pair p = Nodes.wired(StackConfig.of(A, 24), StackConfig.of(B, 24), LinkModel.DEFAULT);   // 1 Gbit/s, 100 µs
 * AioRuntime rt = AioRuntime.builder().node("a", p.a()).node("b", p.b()).build();
 * AioRuntime lo = AioRuntime.builder().node("tap", Nodes.virtio(StackConfig.of(C, 24), myBackend)).build();
 * }</pre>
 *
 * <p>Every node is a {@link VirtioHost}: guest memory, a virtio-net device model and its driver over split
 * virtqueues, and the stack. Its loop steps both sides of the device; the driver's interrupt and the device's kick
 * ring the loop's doorbell; before parking, the loop re-enables them and re-checks ({@link VirtioHost#prepareToWait}).
 * An in-process backend (wire, loopback) is stepped by the loop of the device that transmits into it, so a wire
 * needs no thread of its own. A factory builds its host once: each is for one node of one runtime.
 */
public final class Nodes {
    /** 10.0.0.1, node 0 of {@code AioRuntime.Builder.wiredPair()}. */
    public static final int ADDRESS_A = Ipv4Address.of(10, 0, 0, 1);
    /** 10.0.0.2, node 1 of {@code AioRuntime.Builder.wiredPair()}. */
    public static final int ADDRESS_B = Ipv4Address.of(10, 0, 0, 2);
    /** The on-link prefix of the default addresses: 10.0.0.0/24. */
    public static final int PREFIX_LENGTH = 24;

    private Nodes() {
    }

    /** Two nodes joined by one cable: plug {@link #a()} and {@link #b()} into one runtime, or into two. */
    public record Pair(Wire wire, NodeFactory a, NodeFactory b) {
    }

    /**
     * Two stacks on virtio-net devices joined by the in-process virtio wire with {@code link} in each direction
     * ({@link LinkModel#UNLIMITED}: frames go straight across; a rate and delay: modelled, in the loops' time).
     */
    public static Pair wired(StackConfig a, StackConfig b, LinkModel link) {
        Objects.requireNonNull(link, "link");
        if (a.address() == b.address()) {
            throw new IllegalArgumentException("both ends have address " + Ipv4Address.toString(a.address()));
        }
        Wire wire = Wire.create(link);
        return new Pair(wire, virtio(a, wire.a()), virtio(b, wire.b()));
    }

    /** {@link #wired(StackConfig, StackConfig, LinkModel)} with 10.0.0.1/24 and 10.0.0.2/24, frames straight across. */
    public static Pair wired() {
        return wired(StackConfig.of(ADDRESS_A, PREFIX_LENGTH), StackConfig.of(ADDRESS_B, PREFIX_LENGTH),
                LinkModel.UNLIMITED);
    }

    /**
     * A stack on a virtio-net device whose frames go to {@code backend} (a wire end, a loopback, a TAP device, a
     * pcap or fault stage wrapping one of those). The device has the default configuration with a locally
     * administered MAC made from the address (02:00:a:b:c:d); the driver has its defaults.
     */
    public static NodeFactory virtio(StackConfig stack, Backend backend) {
        return virtio(VirtioNetDevice.Config.defaults().withMac(macFor(stack.address())),
                VirtioNetDriver.Config.defaults(), stack, backend);
    }

    /** A stack on a virtio-net device configured as given, on {@code backend}. */
    public static NodeFactory virtio(VirtioNetDevice.Config device, VirtioNetDriver.Config driver, StackConfig stack,
            Backend backend) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(backend, "backend");
        return (wakeLoop, startNs) -> {
            VirtioHost host = new VirtioHost(device, driver, stack, backend, startNs);
            host.setWakeup(wakeLoop);
            return NodeHost.of(host);
        };
    }

    /**
     * A stack alone on a virtio-net device whose backend loops every frame back: it talks to itself (its own
     * address and 127.0.0.0/8 are delivered inside the stack; other on-link addresses go unanswered).
     */
    public static NodeFactory loopback(StackConfig stack) {
        return virtio(stack, new LoopbackBackend());
    }

    /** The MAC a node at {@code address} gets: locally administered, unicast, 02:00 then the four octets. */
    public static long macFor(int address) {
        return 0x0200_0000_0000L | (address & 0xFFFF_FFFFL);
    }
}
