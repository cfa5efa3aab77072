package io.virtaio.interop;

import static io.virtaio.aio.posix.Aio.AF_INET;
import static io.virtaio.aio.posix.Aio.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.bench.serve.HttpResponse;
import io.virtaio.bench.serve.ServerCounters;
import io.virtaio.bench.serve.Service;
import io.virtaio.bench.serve.StackServer;
import io.virtaio.bench.serve.TapNode;
import io.virtaio.netstack.Errno;
import io.virtaio.virtio.netns.CommandResult;
import io.virtaio.virtio.netns.NetNamespace;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Linux TCP clients against our servers over a TAP: curl against the HTTP service of {@code ./virtaio serve}
 * (persistent connections, HTTP/1.0), a JDK client against its echo service, 200 connections at once, and 100 MiB
 * into a receiver written with the POSIX AIO API — each byte checked.
 */
@LinuxInterop
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LinuxClientsTest {
    private static final String URL = "http://" + TapLink.OUR_ADDRESS + "/";
    /** curl's -w: after each transfer, whether it opened a connection for it and the status. */
    private static final String WRITE_OUT = "|connects=%{num_connects} code=%{http_code}\n";

    private static StackServer serve(TapNode node, Service service, int port) throws Exception {
        return StackServer.start(node.channels(), new InetSocketAddress(TapLink.OUR_ADDRESS, port), service);
    }

    private static CommandResult curl(NetNamespace ns, String... args) throws Exception {
        String[] argv = new String[args.length + 1];
        argv[0] = "curl";
        System.arraycopy(args, 0, argv, 1, args.length);
        CommandResult r = ns.exec(Duration.ofSeconds(60), argv);
        assertEquals(0, r.exitCode(), r.describe());
        return r;
    }

    /** Waits until {@code condition} holds: what the server counts after the client is gone comes a moment later. */
    private static void await(String what, BooleanSupplier condition, Object state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + ": " + state);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void curlGetsThePageTwiceOverOnePersistentConnection() throws Exception {
        LinuxInteropExtension.require(LinuxInteropExtension.tools("curl"));
        try (TapNode node = TapLink.node()) {
            StackServer server = serve(node, Service.HTTP, 80);
            CommandResult r = curl(node.tap().namespace(), "-sS", "--fail", "-w", WRITE_OUT, URL, URL + "index.html");
            String page = HttpResponse.page();
            assertEquals(page + "|connects=1 code=200\n" + page + "|connects=0 code=200\n", r.stdout(),
                    "both bodies whole, the second request on the first connection");
            ServerCounters c = server.counters();
            await("curl's close", () -> c.closed() == 1, c);
            assertEquals(1, c.accepted());
            assertEquals(2, c.requests());
            assertEquals(0, c.failures());

            CommandResult missing = curl(node.tap().namespace(), "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                    URL + "nothing-here");
            assertEquals("404", missing.stdout());
        }
    }

    @Test
    void http10ClosesAfterEachResponseUnlessAskedToKeepAlive() throws Exception {
        LinuxInteropExtension.require(LinuxInteropExtension.tools("curl"));
        try (TapNode node = TapLink.node()) {
            StackServer server = serve(node, Service.HTTP, 80);
            NetNamespace ns = node.tap().namespace();
            // RFC 9112 §9.3: an HTTP/1.0 request without keep-alive ends its connection.
            CommandResult plain = curl(ns, "-sS", "--fail", "--http1.0", "-D", "-", "-o", "/dev/null", "-w",
                    WRITE_OUT, URL, URL);
            assertEquals(2, count(plain.stdout(), "Connection: close\r\n"), plain.stdout());
            assertEquals(2, count(plain.stdout(), "|connects=1 code=200"), plain.stdout());
            assertEquals(2, count(plain.stdout(), "Content-Length: " + HttpResponse.page().length() + "\r\n"));
            // With keep-alive asked for, and granted, the second request reuses the connection.
            CommandResult kept = curl(ns, "-sS", "--fail", "--http1.0", "-H", "Connection: keep-alive", "-D", "-",
                    "-o", "/dev/null", "-w", WRITE_OUT, URL, URL);
            assertEquals(2, count(kept.stdout(), "Connection: keep-alive\r\n"), kept.stdout());
            assertEquals(1, count(kept.stdout(), "|connects=1 code=200"), kept.stdout());
            assertEquals(1, count(kept.stdout(), "|connects=0 code=200"), kept.stdout());
            ServerCounters c = server.counters();
            await("every connection closed", () -> c.closed() == 3, c);
            assertEquals(3, c.accepted());
            assertEquals(4, c.requests());
            assertEquals(0, c.badRequests());
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    @Test
    void aJdkClientGetsEveryEchoBack() throws Exception {
        try (TapNode node = TapLink.node()) {
            StackServer server = serve(node, Service.ECHO, 7);
            try (JavaPeer peer = JavaPeer.start(node.tap().namespace(), "TcpPeer.java", "echo-client",
                    TapLink.OUR_ADDRESS, "7", "2000", "100")) {
                assertEquals("ok 2000", peer.awaitLine("ok", Duration.ofSeconds(90)), peer.describe());
                assertEquals(0, peer.waitFor(Duration.ofSeconds(10)), peer.describe());
            }
            ServerCounters c = server.counters();
            await("the connection's end", () -> c.closed() == 1, c);
            assertEquals(2000 * 100, c.bytesIn());
            assertEquals(2000 * 100, c.bytesOut());
        }
    }

    @Test
    void twoHundredConnectionsAreOpenAtOnceAndEachGetsItsEcho() throws Exception {
        try (TapNode node = TapLink.node()) {
            StackServer server = serve(node, Service.ECHO, 7);
            try (JavaPeer peer = JavaPeer.start(node.tap().namespace(), "TcpPeer.java", "many",
                    TapLink.OUR_ADDRESS, "7", "200", "1000")) {
                assertEquals("open 200", peer.awaitLine("open", Duration.ofSeconds(90)), peer.describe());
                ServerCounters c = server.counters();
                // Every connection is established before any sends a byte: all 200 are open on our side at once.
                await("200 accepted connections", () -> c.open() == 200, c);
                assertEquals("ok 200", peer.awaitLine("ok", Duration.ofSeconds(90)), peer.describe());
                assertEquals(0, peer.waitFor(Duration.ofSeconds(10)), peer.describe());
                await("200 closed connections", () -> c.closed() == 200, c);
                assertEquals(200, c.accepted());
                assertEquals(200, c.maxOpen());
                assertEquals(200 * 1000, c.bytesOut());
                assertEquals(0, c.failures());
            }
            assertEquals(0L, node.counters().get("tcp.dropBacklogFull"));
        }
    }

    /** 100 MiB from a Linux sender into a receiver on the POSIX AIO API: SHA-256 of what each side saw. */
    @Test
    void hundredMebibytesFromLinuxArriveIntact() throws Exception {
        long bytes = 100L << 20;
        try (TapNode node = TapLink.node()) {
            Aio aio = node.aio();
            int listener = aio.socket(AF_INET, SOCK_STREAM, 0);
            assertEquals(0, aio.bind(listener, new sockaddr_in(TapLink.OUR_IP, 5001)));
            assertEquals(0, aio.listen(listener, 1));
            try (JavaPeer peer = JavaPeer.start(node.tap().namespace(), "TcpPeer.java", "send",
                    TapLink.OUR_ADDRESS, "5001", Long.toString(bytes), "11")) {
                int fd = aio.accept(listener, null);
                assertTrue(fd >= 0, "accept: " + Errno.name(aio.errno()));
                long startNs = System.nanoTime();
                MessageDigest sha = Payload.sha256();
                MemorySegment buf = node.runtime().allocate(256 * 1024);
                aiocb cb = new aiocb(fd, buf, buf.byteSize(), 0);
                long received = 0;
                while (true) {
                    assertEquals(0, aio.aio_read(cb), () -> "aio_read: " + Errno.name(aio.errno()));
                    assertEquals(0, aio.aio_suspend(new aiocb[] {cb}, 1, null));
                    assertEquals(0, aio.aio_error(cb), () -> Errno.name(aio.aio_error(cb)));
                    long n = aio.aio_return(cb);
                    if (n == 0) {
                        break;
                    }
                    sha.update(buf.asSlice(0, n).asByteBuffer());
                    received += n;
                }
                long elapsedNs = System.nanoTime() - startNs;
                assertEquals(0, aio.close(fd));                // our FIN tells the sender everything arrived
                String sent = peer.awaitLine("sent", Duration.ofSeconds(60));
                assertEquals("sent " + bytes + " sha256 " + Payload.hex(sha.digest()), sent.replaceFirst(" in .*", ""),
                        peer.describe());
                assertEquals(bytes, received);
                System.out.printf("100 MiB Linux -> us over the TAP: %.2f Gbit/s (%s)%n",
                        bytes * 8.0 / elapsedNs, sent);
            }
            aio.close(listener);
        }
    }
}
