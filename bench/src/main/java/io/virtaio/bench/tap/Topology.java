package io.virtaio.bench.tap;

import io.virtaio.virtio.netns.NetNamespace;
import java.util.Map;

/**
 * One row of {@link TapBench}: a server, and the network namespace its Linux client runs in. Everything it set up
 * (namespaces, links, processes) is removed by {@link #close()}.
 */
sealed interface Topology extends AutoCloseable permits TapTopology, VethTopology {
    /** "tap" or "veth". */
    String name();

    /** Who serves: our stack, or Linux. */
    String server();

    /** Where the client runs. */
    NetNamespace clientNamespace();

    /** The server's address as the client dials it. */
    String serverAddress();

    int mtu();

    /** The server side's counters worth a look (our stack's retransmissions, drops), or none. */
    Map<String, Long> counters();

    @Override
    void close();
}
