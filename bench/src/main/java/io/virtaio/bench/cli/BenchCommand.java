package io.virtaio.bench.cli;

import io.virtaio.bench.e2e.BenchRunner;
import io.virtaio.aio.loop.Backoff;
import io.virtaio.bench.e2e.IdleCheck;
import io.virtaio.bench.e2e.JdkNio2System;
import io.virtaio.bench.e2e.JdkNioSystem;
import io.virtaio.bench.e2e.Params;
import io.virtaio.bench.e2e.Report;
import io.virtaio.bench.e2e.SystemUnderTest;
import io.virtaio.bench.e2e.VirtaioSystem;
import io.virtaio.bench.e2e.Workload;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.RunnerException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code virtaio bench}: the main job. Runs bulk, rpc and rpc-64 on virtaio (two stacks joined by the in-process
 * virtio-net wire, each on its own loop thread, driven through the POSIX AIO API) and, in the same JVM and run, on the
 * JDK over the kernel's loopback (blocking {@code SocketChannel} and {@code AsynchronousSocketChannel}); prints a table
 * with virtaio / best-JDK ratios, and optionally JSON and a self-contained HTML report.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The main job: end-to-end benchmark of virtaio against the JDK over the kernel's loopback, "
                + "same workloads, same run.",
            "Workloads: bulk (64 KiB aio_write -> aio_read, Gbit/s), rpc (64-byte request/response, one "
                + "outstanding), rpc-64 (64 connections). Systems: virtaio, jdk-nio (SocketChannel), jdk-nio2 "
                + "(AsynchronousSocketChannel).",
            "./virtaio bench tap: our stack through a Linux TAP against Linux over a veth (see bench tap --help)."},
        subcommands = TapBenchCommand.class)
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "A short run (under a minute in total).")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write a self-contained HTML report.")
    Path html;

    @Option(names = "--workloads", split = ",", paramLabel = "W",
            description = "Which workloads (default: bulk,rpc,rpc-64).")
    List<String> workloads = List.of("bulk", "rpc", "rpc-64");

    @Option(names = "--systems", split = ",", paramLabel = "S",
            description = "Which systems (default: virtaio,jdk-nio,jdk-nio2).")
    List<String> systems = List.of("virtaio", "jdk-nio", "jdk-nio2");

    @Option(names = "--queue-size", defaultValue = "256", paramLabel = "N",
            description = "virtaio: virtqueue size (default: ${DEFAULT-VALUE}).")
    int queueSize;

    @Option(names = "--mtu", defaultValue = "65535", paramLabel = "M",
            description = "virtaio: device MTU (default: ${DEFAULT-VALUE}, as the kernel's loopback).")
    int mtu;

    @Option(names = "--event-idx", defaultValue = "on", paramLabel = "on|off",
            description = "virtaio: negotiate VIRTIO_F_EVENT_IDX (default: ${DEFAULT-VALUE}).")
    String eventIdx;

    @Option(names = "--indirect", defaultValue = "on", paramLabel = "on|off",
            description = "virtaio: negotiate VIRTIO_F_INDIRECT_DESC (default: ${DEFAULT-VALUE}).")
    String indirect;

    @Option(names = "--completions", defaultValue = "inline", paramLabel = "inline|executor",
            description = "virtaio: SIGEV_THREAD functions run inline on the event loop, or on a virtual thread "
                    + "each (default: ${DEFAULT-VALUE}).")
    String completions;

    @Option(names = "--poll", defaultValue = "park", paramLabel = "park|busy",
            description = "virtaio: idle loops spin, yield, then park; or busy-poll forever (default: "
                    + "${DEFAULT-VALUE}).")
    String poll;

    @Option(names = "--spins", paramLabel = "N",
            description = "virtaio: idle rounds a loop spins before it yields (default: " + Backoff.DEFAULT_SPINS
                    + ").")
    Integer spins;

    @Option(names = "--yields", paramLabel = "N",
            description = "virtaio: idle rounds a loop yields before it parks (default: " + Backoff.DEFAULT_YIELDS
                    + ").")
    Integer yields;

    @Option(names = "--pin", defaultValue = "off", paramLabel = "on|off",
            description = "virtaio: each stack's loop thread on a CPU of its own (sched_setaffinity; default: "
                    + "${DEFAULT-VALUE}).")
    String pin;

    @Option(names = "--ring", description = "Run the virtqueue ring benchmark (RingBench) instead, in short form.")
    boolean ring;

    @Option(names = "--no-gc", description = "With --ring: skip the GC profiler.")
    boolean noGc;

    @Override
    public Integer call() throws IOException, RunnerException {
        if (ring) {
            return new RingBenchRun(quick, noGc).call();
        }
        VirtaioSystem.Knobs knobs;
        List<Workload> ws = new ArrayList<>();
        List<SystemUnderTest> ss = new ArrayList<>();
        try {
            boolean park = choice("--poll", poll, "park", "busy");
            if (!park && (spins != null || yields != null)) {
                throw new IllegalArgumentException("--spins and --yields apply to --poll park only");
            }
            Backoff backoff = park ? new Backoff(spins == null ? Backoff.DEFAULT_SPINS : spins,
                    yields == null ? Backoff.DEFAULT_YIELDS : yields) : VirtaioSystem.Knobs.BUSY_POLL;
            knobs = new VirtaioSystem.Knobs(queueSize, mtu, onOff("--event-idx", eventIdx), onOff("--indirect", indirect),
                    choice("--completions", completions, "inline", "executor"), backoff, onOff("--pin", pin));
            for (String w : workloads) {
                ws.add(Workload.of(w.trim()));
            }
            for (String s : systems) {
                ss.add(switch (s.trim()) {
                    case "virtaio" -> new VirtaioSystem(knobs);
                    case "jdk-nio" -> new JdkNioSystem();
                    case "jdk-nio2" -> new JdkNio2System();
                    default -> throw new IllegalArgumentException("unknown system '" + s + "' (virtaio, jdk-nio, "
                            + "jdk-nio2)");
                });
            }
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("bench: " + e.getMessage());
            return 64;
        }
        Params params = quick ? Params.QUICK : Params.FULL;
        boolean terminal = System.console() != null;
        System.out.printf(Locale.ROOT, "virtaio bench%s: %s on %s%n", quick ? " --quick" : "",
                String.join(", ", workloads), String.join(", ", systems));
        System.out.printf(Locale.ROOT, "virtaio: two stacks on the in-process virtio-net wire, queue %d, MTU %d, "
                + "event-idx %s, indirect %s, completions %s, loops %s%s%n", queueSize, mtu, eventIdx, indirect,
                completions, knobs.busyPoll() ? "busy-poll" : "spin " + knobs.backoff().spins() + "/yield "
                + knobs.backoff().yields() + "/park", knobs.pin() ? ", pinned" : "");
        Report report = BenchRunner.run(ss, ws, params, System.out, terminal);
        for (SystemUnderTest s : ss) {
            s.close();
        }
        for (SystemUnderTest s : ss) {
            if (s instanceof VirtaioSystem v && !knobs.busyPoll()) {
                try {
                    double idle = IdleCheck.percentOfCore(v::idleRuntime, 1_000_000_000L, 2_000_000_000L);
                    report.setIdlePercent(idle);
                } catch (Exception e) {
                    System.out.println("idle check failed: " + e);
                }
            }
        }
        System.out.println();
        System.out.print(report.table());
        if (knobs.busyPoll() && systems.contains(Report.VIRTAIO)) {
            System.out.println("idle: not measured (--poll busy: the loops never park, so an idle runtime keeps "
                    + "its cores busy)");
        }
        if (json != null) {
            report.writeJson(json);
            System.out.println("json: " + json);
        }
        if (html != null) {
            report.writeHtml(html);
            System.out.println("html: " + html);
        }
        return 0;
    }

    private static boolean onOff(String option, String value) {
        return choice(option, value, "on", "off");
    }

    /** True for {@code first}, false for {@code second}, else a clear error. */
    private static boolean choice(String option, String value, String first, String second) {
        if (value.equals(first)) {
            return true;
        }
        if (value.equals(second)) {
            return false;
        }
        throw new IllegalArgumentException(option + " takes " + first + " or " + second + ", not '" + value + "'");
    }
}
