package io.virtaio.aio.net;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sigaction;
import io.virtaio.aio.posix.sigevent;
import io.virtaio.netstack.Errno;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Cancellation racing with arriving data, and notifications racing with the status they announce, on sockets (where
 * reads may be filled straight from received segments on the loop while another thread cancels or inspects them).
 */
class SocketRacesTest extends SocketFixture {
    private static final int QUIET = 50;
    private static final int RACING = 1500;

    /** The byte at stream offset {@code o}. */
    static byte content(long o) {
        return (byte) (o * 29 + (o >>> 8));
    }

    /** A pair whose small writes go out at once (no Nagle delay waiting for a delayed ACK). */
    private int[] noDelayPair() {
        int[] p = pair();
        assertEquals(0, a.setsockopt(p[0], IPPROTO_TCP, TCP_NODELAY, 1));
        assertEquals(0, b.setsockopt(p[1], IPPROTO_TCP, TCP_NODELAY, 1));
        return p;
    }

    @Test
    void cancellationRacingWithArrivingDataLeavesEveryAiocbConsistent() throws Exception {
        int[] p = noDelayPair();
        int iterations = QUIET + RACING;
        AtomicIntegerArray notified = new AtomicIntegerArray(iterations);
        // The writer starts after the quiet phase, then sends small chunks as fast as it can, pausing now and then.
        AtomicLong written = new AtomicLong();
        Thread writer = Thread.ofPlatform().unstarted(() -> {
            MemorySegment chunk = MemorySegment.ofArray(new byte[48]);
            long off = 0;
            for (int i = 0; i < 4000; i++) {
                int len = 1 + (i * 17) % 48;
                for (int j = 0; j < len; j++) {
                    chunk.set(ValueLayout.JAVA_BYTE, j, content(off + j));
                }
                assertEquals(len, a.write(p[0], chunk, len));
                off += len;
                written.set(off);
                for (int spin = (i * 7919) % 3000; spin > 0; spin--) {
                    Thread.onSpinWait();
                }
            }
        });
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        int canceled = 0;
        MemorySegment buf = MemorySegment.ofArray(new byte[64]);
        aiocb cb = new aiocb(p[1], buf, 0, 0);
        for (int i = 0; i < iterations; i++) {
            if (i == QUIET) {
                writer.start();
            }
            int iteration = i;
            cb.aio_nbytes = 1 + i % 64;
            cb.aio_sigevent.set(sigevent.thread(v -> notified.incrementAndGet(iteration), null));
            assertEquals(0, b.aio_read(cb));
            for (int spin = (i * 31) % 500; spin > 0; spin--) {
                Thread.onSpinWait();
            }
            int rc = b.aio_cancel(p[1], cb);
            assertTrue(rc == AIO_CANCELED || rc == AIO_NOTCANCELED || rc == AIO_ALLDONE, "aio_cancel: " + rc);
            int err = await(b, cb);
            long ret = b.aio_return(cb);
            if (rc == AIO_CANCELED) {
                canceled++;
                assertEquals(Errno.ECANCELED, err, "canceled: status ECANCELED");
                assertEquals(-1, ret, "canceled: return -1");
            } else {
                assertEquals(0, err, "not canceled: the read completed (cancel said " + rc + ")");
                assertTrue(ret >= 1 && ret <= cb.aio_nbytes, "read returned " + ret);
                received.write(buf.asSlice(0, ret).toArray(ValueLayout.JAVA_BYTE));
            }
            if (err == Errno.ECANCELED) {
                assertEquals(AIO_CANCELED, rc, "ECANCELED only when aio_cancel said so");
            }
        }
        writer.join();
        assertTrue(canceled >= QUIET, "every read of the quiet phase was canceled: " + canceled);
        // Nothing a canceled read was offered is lost: the rest of the stream is still there, in order.
        long total = written.get();
        while (received.size() < total) {
            cb.aio_nbytes = 64;
            cb.aio_sigevent.sigev_notify = SIGEV_NONE;
            assertEquals(0, b.aio_read(cb));
            assertEquals(0, await(b, cb));
            long n = b.aio_return(cb);
            received.write(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        }
        byte[] got = received.toByteArray();
        assertEquals(total, got.length);
        for (int i = 0; i < got.length; i++) {
            if (got[i] != content(i)) {
                fail("stream corrupted at offset " + i);
            }
        }
        // Exactly one notification per request, canceled or not.
        for (int i = 0; i < iterations; i++) {
            int index = i;
            awaitTrue(() -> notified.get(index) >= 1, "notification " + i);
        }
        for (int i = 0; i < iterations; i++) {
            assertEquals(1, notified.get(i), "notifications of request " + i);
        }
    }

    @Test
    void notificationsSeeTheFinalStatusAndTheBytes() throws Exception {
        int[] p = noDelayPair();
        int rounds = 500;
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicIntegerArray seen = new AtomicIntegerArray(rounds);
        MemorySegment out = MemorySegment.ofArray(new byte[32]);
        aiocb read = new aiocb(p[1], MemorySegment.ofArray(new byte[32]), 32, 0);
        // SIGEV_SIGNAL too: the handler runs on the signal thread after the status was published.
        assertEquals(0, b.sigaction(SIGRTMIN, new sigaction((signo, info) -> check(b, read, info.si_value.sival_int,
                problems, seen)), null));
        for (int i = 0; i < rounds; i++) {
            int round = i;
            if (i % 2 == 0) {
                read.aio_sigevent.set(sigevent.thread(v -> check(b, read, round, problems, seen), null));
            } else {
                read.aio_sigevent.set(sigevent.signal(SIGRTMIN, round));
            }
            // Half the reads wait before the data is sent (filled straight from the segment), half after.
            if (i % 4 < 2) {
                assertEquals(0, b.aio_read(read));
                send(out, p[0], i);
            } else {
                send(out, p[0], i);
                awaitTrue(() -> fionread(p[1]) == 32, "the data to arrive");
                assertEquals(0, b.aio_read(read));
            }
            awaitTrue(() -> seen.get(round) == 1, "notification " + round);
        }
        assertTrue(problems.isEmpty(), () -> problems.size() + " problems, first: " + problems.peek());
    }

    private int fionread(int fd) {
        int[] n = new int[1];
        assertEquals(0, b.ioctl(fd, FIONREAD, n));
        return n[0];
    }

    private void send(MemorySegment out, int fd, int round) {
        for (int j = 0; j < 32; j++) {
            out.set(ValueLayout.JAVA_BYTE, j, (byte) (round + j));
        }
        assertEquals(32, a.write(fd, out, 32));
    }

    private static void check(io.virtaio.aio.posix.Aio b, aiocb read, int round, ConcurrentLinkedQueue<String> problems,
            AtomicIntegerArray seen) {
        int err = b.aio_error(read);
        if (err != 0) {
            problems.add("round " + round + ": status " + Errno.name(err) + " in the notification");
        } else {
            long n = b.aio_return(read);
            if (n != 32) {
                problems.add("round " + round + ": read " + n);
            }
            for (int j = 0; j < n; j++) {
                if (read.aio_buf.get(ValueLayout.JAVA_BYTE, j) != (byte) (round + j)) {
                    problems.add("round " + round + ": byte " + j + " not yet visible");
                    break;
                }
            }
        }
        seen.incrementAndGet(round);
    }
}
