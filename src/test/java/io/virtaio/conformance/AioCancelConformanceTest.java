package io.virtaio.conformance;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sigevent;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Open POSIX Test Suite, aio_cancel (POSIX.1-2017 aio_cancel), written anew. Cases that need a request blocked
 * half way (2-1, 7-1) use a socket pair, as the C cases do; the others hold their requests queued behind a
 * {@link Gate}.
 */
class AioCancelConformanceTest extends PosixFixture {
    private static final int WRITE_COUNT = 8;
    private static final int BLOCKED_TASK = 2;
    private static final int BUF_SIZE = 1024;

    private aiocb[] writes(int fd, int count) {
        aiocb[] cbs = new aiocb[count];
        for (int i = 0; i < count; i++) {
            cbs[i] = cb(fd, buffer(BUF_SIZE, 0xaa), BUF_SIZE, 0);
        }
        return cbs;
    }

    /** aio_cancel of one request by its aiocb does not fail; the request ends completed or canceled. */
    @Test
    void aio_cancel_1_1() {
        int fd = tempFile("1-1");
        aiocb cb = cb(fd, buffer(BUF_SIZE, 0xaa), BUF_SIZE, 0);
        assertEquals(0, aio.aio_write(cb));
        int rc = aio.aio_cancel(fd, cb);
        assertNotEquals(-1, rc);
        int err = awaitDone(cb);
        assertEquals(rc == AIO_CANCELED ? Errno.ECANCELED : 0, err);
    }

    /**
     * aio_cancel(fd, NULL) on a socket with writes queued behind one blocked on a full buffer: AIO_CANCELED or
     * AIO_NOTCANCELED, and every write after the blocked one is canceled.
     */
    @Test
    void aio_cancel_2_1() {
        try (AioRuntime rt = SocketSupport.runtime()) {
            Aio a = rt.aio();
            int[] fds = SocketSupport.pair(rt);
            aiocb[] cbs = SocketSupport.writes(fds[0], WRITE_COUNT);
            for (aiocb cb : cbs) {
                assertEquals(0, a.aio_write(cb));
            }
            int rc = a.aio_cancel(fds[0], null);
            assertTrue(rc == AIO_CANCELED || rc == AIO_NOTCANCELED, "aio_cancel: " + rc);
            for (int i = BLOCKED_TASK + 1; i < WRITE_COUNT; i++) {
                assertEquals(Errno.ECANCELED, a.aio_error(cbs[i]), "request " + i);
            }
            SocketSupport.drain(a, fds[1], cbs);
            a.close(fds[0]);
            a.close(fds[1]);
        }
    }

    /** aio_cancel(fd, NULL) on a file with nothing pending does not fail (AIO_ALLDONE). */
    @Test
    void aio_cancel_2_2() {
        int fd = tempFile("2-2");
        aiocb cb = cb(fd, buffer(BUF_SIZE, 0xaa), BUF_SIZE, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(AIO_ALLDONE, aio.aio_cancel(fd, null));
    }

    /**
     * Canceled requests are notified as usual: each write's signal arrives (si_value is its aiocb), and the handler
     * sees ECANCELED through aio_error for the canceled ones.
     */
    @Test
    void aio_cancel_3_1() {
        int fd = tempFile("3-1");
        AtomicInteger canceled = new AtomicInteger();
        SignalLog log = SignalLog.install(aio, SIGRTMIN + 1, (signo, info) -> {
            aiocb a = (aiocb) info.si_value.sival_ptr;
            if (aio.aio_error(a) == Errno.ECANCELED) {
                canceled.incrementAndGet();
            }
            aio.aio_return(a);
        });
        aiocb[] cbs = writes(fd, WRITE_COUNT);
        try (Gate gate = closedGate()) {
            assertEquals(Errno.EINPROGRESS, aio.aio_error(gate.request()));
            for (aiocb cb : cbs) {
                cb.aio_sigevent.set(sigevent.signal(SIGRTMIN + 1, 0));
                cb.aio_sigevent.sigev_value.sival_ptr = cb;
                assertEquals(0, aio.aio_write(cb));
            }
            assertEquals(AIO_CANCELED, aio.aio_cancel(fd, null));
        }
        log.await(WRITE_COUNT);
        SignalLog.drain(aio);
        assertEquals(WRITE_COUNT, log.count());
        assertEquals(WRITE_COUNT, canceled.get());
        for (var info : log.received()) {
            assertEquals(SI_ASYNCIO, info.si_code);
            assertEquals(SIGRTMIN + 1, info.si_signo);
        }
    }

    /** A canceled request's status is ECANCELED and its return value -1. */
    @Test
    void aio_cancel_4_1() {
        int fd = tempFile("4-1");
        aiocb[] cbs = writes(fd, WRITE_COUNT);
        try (Gate gate = closedGate()) {
            assertEquals(Errno.EINPROGRESS, aio.aio_error(gate.request()));
            for (aiocb cb : cbs) {
                assertEquals(0, aio.aio_write(cb));
            }
            assertEquals(AIO_CANCELED, aio.aio_cancel(fd, null));
            for (aiocb cb : cbs) {
                assertEquals(Errno.ECANCELED, aio.aio_error(cb));
                assertEquals(-1, aio.aio_return(cb));
            }
        }
    }

    /** Requests that were not canceled are not modified: their aiocb fields are as submitted. */
    @Test
    void aio_cancel_5_1() {
        int fd = tempFile("5-1");
        aiocb[] cbs = writes(fd, WRITE_COUNT);
        MemorySegment[] bufs = new MemorySegment[WRITE_COUNT];
        for (int i = 0; i < WRITE_COUNT; i++) {
            bufs[i] = cbs[i].aio_buf;
        }
        int completed = 3;
        for (int i = 0; i < completed; i++) {
            assertEquals(0, aio.aio_write(cbs[i]));
            assertEquals(0, awaitDone(cbs[i]));
        }
        try (Gate gate = closedGate()) {
            assertEquals(Errno.EINPROGRESS, aio.aio_error(gate.request()));
            for (int i = completed; i < WRITE_COUNT; i++) {
                assertEquals(0, aio.aio_write(cbs[i]));
            }
            assertEquals(AIO_CANCELED, aio.aio_cancel(fd, null));
        }
        for (int i = 0; i < WRITE_COUNT; i++) {
            int err = aio.aio_error(cbs[i]);
            if (i < completed) {
                assertEquals(0, err);
                assertEquals(fd, cbs[i].aio_fildes);
                assertSame(bufs[i], cbs[i].aio_buf);
                assertEquals(BUF_SIZE, cbs[i].aio_nbytes);
                assertEquals(0, cbs[i].aio_offset);
                assertEquals(SIGEV_NONE, cbs[i].aio_sigevent.sigev_notify);
            } else {
                assertEquals(Errno.ECANCELED, err);
            }
        }
    }

    /** Canceling one queued request of eight: AIO_CANCELED, it is ECANCELED, the others are still in progress. */
    @Test
    void aio_cancel_6_1() {
        int fd = tempFile("6-1");
        int canceledTask = 5;
        aiocb[] cbs = writes(fd, WRITE_COUNT);
        try (Gate gate = closedGate()) {
            assertEquals(Errno.EINPROGRESS, aio.aio_error(gate.request()));
            for (aiocb cb : cbs) {
                assertEquals(0, aio.aio_write(cb));
            }
            assertEquals(AIO_CANCELED, aio.aio_cancel(fd, cbs[canceledTask]));
            for (int i = 0; i < WRITE_COUNT; i++) {
                assertEquals(i == canceledTask ? Errno.ECANCELED : Errno.EINPROGRESS, aio.aio_error(cbs[i]),
                        "request " + i);
            }
        }
        for (int i = 0; i < WRITE_COUNT; i++) {
            assertEquals(i == canceledTask ? Errno.ECANCELED : 0, awaitDone(cbs[i]));
        }
    }

    /**
     * aio_cancel(fd, NULL) with one write in progress (blocked on a full socket buffer after moving some bytes):
     * AIO_NOTCANCELED; the writes before it completed, it is still EINPROGRESS, those after are ECANCELED
     * (decision 4).
     */
    @Test
    void aio_cancel_7_1() {
        try (AioRuntime rt = SocketSupport.runtime()) {
            Aio a = rt.aio();
            int[] fds = SocketSupport.pair(rt);
            aiocb[] cbs = SocketSupport.writes(fds[0], WRITE_COUNT);
            for (aiocb cb : cbs) {
                assertEquals(0, a.aio_write(cb));
            }
            assertEquals(0, awaitDone(a, cbs[BLOCKED_TASK - 1]));
            // #2 has moved bytes (it is in progress) once more than #0 and #1 sit in the two socket buffers.
            SocketSupport.awaitMoved(a, fds[0], rt.aio(1), fds[1], 2 * cbs[0].aio_nbytes);
            assertEquals(AIO_NOTCANCELED, a.aio_cancel(fds[0], null));
            for (int i = 0; i < WRITE_COUNT; i++) {
                int expected = i < BLOCKED_TASK ? 0 : i == BLOCKED_TASK ? Errno.EINPROGRESS : Errno.ECANCELED;
                assertEquals(expected, a.aio_error(cbs[i]), "request " + i);
            }
            SocketSupport.drain(a, fds[1], cbs);
            assertEquals(0, awaitDone(a, cbs[BLOCKED_TASK]));
            a.close(fds[0]);
            a.close(fds[1]);
        }
    }

    /** A request that has completed: AIO_ALLDONE. */
    @Test
    void aio_cancel_8_1() {
        int fd = tempFile("8-1");
        aiocb cb = cb(fd, buffer(BUF_SIZE, 0xaa), BUF_SIZE, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(AIO_ALLDONE, aio.aio_cancel(fd, cb));
    }

    /** A bad descriptor with an aiocb: -1/EBADF, at once (decision 1). */
    @Test
    void aio_cancel_9_1() {
        int fd = tempFile("9-1");
        aiocb cb = cb(fd, buffer(BUF_SIZE, 0xaa), BUF_SIZE, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(-1, aio.aio_cancel(-1, cb));
        assertEquals(Errno.EBADF, aio.errno());
        awaitDone(cb);
    }

    /** A bad descriptor without an aiocb: -1/EBADF. */
    @Test
    void aio_cancel_10_1() {
        assertEquals(-1, aio.aio_cancel(-1, null));
        assertEquals(Errno.EBADF, aio.errno());
    }
}
