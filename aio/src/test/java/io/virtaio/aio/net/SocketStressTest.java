package io.virtaio.aio.net;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.AioRing;
import io.virtaio.aio.posix.Completion;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.netstack.Errno;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.tcp.TcpConfig;
import io.virtaio.virtio.backend.LinkModel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * 8 threads drive 100 TCP connections across two virtio hosts, with four writes and four reads in flight per
 * connection, for at least 100,000 operations in all, reaping completions through io_uring-style rings. Checked for
 * every operation: it completes exactly once; in FIFO order per socket and direction (the ring shows completions in
 * the order the socket's loop made them, which must be submission order); with aio_error and aio_return agreeing
 * with the completion; and every byte of every stream arrives intact, in order.
 */
class SocketStressTest extends SocketFixture {
    private static final int THREADS = 8;
    private static final int CONNECTIONS = 100;
    private static final int WRITES_PER_CONNECTION = 500;
    private static final int WINDOW = 4;
    private static final int MIN_OPERATIONS = 100_000;

    @Override
    AioRuntime.Builder runtime() {
        // Small socket buffers keep 200 sockets' native memory modest and make writes wait for the peer.
        TcpConfig tcp = TcpConfig.defaults().withBuffers(32 * 1024, 32 * 1024);
        return AioRuntime.builder().config(AioConfig.builder().name("stress").build())
                .wiredPair(StackConfig.of(Nodes.ADDRESS_A, 24).withTcp(tcp),
                        StackConfig.of(Nodes.ADDRESS_B, 24).withTcp(tcp), LinkModel.UNLIMITED);
    }

    /** The byte at stream offset {@code o} of connection {@code k}. */
    static byte content(int k, long o) {
        return (byte) (o * 131 + k * 7 + (o >>> 9));
    }

    /** One connection's state; touched only by the thread that owns the connection. */
    static final class Conn {
        final int id;
        final int client;
        final int server;
        final int[] writeSizes;
        final long total;
        int writesSubmitted;
        long writeOffset;
        long readOffset;
        long readRequested;
        final ArrayDeque<aiocb> writesInFlight = new ArrayDeque<>();
        final ArrayDeque<aiocb> readsInFlight = new ArrayDeque<>();
        final ArrayDeque<aiocb> freeWrites = new ArrayDeque<>();
        final ArrayDeque<aiocb> freeReads = new ArrayDeque<>();

        Conn(int id, int client, int server, SplittableRandom random) {
            this.id = id;
            this.client = client;
            this.server = server;
            this.writeSizes = new int[WRITES_PER_CONNECTION];
            long t = 0;
            for (int i = 0; i < writeSizes.length; i++) {
                writeSizes[i] = 1 + random.nextInt(2048);
                t += writeSizes[i];
            }
            this.total = t;
            for (int i = 0; i < WINDOW; i++) {
                freeWrites.add(new aiocb(client, MemorySegment.ofArray(new byte[2048]), 0, 0));
                aiocb r = new aiocb(server, MemorySegment.ofArray(new byte[1024]), 0, 0);
                r.aio_lio_opcode = LIO_READ;
                freeReads.add(r);
            }
            for (aiocb w : freeWrites) {
                w.aio_lio_opcode = LIO_WRITE;
            }
        }

        boolean done() {
            return writesSubmitted == writeSizes.length && writesInFlight.isEmpty() && readOffset == total;
        }
    }

    @Test
    void everyRequestCompletesOnceInOrderWithItsBytesIntact() throws Exception {
        int[] listener = listen(0, CONNECTIONS);
        SplittableRandom random = new SplittableRandom(2024);
        List<Conn> conns = new ArrayList<>();
        for (int k = 0; k < CONNECTIONS; k++) {
            int[] p = connect(listener);
            conns.add(new Conn(k, p[0], p[1], random.split()));
        }
        assertEquals(0, b.close(listener[0]));
        AtomicLong operations = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            List<Conn> mine = new ArrayList<>();
            for (int k = t; k < CONNECTIONS; k += THREADS) {
                mine.add(conns.get(k));
            }
            threads.add(Thread.ofPlatform().name("stress-" + t).start(() -> {
                try {
                    operations.addAndGet(drive(mine));
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            Throwable first = failures.peek();
            throw new AssertionError(failures.size() + " threads failed; first: " + first, first);
        }
        assertTrue(operations.get() >= MIN_OPERATIONS, "operations: " + operations.get());
        Map<String, Long> c = rt.counters();
        assertEquals(c.get("requests.submitted"), c.get("requests.completed"), "each request completed once");
        assertEquals(0L, c.get("requests.failed"));
        assertEquals(0L, c.get("requests.canceled"));
        assertEquals(0L, c.get("requests.outstanding"));
        for (Conn conn : conns) {
            assertEquals(0, a.close(conn.client));
            assertEquals(0, b.close(conn.server));
        }
    }

    /** Runs {@code mine} to the end on this thread; returns the operations completed. */
    private long drive(List<Conn> mine) {
        AioRing ring = a.ring(2 * WINDOW * mine.size());
        Map<aiocb, Conn> owner = new IdentityHashMap<>();
        for (Conn c : mine) {
            c.freeWrites.forEach(cb -> owner.put(cb, c));
            c.freeReads.forEach(cb -> owner.put(cb, c));
        }
        for (Conn c : mine) {
            refill(ring, c);
        }
        Completion[] out = new Completion[64];
        for (int i = 0; i < out.length; i++) {
            out[i] = new Completion();
        }
        long ops = 0;
        int live = mine.size();
        while (live > 0) {
            int n = ring.reap(out, 1, out.length, 20_000_000_000L);
            if (n < 0) {
                fail("no completion for 20 s: " + Errno.name(a.errno()));
            }
            for (int i = 0; i < n; i++) {
                aiocb cb = out[i].cb;
                long res = out[i].res;
                Conn c = owner.get(cb);
                assertNotNull(c, "a completion for an aiocb never submitted here");
                boolean write = cb.aio_lio_opcode == LIO_WRITE;
                ArrayDeque<aiocb> inFlight = write ? c.writesInFlight : c.readsInFlight;
                // FIFO per socket and direction; a second completion of one request would not be at the head.
                assertSame(inFlight.poll(), cb, "completion out of order on connection " + c.id);
                assertEquals(0, a.aio_error(cb), "error status agrees with the completion");
                assertEquals(res, a.aio_return(cb), "return value agrees with the completion");
                if (write) {
                    assertEquals(cb.aio_nbytes, res, "a socket write completes whole");
                    c.freeWrites.add(cb);
                } else {
                    assertTrue(res > 0 && res <= cb.aio_nbytes, "read of " + res);
                    for (int j = 0; j < res; j++) {
                        if (cb.aio_buf.get(ValueLayout.JAVA_BYTE, j) != content(c.id, c.readOffset + j)) {
                            fail("connection " + c.id + ": wrong byte at stream offset " + (c.readOffset + j));
                        }
                    }
                    c.readOffset += res;
                    c.readRequested -= cb.aio_nbytes;
                    c.freeReads.add(cb);
                }
                ops++;
                refill(ring, c);
                // Done happens once: with every byte read nothing of the connection is in flight any more.
                if (c.done()) {
                    assertTrue(c.readsInFlight.isEmpty());
                    live--;
                }
            }
        }
        assertEquals(0, ring.outstanding());
        return ops;
    }

    /** Keeps up to WINDOW writes and WINDOW reads in flight (reads never ask beyond the stream's end). */
    private void refill(AioRing ring, Conn c) {
        while (!c.freeWrites.isEmpty() && c.writesSubmitted < c.writeSizes.length) {
            aiocb w = c.freeWrites.poll();
            int len = c.writeSizes[c.writesSubmitted++];
            for (int j = 0; j < len; j++) {
                w.aio_buf.set(ValueLayout.JAVA_BYTE, j, content(c.id, c.writeOffset + j));
            }
            w.aio_nbytes = len;
            c.writeOffset += len;
            submit(ring, w);
            c.writesInFlight.add(w);
        }
        while (!c.freeReads.isEmpty() && c.readOffset + c.readRequested < c.total) {
            aiocb r = c.freeReads.poll();
            long left = c.total - c.readOffset - c.readRequested;
            r.aio_nbytes = Math.min(left, 1 + (c.readOffset * 7 + c.readsInFlight.size() * 131) % 1024);
            c.readRequested += r.aio_nbytes;
            submit(ring, r);
            c.readsInFlight.add(r);
        }
    }

    private void submit(AioRing ring, aiocb cb) {
        while (ring.submit(new aiocb[] {cb}, 0, 1) != 1) {
            assertEquals(Errno.EAGAIN, a.errno(), () -> "submit: " + Errno.name(a.errno()));
            Thread.onSpinWait();
        }
    }
}
