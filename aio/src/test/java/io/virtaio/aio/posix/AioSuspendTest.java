package io.virtaio.aio.posix;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.netstack.Errno;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * aio_suspend beyond the conformance cases: how a wait ends (completion, timeout, Thread.interrupt, an emulated
 * signal) and how it waits (parked, never spinning; a virtual thread unmounts).
 */
class AioSuspendTest extends FacadeFixture {
    private Path fifo;
    private int fd;

    @Override
    AioConfig config() {
        return AioConfig.builder().name("suspend").fileWorkers(1).build();
    }

    /** A read on a FIFO: in progress until {@link #feed} is called. */
    private aiocb pendingRead() {
        fifo = mkfifo("p" + System.nanoTime());
        fd = aio.open(fifo.toString(), O_RDWR);
        aiocb cb = new aiocb(fd, buffer(1, 0), 1, 0);
        assertEquals(0, aio.aio_read(cb));
        return cb;
    }

    private void release(aiocb cb) {
        feed(fifo, new byte[] {1});
        assertEquals(0, awaitDone(cb));
    }

    /** Runs aio_suspend on a new virtual thread; result[0] its return, result[1] its errno. */
    private Thread suspendIn(aiocb[] list, timespec timeout, int[] result) {
        return Thread.ofVirtual().start(() -> {
            result[0] = aio.aio_suspend(list, list.length, timeout);
            result[1] = aio.errno();
        });
    }

    @Test
    void aTimeoutEndsTheWaitWithEagainAndAZeroTimeoutOnlyPolls() {
        aiocb cb = pendingRead();
        assertEquals(-1, aio.aio_suspend(new aiocb[] {cb}, 1, new timespec(0, 20_000_000)));
        assertEquals(Errno.EAGAIN, aio.errno());
        assertEquals(-1, aio.aio_suspend(new aiocb[] {cb}, 1, new timespec(0, 0)));
        assertEquals(Errno.EAGAIN, aio.errno());
        release(cb);
        assertEquals(0, aio.aio_suspend(new aiocb[] {cb}, 1, new timespec(0, 0)));
    }

    @Test
    void aListHoldingACompletedRequestReturnsAtOnce() {
        int file = open("done", O_CREAT | O_RDWR);
        aiocb done = new aiocb(file, buffer(8, 1), 8, 0);
        assertEquals(0, aio.aio_write(done));
        assertEquals(0, awaitDone(done));
        aiocb blocked = pendingRead();
        assertEquals(0, aio.aio_suspend(new aiocb[] {done, blocked}, 2, null));
        assertEquals(0, aio.aio_suspend(new aiocb[] {new aiocb()}, 1, null), "never submitted: not in progress");
        release(blocked);
    }

    @Test
    void threadInterruptEndsTheWaitWithEintr() throws InterruptedException {
        aiocb cb = pendingRead();
        int[] result = new int[2];
        Thread t = suspendIn(new aiocb[] {cb}, null, result);
        awaitParked(t);
        t.interrupt();
        t.join();
        assertEquals(-1, result[0]);
        assertEquals(Errno.EINTR, result[1]);
        assertEquals(EINPROGRESS, aio.aio_error(cb), "the request goes on");
        release(cb);
    }

    @Test
    void aCaughtSignalInterruptsTheLongestWaitingThreadAfterItsHandlerRan() throws InterruptedException {
        aiocb cb = pendingRead();
        AtomicInteger handled = new AtomicInteger();
        assertEquals(0, aio.sigaction(SIGUSR1, new sigaction((s, i) -> handled.incrementAndGet()), null));
        int[] first = new int[2];
        int[] second = new int[2];
        Thread t1 = suspendIn(new aiocb[] {cb}, null, first);
        awaitParked(t1);
        Thread t2 = suspendIn(new aiocb[] {cb}, null, second);
        awaitParked(t2);
        assertEquals(0, aio.sigqueue(SIGUSR1, new sigval(5, null)));
        t1.join();
        assertEquals(-1, first[0]);
        assertEquals(Errno.EINTR, first[1]);
        assertEquals(1, handled.get(), "the handler ran before the wait ended");
        assertTrue(t2.isAlive(), "one signal interrupts one thread");
        release(cb);
        t2.join();
        assertEquals(0, second[0]);
    }

    @Test
    void aSignalSentToAThreadInterruptsThatThread() throws InterruptedException {
        aiocb cb = pendingRead();
        assertEquals(0, aio.sigaction(SIGUSR2, new sigaction((s, i) -> { }), null));
        int[] first = new int[2];
        int[] second = new int[2];
        Thread t1 = suspendIn(new aiocb[] {cb}, null, first);
        awaitParked(t1);
        Thread t2 = suspendIn(new aiocb[] {cb}, new timespec(30, 0), second);
        awaitParked(t2);
        assertEquals(0, aio.pthread_kill(t2, SIGUSR2));
        t2.join();
        assertEquals(Errno.EINTR, second[1]);
        assertTrue(t1.isAlive());
        release(cb);
        t1.join();
        assertEquals(0, first[0]);
    }

    @Test
    void aSignalWithoutHandlerInterruptsNobody() {
        aiocb cb = pendingRead();
        assertEquals(0, aio.sigqueue(SIGUSR1, null));
        assertEquals(-1, aio.aio_suspend(new aiocb[] {cb}, 1, new timespec(0, 50_000_000)));
        assertEquals(Errno.EAGAIN, aio.errno(), "SIG_DFL of an emulated signal is: ignore");
        release(cb);
    }

    @Test
    void waitingParksTheThreadAndEveryWaiterIsWoken() throws InterruptedException {
        aiocb cb = pendingRead();
        List<Thread> threads = new ArrayList<>();
        int[][] results = new int[4][2];
        for (int[] r : results) {
            threads.add(suspendIn(new aiocb[] {null, cb}, null, r));
        }
        for (Thread t : threads) {
            awaitParked(t);
        }
        for (int i = 0; i < 20; i++) {
            for (Thread t : threads) {
                assertEquals(Thread.State.WAITING, t.getState(), "a waiting thread is parked, not spinning");
            }
            Thread.sleep(1);
        }
        release(cb);
        for (Thread t : threads) {
            t.join();
        }
        for (int[] r : results) {
            assertEquals(0, r[0]);
        }
    }

    @Test
    void manySuspendedVirtualThreadsDoNotHoldTheirCarriers() throws InterruptedException {
        aiocb cb = pendingRead();
        int waiters = 4 * Runtime.getRuntime().availableProcessors() + 16;
        List<Thread> threads = new ArrayList<>();
        int[][] results = new int[waiters][2];
        for (int[] r : results) {
            threads.add(suspendIn(new aiocb[] {cb}, null, r));
        }
        for (Thread t : threads) {
            awaitParked(t);
        }
        // If the waiters pinned their carriers, no other virtual thread could run now.
        Thread probe = Thread.ofVirtual().start(() -> { });
        probe.join();
        release(cb);
        for (Thread t : threads) {
            t.join();
        }
        for (int[] r : results) {
            assertEquals(0, r[0]);
        }
    }
}
