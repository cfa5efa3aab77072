package io.virtaio.virtio.netns;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs host tools (iproute2's {@code ip}, {@code nft}, {@code tc}, {@code tshark}...) with a deadline, collecting
 * their output, and turns failures into {@link CommandException}s that say what ran and what it printed.
 *
 * <p>Control-path code: it forks processes and allocates freely. Thread-safe.
 */
public final class HostCommands {
    private HostCommands() {
    }

    /** The deadline of a command that does not name one: iproute2 answers in milliseconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    private static final List<String> SEARCH_PATH = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin",
            "/usr/local/sbin", "/usr/local/bin");

    /**
     * The absolute path of {@code tool}: looked up in the system directories, then {@code PATH}; null if absent.
     * (Test JVMs may run with a PATH that lacks /usr/sbin, where {@code ip} and {@code nft} live.)
     */
    public static Path find(String tool) {
        List<String> dirs = new ArrayList<>(SEARCH_PATH);
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** {@link #find}, or a CommandException naming the Debian package that has it. */
    public static Path require(String tool, String debianPackage) throws CommandException {
        Path p = find(tool);
        if (p == null) {
            throw new CommandException(tool + " not found (apt-get install " + debianPackage + ")", null, null);
        }
        return p;
    }

    /**
     * Runs {@code argv} and waits for it, up to {@code timeout}; the first element may be a bare tool name, looked
     * up with {@link #find}. Never throws for a nonzero exit: see {@link #check}.
     *
     * @throws CommandException if it cannot be started or does not finish in time (it is then killed)
     */
    public static CommandResult run(Duration timeout, List<String> argv) throws CommandException {
        List<String> command = resolve(argv);
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new CommandException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), null, e);
        }
        // Both pipes drained concurrently, so a chatty command cannot block on a full pipe while we wait.
        Collector out = new Collector(p.getInputStream());
        Collector err = new Collector(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new CommandException(String.join(" ", command) + ": no answer within " + timeout
                        + "; output so far: " + out.text() + err.text(), null, null);
            }
            return new CommandResult(command, p.exitValue(), out.text(), err.text());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandException(String.join(" ", command) + ": interrupted", null, e);
        }
    }

    /** {@link #run} with the default deadline. */
    public static CommandResult run(String... argv) throws CommandException {
        return run(DEFAULT_TIMEOUT, List.of(argv));
    }

    /** Runs {@code argv} and returns its standard output; a nonzero exit is a CommandException with stderr. */
    public static String check(String... argv) throws CommandException {
        return check(DEFAULT_TIMEOUT, List.of(argv));
    }

    /** {@link #check} with a deadline. */
    public static String check(Duration timeout, List<String> argv) throws CommandException {
        CommandResult r = run(timeout, argv);
        if (!r.ok()) {
            throw new CommandException(r.describe(), r, null);
        }
        return r.stdout();
    }

    private static List<String> resolve(List<String> argv) throws CommandException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        String tool = argv.getFirst();
        if (tool.contains("/")) {
            return argv;
        }
        Path p = find(tool);
        if (p == null) {
            throw new CommandException(tool + " not found in the system directories or PATH", null, null);
        }
        List<String> command = new ArrayList<>(argv);
        command.set(0, p.toString());
        return command;
    }

    /** Reads a stream to its end on a virtual thread. */
    private static final class Collector {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        Collector(InputStream in) {
            this.thread = Thread.ofVirtual().start(() -> {
                try (in) {
                    in.transferTo(bytes);
                } catch (IOException e) {
                    // The process went away mid-write: what arrived is what there is.
                }
            });
        }

        String text() throws InterruptedException {
            thread.join(Duration.ofSeconds(5));
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
