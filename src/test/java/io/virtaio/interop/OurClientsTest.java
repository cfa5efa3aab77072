package io.virtaio.interop;

import static io.virtaio.aio.posix.Aio.AF_INET;
import static io.virtaio.aio.posix.Aio.IPPROTO_TCP;
import static io.virtaio.aio.posix.Aio.SHUT_WR;
import static io.virtaio.aio.posix.Aio.SOCK_STREAM;
import static io.virtaio.aio.posix.Aio.TCP_NODELAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.bench.serve.TapNode;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our client, written with the POSIX AIO API, against Linux servers over a TAP (JDK programs in the namespace):
 * echoes, 100 MiB with SHA-256 equality, and a connection Linux resets (SO_LINGER 0) surfacing as ECONNRESET.
 */
@LinuxInterop
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OurClientsTest {
    private static final int PORT = 7007;

    /** A TCP socket on our stack connected to the Linux peer's {@link #PORT}. */
    private static int connect(Aio aio) {
        int fd = aio.socket(AF_INET, SOCK_STREAM, 0);
        assertTrue(fd >= 0, "socket: " + Errno.name(aio.errno()));
        assertEquals(0, aio.connect(fd, new sockaddr_in(TapLink.KERNEL_IP, PORT)),
                () -> "connect: " + Errno.name(aio.errno()));
        return fd;
    }

    /** Submits with {@code submit}, waits in aio_suspend, and returns aio_return after checking aio_error. */
    private static long complete(Aio aio, aiocb cb, boolean write) {
        int r = write ? aio.aio_write(cb) : aio.aio_read(cb);
        assertEquals(0, r, () -> (write ? "aio_write: " : "aio_read: ") + Errno.name(aio.errno()));
        assertEquals(0, aio.aio_suspend(new aiocb[] {cb}, 1, null));
        assertEquals(0, aio.aio_error(cb), () -> Errno.name(aio.aio_error(cb)));
        return aio.aio_return(cb);
    }

    @Test
    void ourPosixClientGetsEveryEchoFromALinuxServer() throws Exception {
        try (TapNode node = TapLink.node();
                JavaPeer peer = JavaPeer.start(node.tap().namespace(), "TcpPeer.java", "echo-server",
                        Integer.toString(PORT))) {
            peer.awaitLine("ready", Duration.ofSeconds(60));
            Aio aio = node.aio();
            int fd = connect(aio);
            assertEquals(0, aio.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1));
            int size = 1000;
            MemorySegment out = node.runtime().allocate(size);
            MemorySegment in = node.runtime().allocate(size);
            aiocb write = new aiocb(fd, out, size, 0);
            for (int k = 0; k < 500; k++) {
                Payload.fill(k, 0, out, size);
                assertEquals(size, complete(aio, write, true));
                for (long got = 0; got < size; ) {
                    aiocb read = new aiocb(fd, in.asSlice(got), size - got, 0);
                    long n = complete(aio, read, false);
                    assertTrue(n > 0, "end of stream before echo " + k);
                    got += n;
                }
                assertEquals(-1, in.mismatch(out), "echo " + k);
            }
            assertEquals(0, aio.shutdown(fd, SHUT_WR));
            assertEquals(0, complete(aio, new aiocb(fd, in, size, 0), false), "the server's close follows ours");
            assertEquals(0, aio.close(fd));
            assertEquals("echoed " + 500 * size, peer.awaitLine("echoed", Duration.ofSeconds(30)), peer.describe());
        }
    }

    /** 100 MiB written with aio_write, four requests in flight, into a Linux reader that hashes what it gets. */
    @Test
    void hundredMebibytesToLinuxArriveIntact() throws Exception {
        long bytes = 100L << 20;
        int chunk = 256 * 1024;
        try (TapNode node = TapLink.node();
                JavaPeer peer = JavaPeer.start(node.tap().namespace(), "TcpPeer.java", "sink",
                        Integer.toString(PORT))) {
            peer.awaitLine("ready", Duration.ofSeconds(60));
            Aio aio = node.aio();
            int fd = connect(aio);
            MessageDigest sha = Payload.sha256();
            aiocb[] inFlight = new aiocb[4];
            for (int i = 0; i < inFlight.length; i++) {
                inFlight[i] = new aiocb(fd, node.runtime().allocate(chunk), chunk, 0);
            }
            long startNs = System.nanoTime();
            long offset = 0;
            int submitted = 0;
            int completed = 0;
            while (completed < submitted || offset < bytes) {
                for (; submitted - completed < inFlight.length && offset < bytes; submitted++) {
                    aiocb cb = inFlight[submitted % inFlight.length];
                    int n = (int) Math.min(chunk, bytes - offset);
                    Payload.fill(31, offset, cb.aio_buf, n);
                    sha.update(cb.aio_buf.asSlice(0, n).asByteBuffer());
                    cb.aio_nbytes = n;
                    offset += n;
                    assertEquals(0, aio.aio_write(cb), () -> "aio_write: " + Errno.name(aio.errno()));
                }
                // Requests of one direction of a socket complete in order (a FIFO per direction), so the oldest
                // is the one to wait for before its buffer is refilled.
                aiocb oldest = inFlight[completed++ % inFlight.length];
                assertEquals(0, aio.aio_suspend(new aiocb[] {oldest}, 1, null));
                assertEquals(0, aio.aio_error(oldest), () -> Errno.name(aio.aio_error(oldest)));
                assertEquals(oldest.aio_nbytes, aio.aio_return(oldest), "a socket write completes whole");
            }
            assertEquals(0, aio.close(fd));
            String received = peer.awaitLine("received", Duration.ofSeconds(60));
            long elapsedNs = System.nanoTime() - startNs;
            assertEquals("received " + bytes + " sha256 " + Payload.hex(sha.digest()), received, peer.describe());
            System.out.printf("100 MiB us -> Linux over the TAP: %.2f Gbit/s%n", bytes * 8.0 / elapsedNs);
            assertEquals(0, peer.waitFor(Duration.ofSeconds(10)), peer.describe());
        }
    }

    /** Linux aborts the connection (SO_LINGER 0: an RST); the read we have pending fails with ECONNRESET. */
    @Test
    void aResetFromLinuxSurfacesAsEconnresetInAioError() throws Exception {
        try (TapNode node = TapLink.node();
                JavaPeer peer = JavaPeer.start(node.tap().namespace(), "TcpPeer.java", "reset",
                        Integer.toString(PORT))) {
            peer.awaitLine("ready", Duration.ofSeconds(60));
            Aio aio = node.aio();
            int fd = connect(aio);
            MemorySegment buf = node.runtime().allocate(64);
            aiocb read = new aiocb(fd, buf, 64, 0);
            assertEquals(0, aio.aio_read(read));
            assertEquals(Errno.EINPROGRESS, aio.aio_error(read), "nothing to read until the peer acts");
            // The byte the peer waits for before it resets.
            assertEquals(1, complete(aio, new aiocb(fd, buf.asSlice(32), 1, 0), true));
            assertEquals("reset", peer.awaitLine("reset", Duration.ofSeconds(30)), peer.describe());
            assertEquals(0, aio.aio_suspend(new aiocb[] {read}, 1, null));
            assertEquals(Errno.ECONNRESET, aio.aio_error(read), () -> Errno.name(aio.aio_error(read)));
            assertEquals(-1, aio.aio_return(read));
            assertEquals(1L, node.counters().get("tcp.rstReceived"));
            assertEquals(0, aio.close(fd));
        }
    }
}
