package io.virtaio.aio.posix;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.netstack.Errno;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Cancellation racing with completion never leaves an aiocb in an impossible state: the status is 0 with the full
 * count or ECANCELED with -1, it agrees with what aio_cancel reported, and the request notified exactly once.
 */
class CancelRaceTest extends FacadeFixture {
    private static final int ROUNDS = 1500;
    private static final int BATCH = 8;
    private static final int SIZE = 4096;

    @Override
    AioConfig config() {
        return AioConfig.builder().name("race").fileWorkers(2).build();
    }

    /** Checks one aiocb after it settled, given what aio_cancel said about it (-1: not asked individually). */
    private void consistent(aiocb cb, int cancelResult, AtomicIntegerArray notified, int index) {
        int err = awaitDone(cb);
        long ret = aio.aio_return(cb);
        assertTrue(err == 0 || err == Errno.ECANCELED, "status " + Errno.name(err));
        assertEquals(err == 0 ? SIZE : -1, ret, "return value disagrees with status " + Errno.name(err));
        if (cancelResult == AIO_CANCELED) {
            assertEquals(Errno.ECANCELED, err, "AIO_CANCELED but the request ran");
        } else if (cancelResult == AIO_NOTCANCELED || cancelResult == AIO_ALLDONE) {
            assertEquals(0, err, "reported not canceled but it was");
        }
        long deadline = System.nanoTime() + WAIT_NS;
        while (notified.get(index) == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(1, notified.get(index), "notifications");
    }

    private aiocb[] batch(int fd, AtomicIntegerArray notified) {
        aiocb[] cbs = new aiocb[BATCH];
        for (int i = 0; i < BATCH; i++) {
            cbs[i] = new aiocb(fd, buffer(SIZE, i), SIZE, (long) i * SIZE);
            cbs[i].aio_sigevent.set(sigevent.thread(v -> notified.incrementAndGet(v.sival_int), null));
        }
        return cbs;
    }

    @Test
    void cancelingOneRequestWhileItMayBeRunning() {
        int fd = open("one", O_CREAT | O_RDWR);
        AtomicIntegerArray notified = new AtomicIntegerArray(ROUNDS * BATCH);
        aiocb[] cbs = batch(fd, notified);
        for (int round = 0; round < ROUNDS; round++) {
            int[] results = new int[BATCH];
            for (int i = 0; i < BATCH; i++) {
                cbs[i].aio_sigevent.sigev_value.sival_int = round * BATCH + i;
                assertEquals(0, aio.aio_write(cbs[i]));
            }
            for (int i = BATCH - 1; i >= 0; i--) {
                results[i] = aio.aio_cancel(fd, cbs[i]);
            }
            for (int i = 0; i < BATCH; i++) {
                consistent(cbs[i], results[i], notified, round * BATCH + i);
            }
        }
    }

    @Test
    void cancelingAllFromAnotherThreadWhileRequestsComplete() throws Exception {
        int fd = open("all", O_CREAT | O_RDWR);
        AtomicIntegerArray notified = new AtomicIntegerArray(ROUNDS * BATCH);
        aiocb[] cbs = batch(fd, notified);
        CyclicBarrier go = new CyclicBarrier(2);
        AtomicReference<Integer> lastResult = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread canceler = Thread.ofPlatform().start(() -> {
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    go.await();
                    lastResult.set(aio.aio_cancel(fd, null));
                    go.await();
                }
            } catch (Exception e) {
                error.set(e);
            }
        });
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < BATCH; i++) {
                cbs[i].aio_sigevent.sigev_value.sival_int = round * BATCH + i;
                assertEquals(0, aio.aio_write(cbs[i]));
            }
            go.await();
            go.await();
            int result = lastResult.get();
            int canceled = 0;
            for (int i = 0; i < BATCH; i++) {
                int err = awaitDone(cbs[i]);
                canceled += err == Errno.ECANCELED ? 1 : 0;
                consistent(cbs[i], -1, notified, round * BATCH + i);
            }
            if (result == AIO_ALLDONE) {
                assertEquals(0, canceled, "AIO_ALLDONE but something was canceled");
            } else if (result == AIO_CANCELED) {
                assertTrue(canceled > 0, "AIO_CANCELED but nothing was canceled");
            }
        }
        canceler.join();
        assertEquals(null, error.get());
    }
}
