package io.virtaio.interop;

import io.virtaio.virtio.netns.CommandException;
import io.virtaio.virtio.netns.HostCommands;
import io.virtaio.virtio.netns.NetNamespace;
import io.virtaio.virtio.tap.TapBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The gate in front of every test of a {@link LinuxInterop} class: are we on Linux, root, with /dev/net/tun, iproute2 and
 * native access? In CI ({@code CI=true}) these tests must run, so a missing prerequisite is a failure that names
 * it; on a developer's machine it is a skip with the same reason. Once per JVM, the namespaces of dead runs
 * ({@value TapLink#PREFIX}-&lt;pid&gt;-&lt;n&gt; of a pid no longer alive) are deleted.
 */
public final class LinuxInteropExtension implements BeforeEachCallback {
    private static volatile boolean reaped;

    /**
     * Per test, not per class: a skipped test shows in the runner's count (and its reason in the report) where a
     * skipped class would show as nothing at all.
     */
    @Override
    public void beforeEach(ExtensionContext context) throws CommandException {
        require(missing());
        reapOnce();
    }

    /** True when the environment says interop tests must run (GitHub Actions, GitLab and most CIs set CI=true). */
    static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Fails (in CI) or skips (elsewhere) when {@code missing} is not empty; for prerequisites of single tests too,
     * e.g. {@code require(tools("tshark"))}.
     */
    static void require(List<String> missing) {
        if (missing.isEmpty()) {
            return;
        }
        String why = "Linux interop prerequisites missing: " + String.join("; ", missing);
        if (inCi()) {
            throw new AssertionError(why + " — CI=true, so interop tests must run, not skip");
        }
        Assumptions.abort(why + " (these tests run when they are met, and must in CI)");
    }

    /** The tools among {@code names} that are not installed, each with the package that has it. */
    static List<String> tools(String... names) {
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            if (HostCommands.find(name) == null) {
                missing.add(name + " not installed (apt-get install " + switch (name) {
                    case "ip", "tc" -> "iproute2";
                    case "nft" -> "nftables";
                    case "ping" -> "iputils-ping";
                    default -> name;
                } + ")");
            }
        }
        return missing;
    }

    static List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (!System.getProperty("os.name", "").equals("Linux")) {
            missing.add("not Linux (os.name " + System.getProperty("os.name") + ")");
            return missing;
        }
        if (!isRoot()) {
            missing.add("not root (TUNSETIFF and ip netns need CAP_NET_ADMIN and CAP_SYS_ADMIN)");
        }
        Path tun = Path.of("/dev/net/tun");
        if (!Files.exists(tun)) {
            missing.add("/dev/net/tun does not exist (modprobe tun)");
        } else if (!Files.isReadable(tun) || !Files.isWritable(tun)) {
            missing.add("/dev/net/tun is not readable and writable");
        }
        missing.addAll(tools("ip"));
        if (!TapBackend.class.getModule().isNativeAccessEnabled()) {
            missing.add("native access not enabled (run the JVM with --enable-native-access=ALL-UNNAMED)");
        }
        return missing;
    }

    /** Effective uid 0, from /proc/self/status ("Uid: real effective saved fs"). */
    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).strip().split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    private static synchronized void reapOnce() throws CommandException {
        if (reaped) {
            return;
        }
        reaped = true;
        List<String> stale = NetNamespace.reapStale(TapLink.PREFIX);
        if (!stale.isEmpty()) {
            System.err.println("interop: deleted network namespaces of dead runs: " + stale);
        }
    }
}
