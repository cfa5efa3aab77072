package io.virtaio.aio.net;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.aio.posix.timespec;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * A runtime with two nodes on the in-process virtio wire (node 0 at 10.0.0.1, node 1 at 10.0.0.2), helpers to make
 * connections across it, and the check that closing the runtime leaves nothing behind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class SocketFixture {
    static final long WAIT_NS = TimeUnit.SECONDS.toNanos(20);

    AioRuntime rt;
    Aio a;
    Aio b;

    AioRuntime.Builder runtime() {
        return AioRuntime.builder().config(AioConfig.builder().name(getClass().getSimpleName()).build()).wiredPair();
    }

    @BeforeEach
    void start() {
        rt = runtime().build();
        a = rt.aio(0);
        b = rt.aio(1);
    }

    @AfterEach
    void stop() {
        rt.close();
        assertEquals(0, rt.inFlight(), "requests in flight after close");
        assertEquals(0, rt.ownedMemoryBytes(), "native memory owned after close");
        assertEquals(0, rt.threadsAlive(), "runtime threads alive after close");
    }

    /** A listener on node 1 at {@code port} (0: ephemeral); returns {fd, port}. */
    int[] listen(int port, int backlog) {
        int l = b.socket(AF_INET, SOCK_STREAM, 0);
        assertTrue(l >= 0, () -> Errno.name(b.errno()));
        assertEquals(0, b.bind(l, new sockaddr_in(Nodes.ADDRESS_B, port)), () -> Errno.name(b.errno()));
        assertEquals(0, b.listen(l, backlog));
        sockaddr_in where = new sockaddr_in();
        assertEquals(0, b.getsockname(l, where));
        return new int[] {l, where.sin_port};
    }

    /** A connected pair across the wire: {@code [client on node 0, server on node 1]}. */
    int[] connect(int[] listener) {
        int c = a.socket(AF_INET, SOCK_STREAM, 0);
        assertTrue(c >= 0, () -> Errno.name(a.errno()));
        assertEquals(0, a.connect(c, new sockaddr_in(Nodes.ADDRESS_B, listener[1])), () -> Errno.name(a.errno()));
        int s = b.accept(listener[0], null);
        assertTrue(s >= 0, () -> Errno.name(b.errno()));
        return new int[] {c, s};
    }

    int[] pair() {
        int[] l = listen(0, 8);
        int[] p = connect(l);
        assertEquals(0, b.close(l[0]));
        return p;
    }

    /** Waits (aio_suspend) until {@code cb} is no longer in progress; returns its aio_error. */
    static int await(Aio aio, aiocb cb) {
        long deadline = System.nanoTime() + WAIT_NS;
        int err;
        while ((err = aio.aio_error(cb)) == Errno.EINPROGRESS) {
            aio.aio_suspend(new aiocb[] {cb}, 1, new timespec(1, 0));
            if (System.nanoTime() > deadline) {
                fail("request still in progress after 20 s");
            }
        }
        return err;
    }

    static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    static MemorySegment pattern(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + seed);
        }
        return MemorySegment.ofArray(bytes);
    }

    /** Reads exactly {@code n} bytes from {@code fd} with aio_read into {@code into} at 0. */
    static void readFully(Aio aio, int fd, MemorySegment into, long n) {
        long got = 0;
        aiocb cb = new aiocb(fd, null, 0, 0);
        while (got < n) {
            cb.aio_buf = into.asSlice(got);
            cb.aio_nbytes = n - got;
            assertEquals(0, aio.aio_read(cb));
            assertEquals(0, await(aio, cb), () -> Errno.name(aio.aio_error(cb)));
            long r = aio.aio_return(cb);
            assertTrue(r > 0, "read returned " + r + " after " + got + " of " + n);
            got += r;
        }
    }

    static byte at(MemorySegment s, long i) {
        return s.get(ValueLayout.JAVA_BYTE, i);
    }
}
