package io.virtaio.bench.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code virtaio} command-line tool; the launcher script calls it with a subcommand. */
@Command(name = "virtaio", mixinStandardHelpOptions = true,
        description = "POSIX asynchronous I/O over virtio-net, in Java.",
        subcommands = {BenchCommand.class, SimCommand.class, ServeCommand.class, ExampleCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
