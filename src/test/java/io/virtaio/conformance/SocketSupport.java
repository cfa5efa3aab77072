package io.virtaio.conformance;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;

/**
 * Socket pairs for the cases that need a descriptor whose writes block (the C cases use socketpair): a runtime
 * with two network nodes, each a stack on a virtio-net device, joined by the in-process virtio wire, and a connected
 * TCP pair across them.
 */
final class SocketSupport {
    static final int ADDRESS_A = Nodes.ADDRESS_A;
    static final int ADDRESS_B = Nodes.ADDRESS_B;
    /** Small socket buffers, so that a few writes fill them. */
    static final int BUFFER_BYTES = 16 * 1024;

    private SocketSupport() {
    }

    /** A runtime with node 0 at 10.0.0.1 and node 1 at 10.0.0.2, on one virtio wire. */
    static AioRuntime runtime() {
        return AioRuntime.builder().config(AioConfig.builder().name("sockets").build()).wiredPair().build();
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

    /**
     * Waits until the peer's receive buffer and the writer's send queue together hold more than {@code bytes}: the
     * writes have moved at least that much out of their buffers, and what is left is blocked on full buffers.
     */
    static void awaitMoved(Aio writer, int writeFd, Aio reader, int readFd, long bytes) {
        long deadline = System.nanoTime() + PosixFixture.WAIT_NS;
        int[] inq = new int[1];
        int[] outq = new int[1];
        while (true) {
            assertEquals(0, reader.ioctl(readFd, FIONREAD, inq));
            assertEquals(0, writer.ioctl(writeFd, TIOCOUTQ, outq));
            if ((long) inq[0] + outq[0] > bytes) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "only " + inq[0] + " + " + outq[0] + " bytes moved");
            Thread.onSpinWait();
        }
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
