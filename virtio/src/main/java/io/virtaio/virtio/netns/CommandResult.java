package io.virtaio.virtio.netns;

import java.util.List;

/**
 * How a host command ended.
 *
 * @param command  the argument vector that ran
 * @param exitCode its exit status
 * @param stdout   what it wrote to standard output (UTF-8)
 * @param stderr   what it wrote to standard error (UTF-8)
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {
    public CommandResult {
        command = List.copyOf(command);
    }

    public boolean ok() {
        return exitCode == 0;
    }

    /** Standard output, split into lines, without the empty line after a final newline. */
    public List<String> lines() {
        return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
    }

    /** "ip netns add x: exit 1: Cannot create namespace file ...: File exists". */
    public String describe() {
        String err = stderr.strip();
        return String.join(" ", command) + ": exit " + exitCode + (err.isEmpty() ? "" : ": " + err);
    }
}
