package io.virtaio.aio.conformance;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.net.NodeParts;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Stack;
import io.virtaio.netstack.StackConfig;
import java.lang.foreign.MemorySegment;

/**
 * Socket pairs for the cases that need a descriptor whose writes block (the C cases use socketpair): a runtime
 * with two network nodes joined by a {@link CrossoverLink}, and a connected TCP pair across them.
 *
 * <p>The network stack is a contract skeleton until it lands: {@link #available()} is false until then, and the
 * socket cases are skipped by assumption.
 */
final class SocketSupport {
    static final int ADDRESS_A = 0x0A00_0001;
    static final int ADDRESS_B = 0x0A00_0002;
    /** Small socket buffers, so that a few writes fill them. */
    static final int BUFFER_BYTES = 16 * 1024;

    private static volatile Boolean available;

    private SocketSupport() {
    }

    /** True once the network stack is implemented (a {@link Stack} can be built). */
    static boolean available() {
        Boolean a = available;
        if (a == null) {
            try (CrossoverLink link = new CrossoverLink()) {
                new Stack(link.a, StackConfig.of(ADDRESS_A, 24), 0).close();
                a = true;
            } catch (UnsupportedOperationException notYet) {
                a = false;
            }
            available = a;
        }
        return a;
    }

    /** A runtime with node 0 at 10.0.0.1 and node 1 at 10.0.0.2, on one cable; close the link after the runtime. */
    static AioRuntime runtime(CrossoverLink link) {
        return AioRuntime.builder()
                .config(AioConfig.builder().name("sockets").build())
                .node("a", wake -> {
                    link.a.wakeWith(wake);
                    return NodeParts.of(new Stack(link.a, StackConfig.of(ADDRESS_A, 24), System.nanoTime()));
                })
                .node("b", wake -> {
                    link.b.wakeWith(wake);
                    return NodeParts.of(new Stack(link.b, StackConfig.of(ADDRESS_B, 24), System.nanoTime()));
                })
                .build();
    }

    /**
     * A connected TCP pair: {@code fds[0]} on node 0 (the writer in the cases), {@code fds[1]} on node 1, both with
     * {@link #BUFFER_BYTES} send and receive buffers.
     */
    static int[] pair(AioRuntime rt) {
        Aio a = rt.aio(0);
        Aio b = rt.aio(1);
        int listener = b.socket(AF_INET, SOCK_STREAM, 0);
        assertTrue(listener >= 0, "socket: " + Errno.name(b.errno()));
        assertEquals(0, b.setsockopt(listener, SOL_SOCKET, SO_RCVBUF, BUFFER_BYTES));
        assertEquals(0, b.bind(listener, new sockaddr_in(ADDRESS_B, 0)));
        assertEquals(0, b.listen(listener, 1));
        sockaddr_in where = new sockaddr_in();
        assertEquals(0, b.getsockname(listener, where));
        int client = a.socket(AF_INET, SOCK_STREAM, 0);
        assertTrue(client >= 0, "socket: " + Errno.name(a.errno()));
        assertEquals(0, a.setsockopt(client, SOL_SOCKET, SO_SNDBUF, BUFFER_BYTES));
        int[] accepted = {-1};
        Thread acceptor = Thread.ofVirtual().start(() -> accepted[0] = b.accept(listener, null));
        assertEquals(0, a.connect(client, where), "connect: " + Errno.name(a.errno()));
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        assertTrue(accepted[0] >= 0, "accept");
        assertEquals(0, b.close(listener));
        return new int[] {client, accepted[0]};
    }

    /**
     * aiocbs for writes on {@code fd}, each of (send buffer + peer receive buffer) * 2/5 bytes of 0xaa, so that with
     * the peer not reading writes #0 and #1 complete and #2 moves some bytes and blocks (in progress, decision 4),
     * as LTP's setup_aio arranges with half a datagram socket's buffer.
     */
    static aiocb[] writes(int fd, int count) {
        int size = (BUFFER_BYTES + BUFFER_BYTES) * 2 / 5;
        aiocb[] cbs = new aiocb[count];
        for (int i = 0; i < count; i++) {
            byte[] b = new byte[size];
            java.util.Arrays.fill(b, (byte) 0xaa);
            cbs[i] = new aiocb(fd, MemorySegment.ofArray(b), size, 0);
        }
        return cbs;
    }

    /** Reads everything the writes of {@code cbs} that did not fail put on the wire, so they can all finish. */
    static void drain(Aio aio, int readFd, aiocb[] cbs) {
        for (aiocb cb : cbs) {
            int err = aio.aio_error(cb);
            if (err == 0 || err == Errno.EINPROGRESS) {
                MemorySegment sink = MemorySegment.ofArray(new byte[(int) cb.aio_nbytes]);
                long left = cb.aio_nbytes;
                while (left > 0) {
                    long n = aio.read(readFd, sink, left);
                    if (n <= 0) {
                        return;
                    }
                    left -= n;
                }
            }
        }
    }
}
