package io.virtaio.bench.cli;

import io.virtaio.bench.tap.TapBench;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code virtaio bench tap}: {@link TapBench} — our stack through a TAP against Linux over a veth, one table. */
@Command(name = "tap", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"One TCP connection, a Linux client against our stack through a TAP, and against a Linux "
                + "server over a veth pair in the same run: bulk goodput and 64-byte round-trip latency.",
            "Needs root, /dev/net/tun and iproute2; makes and removes its own namespaces (198.18.0.0/15)."})
final class TapBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bytes", defaultValue = "1G", paramLabel = "N",
            description = "Bytes per bulk run, K/M/G binary suffixes (default: ${DEFAULT-VALUE}).")
    String bytes;

    @Option(names = "--runs", defaultValue = "3", paramLabel = "R", description = "Bulk runs (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--round-trips", defaultValue = "50000", paramLabel = "K",
            description = "Measured round trips (default: ${DEFAULT-VALUE}), after as many again to warm up.")
    int roundTrips;

    @Option(names = "--size", defaultValue = "64", paramLabel = "B",
            description = "Bytes per round-trip message (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--mtu", defaultValue = "1500", paramLabel = "M",
            description = "MTU of the TAP and the veth (default: ${DEFAULT-VALUE}; at most 65521, a TAP's limit).")
    int mtu;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        TapBench.Options options;
        try {
            options = new TapBench.Options(Units.bytes(bytes), runs, roundTrips, roundTrips, size, mtu);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("bench tap: " + e.getMessage());
            return 64;
        }
        List<TapBench.Row> rows = TapBench.run(options, out);
        TapBench.print(rows, options, out);
        return 0;
    }
}
