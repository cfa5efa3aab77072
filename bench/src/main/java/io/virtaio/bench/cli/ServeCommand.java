package io.virtaio.bench.cli;

import io.virtaio.bench.serve.Cidr;
import io.virtaio.bench.serve.Service;
import io.virtaio.bench.serve.StackServer;
import io.virtaio.bench.serve.TapAttachment;
import io.virtaio.bench.serve.TapNode;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.virtio.fault.FaultSpec;
import io.virtaio.virtio.netns.NetNamespace;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code virtaio serve}: a server on our stack, reached by Linux through a TAP device. Built from the public API
 * only — a {@link TapNode} (an {@code AioRuntime} whose node is on a {@link TapAttachment}) and a {@link StackServer}
 * of channels — so it doubles as an example. Runs until Ctrl-C or SIGTERM, when a shutdown hook
 * prints the counters and removes what serve created (the TAP, and the namespace if it made it).
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs an echo, discard or HTTP server on the virtaio stack over a Linux TAP device, "
                + "optionally moved into a network namespace, until Ctrl-C or SIGTERM; then prints its counters.",
            "Example:  ./virtaio serve --netns demo --ip 198.18.0.2/24 --peer-ip 198.18.0.1/24 --http",
            "          ip netns exec demo curl http://198.18.0.2/",
            "Exit status: 64 for bad arguments, 1 if the set-up failed (needs root and /dev/net/tun)."})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tap", defaultValue = "vtap%d", paramLabel = "NAME",
            description = "TAP interface name; %%d lets the kernel number it (default: ${DEFAULT-VALUE}).")
    String tapName;

    @Option(names = "--ip", required = true, paramLabel = "ADDR/PREFIX",
            description = "Our stack's address, e.g. 198.18.0.2/24.")
    String ip;

    @Option(names = "--gw", paramLabel = "ADDR", description = "Our stack's default gateway (default: none).")
    String gateway;

    @Option(names = "--netns", paramLabel = "NS",
            description = "Move the TAP into network namespace NS, creating it if needed (and then removing it on "
                    + "exit).")
    String netns;

    @Option(names = "--peer-ip", paramLabel = "ADDR/PREFIX",
            description = "The kernel side's address on the TAP. Default with --netns: the first other address of "
                    + "--ip's subnet; without --netns: none (configure it yourself).")
    String peerIp;

    @ArgGroup(exclusive = true)
    ServiceChoice choice = new ServiceChoice();

    static final class ServiceChoice {
        @Option(names = "--echo", description = "Echo every byte back (RFC 862; the default, port 7).")
        boolean echo;

        @Option(names = "--discard", description = "Read and discard (RFC 863, port 9).")
        boolean discard;

        @Option(names = "--http", description = "Answer HTTP/1.1 and 1.0 GET with a small page (port 80).")
        boolean http;

        Service service() {
            return http ? Service.HTTP : discard ? Service.DISCARD : Service.ECHO;
        }
    }

    @Option(names = "--port", paramLabel = "P", description = "Port to listen on (default: the service's).")
    Integer port;

    @Option(names = "--mtu", defaultValue = "1500", paramLabel = "M",
            description = "MTU of the TAP and of our device (default: ${DEFAULT-VALUE}).")
    int mtu;

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "Capture our device's traffic as pcapng, checksums completed as on a wire.")
    Path pcap;

    @Option(names = "--faults", paramLabel = "SPEC",
            description = "Faults between the capture and the TAP, e.g. loss=1%%,delay=2ms (see ./virtaio sim).")
    String faults;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seeds the faults and the stack.")
    long seed;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Service service = choice.service();
        Cidr ours;
        Cidr peer;
        TapAttachment.Options options;
        int gw;
        try {
            ours = Cidr.parse(ip);
            peer = peerIp != null ? Cidr.parse(peerIp) : netns != null ? firstOtherHost(ours) : null;
            gw = gateway == null ? 0 : Ipv4Address.parse(gateway);
            if (port != null && (port < 1 || port > 65535)) {
                throw new IllegalArgumentException("--port must be 1..65535: " + port);
            }
            options = new TapAttachment.Options(tapName, mtu, peer, pcap,
                    faults == null ? FaultSpec.NONE : FaultSpec.parse(faults), seed);
        } catch (IllegalArgumentException e) {
            err.println("serve: " + e.getMessage());
            return 64;
        }
        InetSocketAddress local = new InetSocketAddress(ours.host(), port != null ? port : service.defaultPort());

        TapNode node;
        StackServer server;
        try {
            node = TapNode.start(netns == null ? null : NetNamespace.openOrCreate(netns), options,
                    StackConfig.of(ours.address(), ours.prefixLength()).withGateway(gw).withSeed(seed));
        } catch (IOException | RuntimeException e) {
            err.println("serve: cannot set up the TAP and the stack: " + e.getMessage());
            return 1;
        }
        try {
            server = StackServer.start(node.channels(), local, service);
        } catch (IOException | RuntimeException e) {
            err.println("serve: cannot listen on " + local + ": " + e.getMessage());
            closeQuietly(node, err);
            return 1;
        }
        long startNs = System.nanoTime();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("serve-stop").unstarted(() -> {
            try {
                stop(out, err, server, node, System.nanoTime() - startNs);
            } finally {
                stopped.countDown();
            }
        }));
        describe(out, service, local, node.tap(), peer);
        out.flush();
        stopped.await();                    // the JVM exits once the hook is done: this returns only in theory
        return 0;
    }

    /** Where it listens and how to reach it. */
    private void describe(PrintWriter out, Service service, InetSocketAddress local, TapAttachment tap, Cidr peer) {
        String where = tap.namespace() == null ? "this network namespace"
                : "network namespace " + tap.namespace().name() + (tap.namespace().owned()
                        ? " (created; removed on exit)" : "");
        out.printf(Locale.ROOT, "serve: %s on %s:%d over TAP %s (MTU %d) in %s%n", service.label(),
                local.getHostString(), local.getPort(), tap.name(), tap.mtu(), where);
        if (peer == null) {
            out.printf(Locale.ROOT, "serve: the kernel side has no address: ip addr add ADDR/PREFIX dev %s; "
                    + "ip link set %s up%n", tap.name(), tap.name());
        } else {
            String exec = tap.namespace() == null ? "" : "ip netns exec " + tap.namespace().name() + " ";
            out.printf(Locale.ROOT, "serve: kernel side %s; try  %sping -c 3 %s%n", peer, exec, local.getHostString());
            if (service == Service.HTTP) {
                out.printf(Locale.ROOT, "serve:   and  %scurl http://%s:%d/%n", exec, local.getHostString(),
                        local.getPort());
            }
        }
        out.printf(Locale.ROOT, "serve: pcap %s, faults %s; Ctrl-C or SIGTERM stops it%n",
                pcap == null ? "off" : pcap, faults == null ? "none" : faults);
    }

    /** The shutdown hook: stop accepting, read the counters, stop the stack, remove the TAP (and namespace). */
    private static void stop(PrintWriter out, PrintWriter err, StackServer server, TapNode node, long elapsedNs) {
        Map<String, Long> counters = new TreeMap<>();
        try {
            server.close();
            server.counters().toMap().forEach((k, v) -> counters.put("server." + k, v));
            counters.putAll(node.counters());
        } catch (IOException | RuntimeException e) {
            err.println("serve: reading the counters failed: " + e);
        }
        closeQuietly(node, err);
        // After the loop stopped: the fault stage's counters are final now.
        counters.putAll(node.tap().counters());
        out.printf(Locale.ROOT, "%nserve: stopped after %.1f s; counters (zeros left out):%n", elapsedNs / 1e9);
        counters.forEach((k, v) -> {
            if (v != 0) {
                out.printf(Locale.ROOT, "  %s=%d%n", k, v);
            }
        });
        out.flush();
    }

    private static void closeQuietly(TapNode node, PrintWriter err) {
        try {
            node.close();
        } catch (IOException | RuntimeException e) {
            err.println("serve: clean-up failed: " + e.getMessage());
        }
    }

    /** The lowest host address of {@code ours}'s subnet that is not ours: where the kernel side goes by default. */
    static Cidr firstOtherHost(Cidr ours) {
        if (ours.prefixLength() > 30) {
            throw new IllegalArgumentException("--ip " + ours + ": a /31 or /32 leaves no default for the kernel "
                    + "side; give --peer-ip");
        }
        int network = ours.address() & Ipv4Address.mask(ours.prefixLength());
        int first = network + 1;
        return new Cidr(first == ours.address() ? first + 1 : first, ours.prefixLength());
    }
}
