package io.virtaio.bench.tap;

import io.virtaio.bench.serve.Cidr;
import io.virtaio.bench.serve.Service;
import io.virtaio.bench.serve.StackServer;
import io.virtaio.bench.serve.TapAttachment;
import io.virtaio.bench.serve.TapNode;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.virtio.netns.CommandException;
import io.virtaio.virtio.netns.NetNamespace;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;

/**
 * Our stack behind a TAP, as {@code ./virtaio serve} runs it — discard and echo on one node, handlers on its loop —
 * with the Linux client in the namespace the TAP's kernel end is in (198.18.0.1 → 198.18.0.2).
 */
final class TapTopology implements Topology {
    static final String KERNEL = "198.18.0.1/24";
    static final String OURS = "198.18.0.2";

    private final TapNode node;

    private TapTopology(TapNode node) {
        this.node = node;
    }

    static TapTopology open(int mtu) throws IOException {
        TapNode node = TapNode.start(NetNamespace.create(TapBench.PREFIX),
                TapAttachment.Options.of(Cidr.parse(KERNEL)).withMtu(mtu),
                StackConfig.of(Ipv4Address.parse(OURS), 24));
        try {
            StackServer.start(node.channels(), new InetSocketAddress(OURS, TapBench.DISCARD_PORT), Service.DISCARD);
            StackServer.start(node.channels(), new InetSocketAddress(OURS, TapBench.ECHO_PORT), Service.ECHO);
            return new TapTopology(node);
        } catch (IOException | RuntimeException e) {
            try {
                node.close();
            } catch (CommandException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public String name() {
        return "tap";
    }

    @Override
    public String server() {
        return "virtaio";
    }

    @Override
    public NetNamespace clientNamespace() {
        return node.tap().namespace();
    }

    @Override
    public String serverAddress() {
        return OURS;
    }

    @Override
    public int mtu() {
        return node.tap().mtu();
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> all = node.counters();
        Map<String, Long> some = new TreeMap<>();
        for (String k : new String[] {"tcp.retransSegs", "tcp.outOfOrderSegs", "tap.rx.refused.DROP_NO_BUFFER",
            "tap.rx.frames", "tap.tx.frames"}) {
            some.put(k, all.getOrDefault(k, 0L));
        }
        return some;
    }

    @Override
    public void close() {
        try {
            node.close();
        } catch (CommandException e) {
            throw new IllegalStateException("could not remove the TAP's namespace", e);
        }
    }
}
