package io.virtaio.aio.posix;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Closing a runtime with operations in flight: each completes or is canceled, notifies exactly once, the threads
 * stop, and the counters of requests and owned memory are back to zero.
 */
class RuntimeCloseTest extends FacadeFixture {
    private static final int SIGNO = SIGRTMIN + 5;

    @Test
    void closeWithRequestsQueuedRunningAndBlockedForever() {
        AioRuntime rt = AioRuntime.builder().config(AioConfig.builder().name("closing").fileWorkers(1)
                .closeGraceNs(200_000_000L).build()).build();
        Aio a = rt.aio();
        MemorySegment owned = rt.allocate(1 << 20);
        assertTrue(rt.ownedMemoryBytes() >= 1 << 20);
        Path fifo = mkfifo("blocker");
        int blockerFd = a.open(fifo.toString(), O_RDWR);
        int fileFd = a.open(dir.resolve("file").toString(), O_CREAT | O_RDWR, 0600);
        int count = 200;
        AtomicIntegerArray notified = new AtomicIntegerArray(count);
        SignalRecorder signals = new SignalRecorder(a, SIGNO);
        List<aiocb> cbs = new ArrayList<>();
        aiocb blocker = new aiocb(blockerFd, owned.asSlice(0, 16), 16, 0);
        assertEquals(0, a.aio_read(blocker));
        // Until the worker has taken the blocker, aio_cancel can still cancel it: resubmit until it cannot.
        while (a.aio_cancel(blockerFd, blocker) == AIO_CANCELED) {
            assertEquals(-1, a.aio_return(blocker));
            assertEquals(0, a.aio_read(blocker));
        }
        for (int i = 0; i < count; i++) {
            aiocb cb = new aiocb(fileFd, owned.asSlice(4096L * i, 4096), 4096, 4096L * i);
            if (i % 2 == 0) {
                cb.aio_sigevent.set(sigevent.thread(v -> notified.incrementAndGet(v.sival_int), null));
                cb.aio_sigevent.sigev_value.sival_int = i;
            } else {
                cb.aio_sigevent.set(sigevent.signal(SIGNO, i));
            }
            assertEquals(0, a.aio_write(cb));
            cbs.add(cb);
        }
        rt.close();
        assertTrue(rt.isClosed());
        assertEquals(Errno.ECANCELED, a.aio_error(blocker), "blocked forever: aborted after the grace period");
        for (int i = 0; i < count; i++) {
            assertEquals(Errno.ECANCELED, a.aio_error(cbs.get(i)), "queued behind the blocker: canceled");
            assertEquals(-1, a.aio_return(cbs.get(i)));
        }
        for (int i = 0; i < count; i += 2) {
            assertEquals(1, notified.get(i), "thread notification of " + i);
        }
        assertEquals(count / 2, signals.count(), "one signal per signalling request");
        assertEquals(0, rt.inFlight());
        assertEquals(0, rt.ownedMemoryBytes());
        assertEquals(0, rt.threadsAlive());
        assertEquals(0, rt.descriptorsInUse());
        assertFalse(owned.scope().isAlive(), "the runtime's buffers are freed");
        rt.close();
    }

    @Test
    void closeLetsRequestsInProgressFinish() {
        AioRuntime rt = AioRuntime.builder().config(AioConfig.builder().name("finishing").fileWorkers(2).build())
                .build();
        Aio a = rt.aio();
        int fd = a.open(dir.resolve("big").toString(), O_CREAT | O_RDWR, 0600);
        MemorySegment buf = rt.allocate(8 << 20);
        aiocb big = new aiocb(fd, buf, buf.byteSize(), 0);
        assertEquals(0, a.aio_write(big));
        rt.close();
        int err = a.aio_error(big);
        assertTrue(err == 0 || err == Errno.ECANCELED, Errno.name(err));
        assertEquals(err == 0 ? buf.byteSize() : -1, a.aio_return(big));
        assertEquals(0, rt.inFlight());
        assertEquals(0, rt.ownedMemoryBytes());
        assertEquals(0, rt.threadsAlive());
    }

    @Test
    void anIdleRuntimeClosesAtOnceAndTwice() {
        AioRuntime rt = AioRuntime.create();
        MemorySegment a = rt.allocate(4096);
        MemorySegment b = rt.allocate(4096);
        assertTrue(rt.free(a));
        assertFalse(rt.free(a), "freed twice");
        assertFalse(a.scope().isAlive());
        assertEquals(4096, rt.ownedMemoryBytes());
        rt.close();
        rt.close();
        assertFalse(b.scope().isAlive());
        assertEquals(0, rt.ownedMemoryBytes());
        assertEquals(0, rt.threadsAlive());
    }
}
