package io.virtaio.bench.serve;

import java.nio.channels.AsynchronousSocketChannel;

/** What a {@link StackServer} does with each connection it accepts. */
public enum Service {
    /** RFC 862: every byte read is sent back. */
    ECHO("echo", 7),
    /** RFC 863: every byte read is thrown away. */
    DISCARD("discard", 9),
    /** HTTP/1.1 (and 1.0) GET and HEAD of a small page, persistent connections, pipelining. */
    HTTP("http", 80);

    private final String label;
    private final int defaultPort;

    Service(String label, int defaultPort) {
        this.label = label;
        this.defaultPort = defaultPort;
    }

    public String label() {
        return label;
    }

    /** The port the service is registered on (IANA). */
    public int defaultPort() {
        return defaultPort;
    }

    /** Starts serving {@code ch}; the connection then runs on its own completion handlers until it ends. */
    void start(AsynchronousSocketChannel ch, StackServer server) {
        switch (this) {
            case ECHO -> new EchoConnection(ch, server).start();
            case DISCARD -> new DiscardConnection(ch, server).start();
            case HTTP -> new HttpConnection(ch, server).start();
        }
    }
}
