package io.virtaio.bench.tap;

import io.virtaio.virtio.netns.NetNamespace;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Through a TAP, one TCP connection, a Linux client against our server — and the same client against a Linux server
 * over a veth pair, in the same run, as the peer. Two workloads: bulk (64 KiB writes of a fixed volume, goodput
 * from the first write until the server has closed after reading the last byte) and round trips (64 bytes out, 64
 * back, one at a time, TCP_NODELAY; HdrHistogram percentiles). The client is {@link LinuxPeer} in a namespace; see
 * {@link TapTopology} and {@link VethTopology} for the servers.
 *
 * <p>Run with {@code ./virtaio bench tap} (root, /dev/net/tun, iproute2). Everything is set up and removed by the
 * run, in namespaces named {@value #PREFIX}-&lt;pid&gt;-&lt;n&gt;, addresses from 198.18.0.0/15.
 */
public final class TapBench {
    static final String PREFIX = "vbench";
    static final int DISCARD_PORT = 9;
    static final int ECHO_PORT = 7;

    /**
     * What to run.
     *
     * @param bulkBytes  bytes per bulk connection
     * @param runs       bulk connections per topology (each a separate measurement), after one more that warms up
     * @param warmup     round trips before the measured ones (JIT, caches)
     * @param roundTrips measured round trips
     * @param size       bytes per round-trip message
     * @param mtu        MTU of the TAP and of the veth pair
     */
    public record Options(long bulkBytes, int runs, int warmup, int roundTrips, int size, int mtu) {
        public Options {
            if (bulkBytes < 1 || runs < 1 || warmup < 0 || roundTrips < 1 || size < 1) {
                throw new IllegalArgumentException("bytes, runs, round trips and size must be positive");
            }
        }
    }

    /**
     * The measurements of one topology.
     *
     * @param gbits    goodput of each bulk run
     * @param p50Ns    round-trip time, median
     * @param p99Ns    99th percentile
     * @param p999Ns   99.9th percentile
     * @param meanNs   mean
     * @param counters the server side's notable counters after the runs, and the client's TCP segments sent and
     *                 retransmitted ({@code client.OutSegs}, {@code client.RetransSegs}: its namespace's
     *                 /proc/net/snmp after the bulk runs)
     */
    public record Row(String topology, String server, int mtu, List<Double> gbits, long p50Ns, long p99Ns,
                      long p999Ns, double meanNs, Map<String, Long> counters) {
        public Row {
            gbits = List.copyOf(gbits);
            counters = Collections.unmodifiableMap(new TreeMap<>(counters));
        }
    }

    private TapBench() {
    }

    /** Runs both topologies, TAP first, and returns their rows; progress goes to {@code log}. */
    public static List<Row> run(Options options, PrintWriter log) throws IOException, InterruptedException {
        List<String> stale = NetNamespace.reapStale(PREFIX);
        if (!stale.isEmpty()) {
            log.println("tap bench: deleted the namespaces of runs that were killed: " + stale);
        }
        List<Row> rows = new ArrayList<>();
        for (String name : List.of("tap", "veth")) {
            log.printf(Locale.ROOT, "tap bench: %s ...%n", name);
            log.flush();
            try (Topology t = name.equals("tap") ? TapTopology.open(options.mtu())
                    : VethTopology.open(options.mtu())) {
                rows.add(measure(t, options));
            }
        }
        return rows;
    }

    private static Row measure(Topology t, Options o) throws IOException, InterruptedException {
        List<Double> gbits = new ArrayList<>();
        // One run more than measured: the first warms up the JIT of client and server alike, and is not reported.
        List<String> bulk = client(t.clientNamespace(), "bulk", t.serverAddress(), Integer.toString(DISCARD_PORT),
                Long.toString(o.bulkBytes()), Integer.toString(o.runs() + 1));
        for (String line : bulk.subList(1, bulk.size())) {
            String[] f = line.split(" ");
            gbits.add(Long.parseLong(f[1]) * 8.0 / Long.parseLong(f[2]));
        }
        Map<String, Long> counters = new TreeMap<>(t.counters());
        counters.putAll(clientTcp(t.clientNamespace()));
        String[] rtt = client(t.clientNamespace(), "rtt", t.serverAddress(), Integer.toString(ECHO_PORT),
                Integer.toString(o.size()), Integer.toString(o.warmup()), Integer.toString(o.roundTrips()))
                .getFirst().split(" ");
        return new Row(t.name(), t.server(), t.mtu(), gbits, Long.parseLong(rtt[2]), Long.parseLong(rtt[3]),
                Long.parseLong(rtt[4]), Double.parseDouble(rtt[5]), counters);
    }

    /**
     * The TCP segments the client's namespace sent and retransmitted (its /proc/net/snmp "Tcp:" lines; the
     * namespace is new, so these count this run only): how often the kernel's sender found a frame lost.
     */
    private static Map<String, Long> clientTcp(NetNamespace ns) throws IOException {
        List<String> tcp = ns.exec(Duration.ofSeconds(10), "cat", "/proc/net/snmp").lines().stream()
                .filter(l -> l.startsWith("Tcp:")).toList();
        if (tcp.size() != 2) {
            throw new IOException("no Tcp: lines in /proc/net/snmp of " + ns.name());
        }
        List<String> names = List.of(tcp.get(0).split("\\s+"));
        List<String> values = List.of(tcp.get(1).split("\\s+"));
        Map<String, Long> m = new TreeMap<>();
        for (String key : List.of("OutSegs", "RetransSegs")) {
            m.put("client." + key, Long.parseLong(values.get(names.indexOf(key))));
        }
        return m;
    }

    /** Runs {@link LinuxPeer} with {@code args} in {@code ns} and returns what it printed. */
    private static List<String> client(NetNamespace ns, String... args) throws IOException, InterruptedException {
        Process p = ns.start(peerCommand(args));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("client " + String.join(" ", args) + " failed: " + out
                    + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return out.lines().filter(l -> l.startsWith(args[0] + " ")).toList();
    }

    /** The command line of a {@link LinuxPeer}: this JVM's java and class path, C2 on. */
    static String[] peerCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), LinuxPeer.class.getName()));
        cmd.addAll(List.of(args));
        return cmd.toArray(String[]::new);
    }

    /** The table, the workloads and the machine. */
    public static void print(List<Row> rows, Options o, PrintWriter out) {
        out.println();
        out.printf(Locale.ROOT, "One TCP connection, Linux client (JDK sockets) -> server. Bulk: %d MiB of 64 KiB "
                + "writes per run, %d runs after one to warm up. Round trip: %d bytes each way, %d measured after %d.%n",
                o.bulkBytes() >> 20, o.runs(), o.size(), o.roundTrips(), o.warmup());
        out.printf(Locale.ROOT, "%-6s %-9s %6s %-26s %9s %9s %9s %9s%n", "path", "server", "MTU", "Gbit/s (each run)",
                "rtt p50", "p99", "p99.9", "mean");
        for (Row r : rows) {
            StringBuilder runs = new StringBuilder();
            for (double g : r.gbits()) {
                runs.append(runs.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", g));
            }
            out.printf(Locale.ROOT, "%-6s %-9s %6d %-26s %7.1f us %6.1f us %6.1f us %6.1f us%n", r.topology(),
                    r.server(), r.mtu(), runs, r.p50Ns() / 1e3, r.p99Ns() / 1e3, r.p999Ns() / 1e3, r.meanNs() / 1e3);
        }
        for (Row r : rows) {
            out.println(r.topology() + " counters: " + r.counters());
        }
        out.printf(Locale.ROOT, "machine: %d cores, %s %s, Java %s, load average %.2f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.version"), Runtime.version(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.flush();
    }
}
