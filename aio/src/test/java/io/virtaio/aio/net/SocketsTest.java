package io.virtaio.aio.net;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sockets end to end over two stacks on virtio-net devices joined by the in-process wire. */
class SocketsTest extends SocketFixture {

    @Test
    void streamCrossesTheWireIntactInBothDirections() {
        int[] p = pair();
        int size = 1 << 20;
        MemorySegment out = pattern(size, 7);
        MemorySegment in = MemorySegment.ofArray(new byte[size]);
        aiocb w = new aiocb(p[0], out, size, 0);
        assertEquals(0, a.aio_write(w));
        readFully(b, p[1], in, size);
        assertEquals(0, await(a, w));
        assertEquals(size, a.aio_return(w));
        assertEquals(-1, in.mismatch(out));
        // And back, with the write issued after the read is already waiting.
        MemorySegment back = MemorySegment.ofArray(new byte[4096]);
        aiocb r = new aiocb(p[0], back, 4096, 0);
        assertEquals(0, a.aio_read(r));
        aiocb w2 = new aiocb(p[1], pattern(4096, 3), 4096, 0);
        assertEquals(0, b.aio_write(w2));
        assertEquals(0, await(a, r));
        long n = a.aio_return(r);
        assertTrue(n > 0 && n <= 4096);
        assertEquals(-1, back.asSlice(0, n).mismatch(w2.aio_buf.asSlice(0, n)));
        assertEquals(0, a.close(p[0]));
        assertEquals(0, b.close(p[1]));
    }

    @Test
    void readsWaitingForDataReceiveDirectlyIntoTheirBuffers() {
        int[] p = pair();
        // Eight reads of 100 bytes wait in FIFO order; 1000 bytes then arrive in one segment.
        aiocb[] reads = new aiocb[8];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = new aiocb(p[1], MemorySegment.ofArray(new byte[100]), 100, 0);
            assertEquals(0, b.aio_read(reads[i]));
        }
        MemorySegment out = pattern(1000, 1);
        assertEquals(0, a.aio_write(new aiocb(p[0], out, 1000, 0)));
        long got = 0;
        for (aiocb r : reads) {
            assertEquals(0, await(b, r));
            long n = b.aio_return(r);
            assertEquals(100, n, "each read filled completely, in order");
            assertEquals(-1, r.aio_buf.mismatch(out.asSlice(got, 100)));
            got += n;
        }
        // The last 200 bytes had no read waiting: they went through the ring.
        MemorySegment rest = MemorySegment.ofArray(new byte[200]);
        readFully(b, p[1], rest, 200);
        assertEquals(-1, rest.mismatch(out.asSlice(800, 200)));
        long direct = rt.counters().get("node.b.directBytes");
        assertTrue(direct >= 800, "bytes received straight into the reads: " + direct);
    }

    @Test
    void socketpairTalksOverTheStacksOwnLoopbackPath() {
        int[] sv = new int[2];
        assertEquals(0, a.socketpair(AF_INET, SOCK_STREAM, 0, sv), () -> Errno.name(a.errno()));
        assertNotEquals(sv[0], sv[1]);
        sockaddr_in x = new sockaddr_in();
        sockaddr_in y = new sockaddr_in();
        assertEquals(0, a.getsockname(sv[0], x));
        assertEquals(0, a.getpeername(sv[1], y));
        assertEquals(x.toString(), y.toString());
        assertEquals(Nodes.ADDRESS_A, x.sin_addr);
        MemorySegment out = pattern(70_000, 9);
        aiocb w = new aiocb(sv[0], out, out.byteSize(), 0);
        assertEquals(0, a.aio_write(w));
        MemorySegment in = MemorySegment.ofArray(new byte[70_000]);
        readFully(a, sv[1], in, 70_000);
        assertEquals(0, await(a, w));
        assertEquals(-1, in.mismatch(out));
        assertEquals(-1, a.socketpair(AF_INET, SOCK_DGRAM, 0, sv));
        assertEquals(Errno.EOPNOTSUPP, a.errno());
    }

    @Test
    void udpDatagramsKeepTheirBoundaries() {
        int s = b.socket(AF_INET, SOCK_DGRAM, 0);
        assertEquals(0, b.bind(s, new sockaddr_in(Nodes.ADDRESS_B, 5353)));
        int c = a.socket(AF_INET, SOCK_DGRAM, 0);
        assertEquals(0, a.connect(c, new sockaddr_in(Nodes.ADDRESS_B, 5353)));
        aiocb r1 = new aiocb(s, MemorySegment.ofArray(new byte[1500]), 1500, 0);
        aiocb r2 = new aiocb(s, MemorySegment.ofArray(new byte[1500]), 1500, 0);
        assertEquals(0, b.aio_read(r1));
        assertEquals(0, b.aio_read(r2));
        aiocb w1 = new aiocb(c, pattern(300, 1), 300, 0);
        aiocb w2 = new aiocb(c, pattern(700, 2), 700, 0);
        assertEquals(0, a.aio_write(w1));
        assertEquals(0, a.aio_write(w2));
        assertEquals(0, await(b, r1));
        assertEquals(0, await(b, r2));
        assertEquals(300, b.aio_return(r1));
        assertEquals(700, b.aio_return(r2));
        assertEquals(-1, r2.aio_buf.asSlice(0, 700).mismatch(w2.aio_buf));
        assertEquals(300, a.aio_return(w1));
        assertEquals(-1, b.listen(s, 1));
        assertEquals(Errno.EOPNOTSUPP, b.errno());
    }

    @Test
    void aRefusedConnectionIsEconnrefused() {
        int c = a.socket(AF_INET, SOCK_STREAM, 0);
        assertEquals(-1, a.connect(c, new sockaddr_in(Nodes.ADDRESS_B, 9)));
        assertEquals(Errno.ECONNREFUSED, a.errno());
    }

    @Test
    void aResetFailsThePendingReadWithEconnresetThenWritesWithEpipe() {
        int[] p = pair();
        aiocb read = new aiocb(p[0], MemorySegment.ofArray(new byte[64]), 64, 0);
        assertEquals(0, a.aio_read(read));
        // SO_LINGER 0: close() resets the connection (RFC 9293 §3.10.4 ABORT).
        assertEquals(0, b.setsockopt(p[1], SOL_SOCKET, SO_LINGER, 0));
        assertEquals(0, b.close(p[1]));
        assertEquals(Errno.ECONNRESET, await(a, read));
        assertEquals(-1, a.aio_return(read));
        aiocb write = new aiocb(p[0], pattern(10, 0), 10, 0);
        assertEquals(0, a.aio_write(write));
        assertEquals(Errno.EPIPE, await(a, write));
        aiocb again = new aiocb(p[0], MemorySegment.ofArray(new byte[8]), 8, 0);
        assertEquals(0, a.aio_read(again));
        assertEquals(0, await(a, again));
        assertEquals(0, a.aio_return(again), "after the error, reads see end of stream");
    }

    @Test
    void aWriteCutShortByAResetReturnsItsCountAndTheNextWriteGetsEconnreset() {
        int[] p = pair();
        assertEquals(0, a.setsockopt(p[0], SOL_SOCKET, SO_SNDBUF, 16 * 1024));
        assertEquals(0, b.setsockopt(p[1], SOL_SOCKET, SO_RCVBUF, 16 * 1024));
        // b never reads: the first write moves what the buffers hold and waits for the rest; the second queues.
        int size = 1 << 20;
        aiocb first = new aiocb(p[0], pattern(size, 1), size, 0);
        aiocb second = new aiocb(p[0], pattern(100, 2), 100, 0);
        assertEquals(0, a.aio_write(first));
        assertEquals(0, a.aio_write(second));
        int[] queued = new int[1];
        awaitTrue(() -> a.ioctl(p[0], TIOCOUTQ, queued) == 0 && queued[0] > 0, "the first write to move bytes");
        assertEquals(0, b.setsockopt(p[1], SOL_SOCKET, SO_LINGER, 0));
        assertEquals(0, b.close(p[1]));
        // POSIX.1-2017 write: the count of a write the error cut short, then the error itself (Linux keeps sk_err
        // for the next call when tcp_sendmsg has copied bytes), then EPIPE.
        assertEquals(0, await(a, first));
        long moved = a.aio_return(first);
        assertTrue(moved > 0 && moved < size, "moved " + moved);
        assertEquals(Errno.ECONNRESET, await(a, second), () -> Errno.name(a.aio_error(second)));
        aiocb third = new aiocb(p[0], pattern(10, 3), 10, 0);
        assertEquals(0, a.aio_write(third));
        assertEquals(Errno.EPIPE, await(a, third));
    }

    @Test
    void shutdownOfTheWritingSideIsEndOfStreamForTheReader() {
        int[] p = pair();
        aiocb read = new aiocb(p[1], MemorySegment.ofArray(new byte[64]), 64, 0);
        assertEquals(0, b.aio_read(read));
        assertEquals(0, a.shutdown(p[0], SHUT_WR));
        assertEquals(0, await(b, read));
        assertEquals(0, b.aio_return(read));
        aiocb write = new aiocb(p[0], pattern(10, 0), 10, 0);
        assertEquals(0, a.aio_write(write));
        assertEquals(Errno.EPIPE, await(a, write));
        assertEquals(-1, a.shutdown(p[0], 7));
        assertEquals(Errno.EINVAL, a.errno());
    }

    @Test
    void closeCancelsQueuedRequestsAndLetsOnesInProgressFinishBeforeTheNumberIsReused() {
        int[] p = pair();
        // Three writes of 1 MB: the first fills both 256 KiB socket buffers and blocks (the peer does not read),
        // the others queue.
        int size = 1_000_000;
        aiocb[] writes = new aiocb[3];
        for (int i = 0; i < writes.length; i++) {
            writes[i] = new aiocb(p[0], pattern(size, i), size, 0);
            assertEquals(0, a.aio_write(writes[i]));
        }
        aiocb read = new aiocb(p[0], MemorySegment.ofArray(new byte[16]), 16, 0);
        assertEquals(0, a.aio_read(read));
        int[] q = new int[1];
        awaitTrue(() -> a.ioctl(p[0], TIOCOUTQ, q) == 0 && q[0] > 0, "the first write to move bytes");
        assertEquals(0, a.close(p[0]));
        assertEquals(Errno.ECANCELED, a.aio_error(read));
        assertEquals(Errno.EINPROGRESS, a.aio_error(writes[0]), "in progress: it finishes");
        assertEquals(Errno.ECANCELED, a.aio_error(writes[1]));
        assertEquals(Errno.ECANCELED, a.aio_error(writes[2]));
        // The number stays reserved while the write still refers to it: new sockets get every number but it.
        for (int i = 0; i < 3; i++) {
            assertNotEquals(p[0], a.socket(AF_INET, SOCK_STREAM, 0));
        }
        assertEquals(-1, a.aio_cancel(p[0], null));
        assertEquals(Errno.EBADF, a.errno());
        MemorySegment sink = MemorySegment.ofArray(new byte[size]);
        readFully(b, p[1], sink, size);
        assertEquals(0, await(a, writes[0]));
        assertEquals(size, a.aio_return(writes[0]));
        assertEquals(-1, sink.mismatch(writes[0].aio_buf));
        awaitTrue(() -> rt.descriptorsInUse() == 4, "the closed socket's number to be freed");
        int reused = a.socket(AF_INET, SOCK_STREAM, 0);
        assertEquals(p[0], reused, "the lowest free number, once nothing refers to it");
    }

    @Test
    void optionsAreSetAndReadOnTheLoop() {
        int[] p = pair();
        int[] v = new int[1];
        assertEquals(0, a.setsockopt(p[0], IPPROTO_TCP, TCP_NODELAY, 1));
        assertEquals(0, a.getsockopt(p[0], IPPROTO_TCP, TCP_NODELAY, v));
        assertEquals(1, v[0]);
        assertEquals(0, a.setsockopt(p[0], SOL_SOCKET, SO_KEEPALIVE, 1));
        assertEquals(0, a.getsockopt(p[0], SOL_SOCKET, SO_KEEPALIVE, v));
        assertEquals(1, v[0]);
        assertEquals(0, a.getsockopt(p[0], SOL_SOCKET, SO_ERROR, v));
        assertEquals(0, v[0]);
        assertEquals(-1, a.setsockopt(p[0], SOL_SOCKET, 12345, 1));
        assertEquals(Errno.ENOPROTOOPT, a.errno());
        assertEquals(-1, a.setsockopt(p[0], SOL_SOCKET, SO_SNDBUF, 1));
        assertEquals(Errno.EINVAL, a.errno());
    }

    @Test
    void anIdleRuntimeParksItsLoops() {
        int[] p = pair();
        aiocb w = new aiocb(p[0], pattern(10_000, 0), 10_000, 0);
        assertEquals(0, a.aio_write(w));
        readFully(b, p[1], MemorySegment.ofArray(new byte[10_000]), 10_000);
        // Both loop threads end up parked (WAITING, or TIMED_WAITING for a TCP timer), counted as parks.
        for (String name : new String[] {getClass().getSimpleName() + "-a", getClass().getSimpleName() + "-b"}) {
            awaitTrue(() -> Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name)
                    && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING)),
                    name + " to park");
        }
        Map<String, Long> c = rt.counters();
        assertTrue(c.get("loop." + getClass().getSimpleName() + "-a.parks") > 0);
        assertTrue(c.get("loop." + getClass().getSimpleName() + "-b.parks") > 0);
    }
}
