package io.virtaio.bench.cli;

import io.virtaio.netstack.sim.FaultInjection;
import io.virtaio.netstack.sim.Swarm;
import io.virtaio.netstack.sim.TransferScenario;
import io.virtaio.virtio.backend.LinkModel;
import io.virtaio.virtio.backend.PcapWriter;
import io.virtaio.virtio.fault.FaultSchedule;
import io.virtaio.virtio.fault.FaultSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code virtaio sim}: TCP transfers between two stacks on virtio-net devices joined by a modelled wire, in virtual
 * time, with seeded faults. Prints one summary line (stable format; other tools parse it), then the fault and
 * recovery counters.
 */
@Command(name = "sim", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Transfers bytes over TCP between two stacks joined by the in-process virtio-net wire, in "
                + "virtual time, under seeded faults, and verifies every byte with SHA-256.",
            "Exit status: 0 ok, 1 corruption or loss, 2 stall (no progress for 10 virtual minutes), 3 a "
                + "determinism check failed, 64 bad arguments."})
public final class SimCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bytes", defaultValue = "100M", paramLabel = "N",
            description = "Bytes to send from A to B in total, with K/M/G binary suffixes (default: ${DEFAULT-VALUE}).")
    String bytes;

    @Option(names = "--conns", defaultValue = "1", paramLabel = "C",
            description = "Parallel connections sharing the bytes (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--mtu", defaultValue = "65535", paramLabel = "M",
            description = "Device MTU (default: ${DEFAULT-VALUE}: 64 KiB frames, as Linux puts on a veth with GSO).")
    int mtu;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "Seeds the payload, the stacks and every fault (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--loss", defaultValue = "0", paramLabel = "P",
            description = "Probability that the wire drops a frame, each direction (e.g. 0.01); same as "
                    + "--faults loss=P.")
    double loss;

    @Option(names = "--faults", paramLabel = "SPEC",
            description = "Faults on the link and the device, e.g. loss=2%%,dup=1%%,reorder=2%%:5ms,corrupt=0.1%%,"
                    + "delay=1ms~0.3ms,rate=200mbit,down=3s+500ms,kick-loss=1%%,reset=4s (see the README).")
    String faults;

    @Option(names = "--heal-at", paramLabel = "D",
            description = "Stop the network faults at this virtual time (e.g. 2s); default: never.")
    String healAt;

    @Option(names = "--rate", defaultValue = "1gbit", paramLabel = "R",
            description = "Link rate per direction: 1gbit, 10gbit, 200mbit, unlimited (default: ${DEFAULT-VALUE}).")
    String rate;

    @Option(names = "--delay", defaultValue = "100us", paramLabel = "D",
            description = "One-way propagation delay: 100us, 1ms, 0 (default: ${DEFAULT-VALUE}).")
    String delay;

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "Write host A's side of the link as pcapng, fault-injected frames marked in comments.")
    Path pcap;

    @Option(names = "--check-determinism",
            description = "Run twice and check the digest and every counter are identical.")
    boolean checkDeterminism;

    @Option(names = "--swarm", paramLabel = "K", defaultValue = "0",
            description = "Run K seeds from --seed on, each drawing its own fault mix for --fault-phase, then healed.")
    int swarm;

    @Option(names = "--fault-phase", defaultValue = "50ms", paramLabel = "D",
            description = "With --swarm: how long each seed's faults last (default: ${DEFAULT-VALUE}).")
    String faultPhase;

    private PrintWriter out;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TransferScenario.Options base;
        FaultSpec faultSpec;
        FaultSchedule schedule = FaultSchedule.NONE;
        try {
            long n = Units.bytes(bytes);
            LinkModel link = new LinkModel(Units.rate(rate), Units.duration(delay), LinkModel.DEFAULT.queueLimitBytes());
            if (!(loss >= 0 && loss < 1)) {
                throw new IllegalArgumentException("--loss must be in [0, 1): " + loss);
            }
            if (loss > 0 && faults != null) {
                throw new IllegalArgumentException("give --loss or --faults, not both (--faults loss=P is the same)");
            }
            String text = faults != null ? faults : loss > 0 ? "loss=" + loss : "none";
            faultSpec = FaultSpec.parse(text);
            if (healAt != null) {
                schedule = FaultSchedule.NONE.healAt(Units.duration(healAt));
            }
            base = TransferScenario.Options.of(n).withConnections(connections).withMtu(mtu).withLink(link);
            if (swarm > 0) {
                return swarm(base, Units.duration(faultPhase));
            }
        } catch (IllegalArgumentException e) {
            err.println("sim: " + e.getMessage());
            return 64;
        }
        Outcome first = once(base.withSeed(seed), faultSpec, schedule, pcap);
        print(first, true);
        int status = first.status();
        if (checkDeterminism) {
            Path second = pcap == null ? null : pcap.resolveSibling(pcap.getFileName() + ".second");
            Outcome again = once(base.withSeed(seed), faultSpec, schedule, second);
            boolean same = first.digest.equals(again.digest) && first.counters.equals(again.counters)
                    && first.result.virtualNs() == again.result.virtualNs();
            out.printf(Locale.ROOT, "determinism: %s (digest %s %s)%n", same ? "ok" : "MISMATCH",
                    first.digest.substring(0, 16), same ? "twice" : "then " + again.digest.substring(0, 16));
            if (second != null) {
                try {
                    Files.deleteIfExists(second);
                } catch (IOException e) {
                    // Leave it: it is only the copy made for the comparison.
                }
            }
            if (!same && status == 0) {
                status = 3;
            }
        }
        if (status != 0) {
            out.println("reproduce: ./virtaio sim " + reproduceArgs(seed));
        }
        out.flush();
        return status;
    }

    /** One run and everything printed about it. */
    private record Outcome(TransferScenario.Result result, FaultInjection faults, String digest,
                           Map<String, Long> counters, String captureError) {
        int status() {
            if (result.stalled()) {
                return 2;
            }
            return result.intact() ? 0 : 1;
        }
    }

    private Outcome once(TransferScenario.Options options, FaultSpec faultSpec, FaultSchedule schedule, Path file) {
        PcapWriter writer = null;
        String captureError = null;
        if (file != null) {
            try {
                writer = PcapWriter.open(file, PcapWriter.Format.PCAPNG);
            } catch (IOException e) {
                captureError = "cannot write " + file + ": " + e.getMessage();
            }
        }
        FaultInjection injection = new FaultInjection(faultSpec, schedule, options.mtu(), writer);
        TransferScenario.Result r = TransferScenario.run(options.withImpairment(injection));
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                captureError = "cannot finish " + file + ": " + e.getMessage();
            }
        }
        Map<String, Long> counters = new TreeMap<>();
        r.countersA().forEach((k, v) -> counters.put("a." + k, v));
        r.countersB().forEach((k, v) -> counters.put("b." + k, v));
        counters.putAll(injection.counters());
        String digest = file != null && captureError == null ? sha256(file) : eventDigest(r, injection, counters);
        return new Outcome(r, injection, digest, counters, captureError);
    }

    private void print(Outcome o, boolean details) {
        TransferScenario.Result r = o.result;
        out.println(summary(Units.bytes(bytes), r) + " digest=" + o.digest);
        if (!details) {
            return;
        }
        out.printf(Locale.ROOT, "goodput_mbps=%.1f virtual_s=%.3f wall_s=%.3f speedup=%.1fx%n",
                r.goodputBitsPerSecond() / 1e6, r.virtualNs() / 1e9, r.wallNs() / 1e9,
                r.wallNs() == 0 ? 0 : (double) r.virtualNs() / r.wallNs());
        if (o.captureError != null) {
            out.println("capture: " + o.captureError);
        }
        for (String f : r.failures()) {
            out.println("failure: " + f);
        }
        out.println("# TCP recovery (both hosts)");
        for (String key : new String[] {"tcp.retransSegs", "tcp.retransRto", "tcp.retransFast", "tcp.retransTlp",
            "tcp.tlpProbes", "tcp.sackRecoveries", "tcp.renoRecoveries", "tcp.dupAcks", "tcp.outOfOrderSegs",
            "tcp.dropChecksum", "tcp.segsOut", "tcp.segsIn"}) {
            out.printf(Locale.ROOT, "%s=%d%n", key, r.total(key));
        }
        out.println("# injected faults");
        o.faults.counters().forEach((k, v) -> {
            if (v != 0) {
                out.printf(Locale.ROOT, "%s=%d%n", k, v);
            }
        });
        out.println("# hosts");
        o.counters.forEach((k, v) -> {
            if (v != 0 && !k.startsWith("fault.") && !k.startsWith("device_fault.")) {
                out.printf(Locale.ROOT, "%s=%d%n", k, v);
            }
        });
    }

    private int swarm(TransferScenario.Options base, long phaseNs) {
        List<Long> failed = new ArrayList<>();
        for (int i = 0; i < swarm; i++) {
            long s = seed + i;
            Swarm.Case c = Swarm.draw(s, phaseNs);
            List<String> failures = new ArrayList<>();
            try {
                TransferScenario.Result r = Swarm.run(c, base);
                out.printf(Locale.ROOT, "swarm: seed=%d %s faults=%s%n", s, summary(base.bytes(), r).substring(5),
                        c.spec());
                if (!r.intact() || r.stalled()) {
                    failures.addAll(r.failures());
                    if (r.stalled()) {
                        failures.add("stalled: no progress for 10 virtual minutes");
                    }
                }
            } catch (RuntimeException e) {
                out.printf(Locale.ROOT, "swarm: seed=%d ERROR %s faults=%s%n", s, e, c.spec());
                failures.add(e.toString());
            }
            if (!failures.isEmpty()) {
                failed.add(s);
                for (String f : failures) {
                    out.println("  failure: " + f);
                }
                out.println("  reproduce: ./virtaio sim --swarm 1 --seed " + s + " --fault-phase " + faultPhase
                        + " --bytes " + bytes + " --conns " + connections + " --mtu " + mtu + " --rate " + rate
                        + " --delay " + delay);
            }
            out.flush();
        }
        out.printf(Locale.ROOT, "swarm: %d seeds, %d failed%s%n", swarm, failed.size(),
                failed.isEmpty() ? "" : " " + failed);
        out.flush();
        return failed.isEmpty() ? 0 : 1;
    }

    private String reproduceArgs(long s) {
        StringBuilder sb = new StringBuilder();
        sb.append("--seed ").append(s).append(" --bytes ").append(bytes).append(" --conns ").append(connections)
                .append(" --mtu ").append(mtu).append(" --rate ").append(rate).append(" --delay ").append(delay);
        if (faults != null) {
            sb.append(" --faults '").append(faults).append('\'');
        } else if (loss > 0) {
            sb.append(" --loss ").append(loss);
        }
        if (healAt != null) {
            sb.append(" --heal-at ").append(healAt);
        }
        return sb.toString();
    }

    /** {@code sim: bytes=N sha256=ok|MISMATCH virtual_ms=… wall_ms=… retransmits=…} — keep this format. */
    static String summary(long bytes, TransferScenario.Result r) {
        return String.format(Locale.ROOT, "sim: bytes=%d sha256=%s virtual_ms=%.3f wall_ms=%d retransmits=%d",
                bytes, r.intact() ? "ok" : "MISMATCH", r.virtualNs() / 1e6, r.wallNs() / 1_000_000,
                r.total("tcp.retransSegs"));
    }

    /** Without a capture: SHA-256 over the fault events, every counter, the virtual time and the payload. */
    private static String eventDigest(TransferScenario.Result r, FaultInjection f, Map<String, Long> counters) {
        MessageDigest d = sha256();
        d.update(ByteBuffer.allocate(16).putLong(f.eventDigest()).putLong(r.virtualNs()).flip());
        d.update(counters.toString().getBytes(StandardCharsets.UTF_8));
        d.update(r.digest().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d.digest());
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(sha256().digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            return "unreadable:" + e.getMessage();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
