package io.virtaio.bench.cli;

import io.virtaio.netstack.sim.LossStage;
import io.virtaio.netstack.sim.TransferScenario;
import io.virtaio.virtio.backend.LinkModel;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code virtaio sim}: a TCP transfer between two stacks on virtio-net devices joined by a modelled wire, in virtual
 * time. Prints one summary line (stable format, other tools parse it) and then the counters.
 */
@Command(name = "sim", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Transfers bytes over TCP between two stacks joined by the in-process virtio-net wire, in "
                + "virtual time, and verifies them with SHA-256.",
            "Exits 1 on a mismatch, 2 if the transfer stalls (no progress for 10 virtual minutes)."})
public final class SimCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bytes", defaultValue = "100M", paramLabel = "N",
            description = "Bytes to send from A to B, with K/M/G binary suffixes (default: ${DEFAULT-VALUE}).")
    String bytes;

    @Option(names = "--mtu", defaultValue = "65535", paramLabel = "M",
            description = "Device MTU (default: ${DEFAULT-VALUE}, 64 KiB frames as Linux puts on a veth with GSO).")
    int mtu;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "Seeds the payload, the stacks and the loss (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--loss", defaultValue = "0", paramLabel = "P",
            description = "Probability that the wire drops a frame, each direction (e.g. 0.01; default: 0).")
    double loss;

    @Option(names = "--rate", defaultValue = "1gbit", paramLabel = "R",
            description = "Link rate per direction: 1gbit, 10gbit, 200mbit, unlimited (default: ${DEFAULT-VALUE}).")
    String rate;

    @Option(names = "--delay", defaultValue = "100us", paramLabel = "D",
            description = "One-way propagation delay: 100us, 1ms, 0 (default: ${DEFAULT-VALUE}).")
    String delay;

    @Option(names = "--conns", defaultValue = "1", paramLabel = "C",
            description = "Parallel connections sharing the bytes (default: ${DEFAULT-VALUE}).")
    int connections;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        long n;
        long rateBits;
        long delayNs;
        try {
            n = Units.bytes(bytes);
            rateBits = Units.rate(rate);
            delayNs = Units.duration(delay);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("sim: " + e.getMessage());
            return 64;
        }
        if (!(loss >= 0 && loss < 1)) {
            spec.commandLine().getErr().println("sim: --loss must be in [0, 1): " + loss);
            return 64;
        }
        LinkModel link = new LinkModel(rateBits, delayNs, LinkModel.DEFAULT.queueLimitBytes());
        TransferScenario.Options options = TransferScenario.Options.of(n).withMtu(mtu).withSeed(seed).withLink(link)
                .withConnections(connections).withImpairment(LossStage.egressLoss(loss));
        TransferScenario.Result r = TransferScenario.run(options);
        out.println(summary(n, r));
        Map<String, Long> counters = new TreeMap<>();
        r.countersA().forEach((k, v) -> counters.put("a." + k, v));
        r.countersB().forEach((k, v) -> counters.put("b." + k, v));
        out.printf(Locale.ROOT, "goodput_mbps=%.1f virtual_s=%.3f speedup=%.1fx%n", r.goodputBitsPerSecond() / 1e6,
                r.virtualNs() / 1e9, r.wallNs() == 0 ? 0 : (double) r.virtualNs() / r.wallNs());
        for (String f : r.failures()) {
            out.println("failure: " + f);
        }
        for (String key : new String[] {"tcp.retransRto", "tcp.retransFast", "tcp.retransTlp", "tcp.sackRecoveries",
            "tcp.segsOut", "tcp.segsIn", "tcp.dupAcks", "tcp.outOfOrderSegs"}) {
            out.printf(Locale.ROOT, "%s=%d%n", key, r.total(key));
        }
        counters.forEach((k, v) -> {
            if (v != 0) {
                out.printf(Locale.ROOT, "%s=%d%n", k, v);
            }
        });
        out.flush();
        if (r.stalled()) {
            return 2;
        }
        return r.intact() ? 0 : 1;
    }

    /** {@code sim: bytes=N sha256=ok|MISMATCH virtual_ms=… wall_ms=… retransmits=…} — keep this format. */
    static String summary(long bytes, TransferScenario.Result r) {
        return String.format(Locale.ROOT, "sim: bytes=%d sha256=%s virtual_ms=%.3f wall_ms=%d retransmits=%d",
                bytes, r.intact() ? "ok" : "MISMATCH", r.virtualNs() / 1e6, r.wallNs() / 1_000_000,
                r.total("tcp.retransSegs"));
    }
}
