package io.virtaio.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.bench.serve.HttpResponse;
import io.virtaio.virtio.netns.CommandResult;
import io.virtaio.virtio.netns.HostCommands;
import io.virtaio.virtio.netns.NetNamespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./virtaio serve} as a user runs it, in a JVM of its own: it says where it listens, answers curl through
 * the namespace, and on SIGTERM prints its counters and removes what it made — the TAP always, the namespace only if
 * it created it.
 */
@LinuxInterop
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ServeCommandTest {
    /** Named like the namespaces of {@code NetNamespace.create}, so that the reaper finds it if this JVM dies. */
    private static final String OWN_NAMESPACE = TapLink.PREFIX + "-" + ProcessHandle.current().pid() + "-900001";

    /** A serve process and its merged output, line by line. */
    private static final class Serve implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final List<String> all = new ArrayList<>();
        final Thread pump;

        Serve(String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "io.virtaio.bench.cli.Main", "serve"));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            pump = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process is gone; what it printed is what there is
                }
            });
        }

        String awaitLine(String prefix) throws InterruptedException {
            while (true) {
                String line = lines.poll(60, TimeUnit.SECONDS);
                if (line == null) {
                    throw new AssertionError("serve printed no \"" + prefix + "...\"; so far " + all);
                }
                all.add(line);
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }

        /**
         * SIGTERM, then everything it printed until it exited, and its status. Through the ProcessHandle:
         * Process.destroy would also close our end of its output, and lose what the shutdown hook prints.
         */
        int terminate() throws InterruptedException {
            assertTrue(process.toHandle().destroy(), "SIGTERM sent");
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "serve did not exit on SIGTERM: " + all);
            pump.join(Duration.ofSeconds(10));           // it ends at the end of the output
            lines.drainTo(all);
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void serveCreatesItsNamespaceAnswersCurlAndRemovesEverythingOnSigterm() throws Exception {
        LinuxInteropExtension.require(LinuxInteropExtension.tools("curl"));
        Path pcap = Path.of("target", "captures", "serve.pcapng");
        Files.createDirectories(pcap.getParent());
        Files.deleteIfExists(pcap);
        assertFalse(NetNamespace.list().contains(OWN_NAMESPACE));
        try (Serve serve = new Serve("--netns", OWN_NAMESPACE, "--ip", "198.18.0.2/24", "--http",
                "--pcap", pcap.toString())) {
            assertEquals("serve: http on 198.18.0.2:80 over TAP vtap0 (MTU 1500) in network namespace "
                    + OWN_NAMESPACE + " (created; removed on exit)", serve.awaitLine("serve: http").replaceAll(
                            "vtap\\d+ \\(", "vtap0 ("));
            serve.awaitLine("serve: pcap");
            NetNamespace ns = NetNamespace.existing(OWN_NAMESPACE);
            CommandResult curl = ns.exec(Duration.ofSeconds(30), "curl", "-sS", "--fail", "http://198.18.0.2/");
            assertEquals(0, curl.exitCode(), curl.describe());
            assertEquals(HttpResponse.page(), curl.stdout());

            assertEquals(143, serve.terminate(), "128 + SIGTERM, after the hook: " + serve.all);
            assertTrue(serve.all.stream().anyMatch(l -> l.startsWith("serve: stopped after")), serve.all.toString());
            assertTrue(serve.all.contains("  server.requests=1"), serve.all.toString());
            assertTrue(serve.all.contains("  server.accepted=1"), serve.all.toString());
            assertTrue(serve.all.stream().anyMatch(l -> l.startsWith("  tap.tx.written=")), serve.all.toString());
            assertFalse(NetNamespace.list().contains(OWN_NAMESPACE), "the namespace serve created is gone");
            assertTrue(Files.size(pcap) > 0, "the capture was written");
        } finally {
            // Had serve failed to remove it, the assertion above says so; the namespace goes anyway.
            HostCommands.run("ip", "netns", "del", OWN_NAMESPACE);
        }
    }

    @Test
    void aNamespaceServeDidNotCreateOutlivesItButTheTapDoesNot() throws Exception {
        LinuxInteropExtension.require(LinuxInteropExtension.tools("ping"));
        try (NetNamespace ns = NetNamespace.create(TapLink.PREFIX);
                Serve serve = new Serve("--netns", ns.name(), "--ip", "198.18.0.2/24", "--echo")) {
            String where = serve.awaitLine("serve: echo");
            assertTrue(where.endsWith("in network namespace " + ns.name()), where);
            String dev = where.replaceFirst(".* over TAP (\\S+) .*", "$1");
            assertTrue(ns.ip("-o", "link", "show").contains(dev + ":"), "the TAP is in the namespace");
            CommandResult ping = ns.exec(Duration.ofSeconds(30), "ping", "-n", "-c", "2", "-i", "0.2", "-W", "5",
                    "198.18.0.2");
            assertEquals(0, ping.exitCode(), ping.describe());

            assertEquals(143, serve.terminate(), serve.all.toString());
            assertTrue(NetNamespace.list().contains(ns.name()), "a namespace serve found is left in place");
            assertFalse(ns.ip("-o", "link", "show").contains(dev + ":"), "the TAP is gone with serve");
            assertTrue(serve.all.contains("  icmp.tx.echo_replies=2"), serve.all.toString());
        }
    }
}
