package io.virtaio.interop;

import io.virtaio.virtio.netns.NetNamespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A small JDK program from {@code src/test/resources/interop}, run with the source launcher of this JVM's JDK inside
 * a namespace: a Linux-side peer that needs no package beyond the JDK the build already uses. Its output is
 * collected line by line; {@link #close()} kills it if it still runs.
 */
final class JavaPeer implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final StringBuffer stderr = new StringBuffer();

    private JavaPeer(Process process) {
        this.process = process;
        Thread.ofVirtual().start(() -> pump(process.getInputStream(), true));
        Thread.ofVirtual().start(() -> pump(process.getErrorStream(), false));
    }

    /** Starts {@code program} (e.g. "UdpPeer.java") with {@code args} in {@code ns}. */
    static JavaPeer start(NetNamespace ns, String program, String... args) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path source;
        try {
            source = Path.of(JavaPeer.class.getResource("/interop/" + program).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("test resource interop/" + program + " not found", e);
        }
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx64m", "-XX:TieredStopAtLevel=1",
                source.toString()));
        command.addAll(List.of(args));
        return new JavaPeer(ns.start(command.toArray(String[]::new)));
    }

    private void pump(java.io.InputStream in, boolean out) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (out) {
                    lines.add(line);
                } else {
                    stderr.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            // the process died; what it printed is what there is
        }
    }

    /** Waits for a line of standard output starting with {@code prefix} and returns it. */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("peer printed no \"" + prefix + "...\" within " + timeout + "; "
                        + describe());
            }
            seen.add(line);
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Waits for the peer to exit and returns its status. */
    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("peer still running after " + timeout + "; " + describe());
        }
        return process.exitValue();
    }

    /** Everything it printed so far, for assertion messages. */
    String describe() {
        List<String> out = new ArrayList<>(seen);
        lines.drainTo(out);
        seen.clear();
        seen.addAll(out);
        return "stdout " + out + ", stderr [" + stderr.toString().strip() + "]"
                + (process.isAlive() ? "" : ", exit " + process.exitValue());
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
