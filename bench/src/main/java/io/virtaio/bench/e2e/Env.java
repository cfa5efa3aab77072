package io.virtaio.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a benchmark ran: Java version, processors, kernel, and the commit the launcher passes as
 * {@code -Dvirtaio.commit}.
 */
public record Env(String java, int cpus, String kernel, String commit) {
    public static Env current() {
        String kernel;
        try {
            kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException | SecurityException e) {
            kernel = System.getProperty("os.name") + " " + System.getProperty("os.version");
        }
        return new Env(Runtime.version().toString(), Runtime.getRuntime().availableProcessors(), kernel,
                System.getProperty("virtaio.commit", "unknown"));
    }
}
