package io.virtaio.bench.tap;

import io.virtaio.virtio.netns.CommandException;
import io.virtaio.virtio.netns.NetNamespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Linux to Linux: two namespaces joined by a veth pair (198.18.1.2 → 198.18.1.1), the same client in one and the
 * JDK servers of {@link LinuxPeer} in the other. The peer for our row: the kernel's TCP at both ends, with the
 * offloads a veth has (GSO/GRO: 64 KiB segments cross it whole).
 */
final class VethTopology implements Topology {
    static final String SERVER = "198.18.1.1";
    static final String CLIENT = "198.18.1.2";

    private final NetNamespace serverNs;
    private final NetNamespace clientNs;
    private final int mtu;

    private VethTopology(NetNamespace serverNs, NetNamespace clientNs, int mtu) {
        this.serverNs = serverNs;
        this.clientNs = clientNs;
        this.mtu = mtu;
    }

    static VethTopology open(int mtu) throws IOException {
        List<NetNamespace> made = new ArrayList<>();
        try {
            NetNamespace server = NetNamespace.create(TapBench.PREFIX);
            made.add(server);
            NetNamespace client = NetNamespace.create(TapBench.PREFIX);
            made.add(client);
            server.ip("link", "add", "vb0", "type", "veth", "peer", "name", "vb1", "netns", client.name());
            for (NetNamespace ns : made) {
                String dev = ns == server ? "vb0" : "vb1";
                ns.setMtu(dev, mtu);
                ns.addAddress(dev, (ns == server ? SERVER : CLIENT) + "/24");
                ns.linkUp(dev);
            }
            Process servers = server.start(TapBench.peerCommand("servers", Integer.toString(TapBench.DISCARD_PORT),
                    Integer.toString(TapBench.ECHO_PORT)));
            String ready = new BufferedReader(new InputStreamReader(servers.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            if (!"ready".equals(ready)) {
                throw new IOException("the Linux servers did not start: " + ready + " "
                        + new String(servers.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            return new VethTopology(server, client, mtu);
        } catch (IOException | RuntimeException e) {
            for (NetNamespace ns : made.reversed()) {
                try {
                    ns.close();
                } catch (CommandException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    @Override
    public String name() {
        return "veth";
    }

    @Override
    public String server() {
        return "Linux";
    }

    @Override
    public NetNamespace clientNamespace() {
        return clientNs;
    }

    @Override
    public String serverAddress() {
        return SERVER;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of();
    }

    /** Kills the servers (they were started in the namespace) and deletes both namespaces, the veth with them. */
    @Override
    public void close() {
        CommandException failure = null;
        for (NetNamespace ns : List.of(clientNs, serverNs)) {
            try {
                ns.close();
            } catch (CommandException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw new IllegalStateException("could not remove a namespace", failure);
        }
    }
}
