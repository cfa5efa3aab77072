package io.virtaio.bench.cli;

import io.virtaio.bench.examples.ChannelEcho;
import io.virtaio.bench.examples.EchoReport;
import io.virtaio.bench.examples.PosixEcho;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code virtaio example <name>}: runs one of the examples of {@code io.virtaio.bench.examples}. */
@Command(name = "example", mixinStandardHelpOptions = true,
        description = {"Runs an example over two stacks joined by the in-process virtio wire:",
                "  posix-echo  echo with aio_read, aio_write, aio_suspend and lio_listio",
                "  java-echo   echo with asynchronous channels and CompletableFuture"})
public final class ExampleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "posix-echo or java-echo")
    String name;

    @Option(names = "--messages", defaultValue = "10000", description = "round trips (default ${DEFAULT-VALUE})")
    int messages;

    @Option(names = "--size", defaultValue = "256", description = "bytes per message (default ${DEFAULT-VALUE})")
    int size;

    @Override
    public Integer call() throws Exception {
        if (messages < 1 || size < 1) {
            System.err.println("--messages and --size must be at least 1");
            return 2;
        }
        EchoReport report = switch (name) {
            case "posix-echo" -> PosixEcho.run(messages, size);
            case "java-echo" -> ChannelEcho.run(messages, size);
            default -> null;
        };
        if (report == null) {
            System.err.println("unknown example '" + name + "': posix-echo or java-echo");
            return 2;
        }
        report.print(System.out);
        return 0;
    }
}
