package io.virtaio.bench.examples;

import static io.virtaio.aio.posix.Aio.*;

import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sockaddr_in;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.HdrHistogram.Histogram;

/**
 * An echo server and client in POSIX style, over two stacks joined by the in-process virtio wire: the server (node 1,
 * 10.0.0.2) reads with aio_read and waits with aio_suspend, then echoes with aio_write; the client (node 0,
 * 10.0.0.1) sends each message and posts the read for its echo in one lio_listio(LIO_WAIT) call, and completes short
 * reads with aio_read + aio_suspend. Every call is the C call, with -1 and errno on failure.
 *
 * <p>Run it with {@code ./virtaio example posix-echo}.
 */
public final class PosixEcho {
    static final int PORT = 7;

    private PosixEcho() {
    }

    /** Runs {@code messages} round trips of {@code size} bytes and reports. */
    public static EchoReport run(int messages, int size) throws InterruptedException {
        try (AioRuntime rt = AioRuntime.builder().wiredPair().build()) {
            Aio server = rt.aio(1);
            Aio client = rt.aio(0);

            int listener = check(server, server.socket(AF_INET, SOCK_STREAM, 0), "socket");
            check(server, server.bind(listener, new sockaddr_in(Nodes.ADDRESS_B, PORT)), "bind");
            check(server, server.listen(listener, 1), "listen");
            Thread serving = Thread.ofPlatform().name("posix-echo-server").start(() -> serve(server, listener, size));

            int fd = check(client, client.socket(AF_INET, SOCK_STREAM, 0), "socket");
            check(client, client.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1), "setsockopt");
            check(client, client.connect(fd, new sockaddr_in(Nodes.ADDRESS_B, PORT)), "connect");

            MemorySegment out = rt.allocate(size);
            MemorySegment in = rt.allocate(size);
            aiocb write = new aiocb(fd, out, size, 0);
            write.aio_lio_opcode = LIO_WRITE;
            aiocb read = new aiocb(fd, in, size, 0);
            read.aio_lio_opcode = LIO_READ;
            aiocb[] both = {write, read};
            aiocb[] one = {read};
            Histogram rtt = new Histogram(3);
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                for (int j = 0; j < size; j++) {
                    out.set(ValueLayout.JAVA_BYTE, j, (byte) (i + j));
                }
                long t0 = System.nanoTime();
                read.aio_buf = in;
                read.aio_nbytes = size;
                // The message and the read for its echo, submitted together; LIO_WAIT returns when both are done.
                check(client, client.lio_listio(LIO_WAIT, both, 2, null), "lio_listio");
                check(client, (int) client.aio_return(write), "aio_write");
                long got = client.aio_return(read);
                while (got < size) {
                    // A stream read may be short: ask for the rest and wait for it.
                    check(client, (int) got, "aio_read");
                    read.aio_buf = in.asSlice(got);
                    read.aio_nbytes = size - got;
                    check(client, client.aio_read(read), "aio_read");
                    check(client, client.aio_suspend(one, 1, null), "aio_suspend");
                    got += client.aio_return(read);
                }
                rtt.recordValue(System.nanoTime() - t0);
                if (in.mismatch(out) != -1) {
                    throw new IllegalStateException("echo " + i + " differs at byte " + in.mismatch(out));
                }
            }
            long elapsed = System.nanoTime() - start;
            // End of stream for the server: it closes its side, and so do we.
            check(client, client.shutdown(fd, SHUT_WR), "shutdown");
            serving.join();
            check(client, client.close(fd), "close");
            check(server, server.close(listener), "close");
            return new EchoReport("posix-echo", messages, (long) messages * size, elapsed, rtt, rt.counters());
        }
    }

    /** The server: one connection, echoed until end of stream. */
    private static void serve(Aio aio, int listener, int size) {
        int fd = check(aio, aio.accept(listener, null), "accept");
        MemorySegment buf = MemorySegment.ofArray(new byte[Math.max(size, 4096)]);
        aiocb read = new aiocb(fd, buf, buf.byteSize(), 0);
        aiocb write = new aiocb(fd, buf, 0, 0);
        aiocb[] waitRead = {read};
        aiocb[] waitWrite = {write};
        while (true) {
            check(aio, aio.aio_read(read), "aio_read");
            check(aio, aio.aio_suspend(waitRead, 1, null), "aio_suspend");
            long n = aio.aio_return(read);
            if (n <= 0) {
                break;                                  // 0: the client shut down its side
            }
            write.aio_nbytes = n;
            check(aio, aio.aio_write(write), "aio_write");
            check(aio, aio.aio_suspend(waitWrite, 1, null), "aio_suspend");
            check(aio, (int) aio.aio_return(write), "aio_write");
        }
        check(aio, aio.close(fd), "close");
    }

    private static int check(Aio aio, int rc, String what) {
        if (rc < 0) {
            throw new IllegalStateException(what + ": " + Aio.strerror(aio.errno()));
        }
        return rc;
    }
}
