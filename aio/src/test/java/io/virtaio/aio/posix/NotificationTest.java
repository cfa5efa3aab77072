package io.virtaio.aio.posix;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Notifications happen after the status is published (decision 6): a SIGEV_THREAD function or a signal handler
 * always sees the final status, the return value and the bytes in the buffer; each request notifies exactly once,
 * failed and canceled ones too.
 */
class NotificationTest extends FacadeFixture {
    private static final int ROUNDS = 1000;
    private static final int SIZE = 256;

    private static byte[] content() {
        byte[] b = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            b[i] = (byte) (i * 13 + 5);
        }
        return b;
    }

    private void readsNotifyAfterTheirStatus(Aio a, int fd) throws InterruptedException {
        byte[] expected = content();
        AtomicInteger bad = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(ROUNDS);
        for (int i = 0; i < ROUNDS; i++) {
            aiocb cb = new aiocb(fd, MemorySegment.ofArray(new byte[SIZE]), SIZE, 0);
            cb.aio_sigevent.set(sigevent.thread(v -> {
                aiocb self = (aiocb) v.sival_ptr;
                if (a.aio_error(self) != 0 || !java.util.Arrays.equals(expected,
                        self.aio_buf.toArray(ValueLayout.JAVA_BYTE)) || a.aio_return(self) != SIZE) {
                    bad.incrementAndGet();
                }
                done.countDown();
            }, null));
            cb.aio_sigevent.sigev_value.sival_ptr = cb;
            assertEquals(0, a.aio_read(cb));
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        assertEquals(0, bad.get());
    }

    @Test
    void aThreadNotificationSeesTheFinalStatusAndTheBytes() throws InterruptedException {
        int fd = open("n", O_CREAT | O_RDWR);
        assertEquals(SIZE, aio.write(fd, MemorySegment.ofArray(content()), SIZE));
        readsNotifyAfterTheirStatus(aio, fd);
    }

    @Test
    void anInlineNotificationRunsOnTheCompletingThreadAfterThePublication() throws InterruptedException {
        try (AioRuntime inline = AioRuntime.builder()
                .config(AioConfig.builder().name("inline").build())
                .notificationExecutor(Runnable::run).build()) {
            Aio a = inline.aio();
            int fd = a.open(dir.resolve("inline").toString(), O_CREAT | O_RDWR, 0600);
            assertEquals(SIZE, a.write(fd, MemorySegment.ofArray(content()), SIZE));
            readsNotifyAfterTheirStatus(a, fd);
        }
    }

    @Test
    void aSignalHandlerSeesTheFinalStatusAndTheValue() {
        int fd = open("s", O_CREAT | O_RDWR);
        AtomicInteger bad = new AtomicInteger();
        SignalRecorder log = new SignalRecorder(aio, SIGNAL);
        assertEquals(0, aio.sigaction(SIGNAL, new sigaction((s, info) -> {
            aiocb self = (aiocb) info.si_value.sival_ptr;
            if (info.si_code != SI_ASYNCIO || info.si_signo != SIGNAL || aio.aio_error(self) != 0
                    || aio.aio_return(self) != 16) {
                bad.incrementAndGet();
            }
            log.handle(s, info);
        }), null));
        for (int i = 0; i < 500; i++) {
            aiocb cb = new aiocb(fd, buffer(16, i), 16, i * 16L);
            cb.aio_sigevent.set(sigevent.signal(SIGNAL, i));
            cb.aio_sigevent.sigev_value.sival_ptr = cb;
            assertEquals(0, aio.aio_write(cb));
        }
        log.await(500);
        assertEquals(0, bad.get());
    }

    @Test
    void failedRequestsNotifyToo() {
        SignalRecorder log = new SignalRecorder(aio, SIGNAL);
        aiocb cb = new aiocb(-1, buffer(4, 0), 4, 0);
        cb.aio_sigevent.set(sigevent.signal(SIGNAL, 42));
        assertEquals(0, aio.aio_read(cb));
        log.await(1);
        assertEquals(42, log.received().get(0).si_value.sival_int);
        assertEquals(Errno.EBADF, aio.aio_error(cb));
    }

    @Test
    void notificationAttributesChooseTheThread() throws InterruptedException {
        int fd = open("attr", O_CREAT | O_RDWR);
        AtomicReference<String> name = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        aiocb cb = new aiocb(fd, buffer(4, 1), 4, 0);
        cb.aio_sigevent.set(sigevent.thread(v -> {
            name.set(Thread.currentThread().getName());
            done.countDown();
        }, null));
        cb.aio_sigevent.sigev_notify_attributes = r -> new Thread(r, "my-notifier");
        assertEquals(0, aio.aio_write(cb));
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals("my-notifier", name.get());
    }

    @Test
    void theNullSignalNotifiesNobodyAndSigqueueIsBounded() {
        int fd = open("null", O_CREAT | O_RDWR);
        aiocb cb = new aiocb(fd, buffer(4, 1), 4, 0);
        cb.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
        cb.aio_sigevent.sigev_signo = 0;
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(0, runtime.counters().get("signals.delivered"));
        CountDownLatch hold = new CountDownLatch(1);
        assertEquals(0, aio.sigaction(SIGNAL, new sigaction((s, i) -> {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), null));
        long max = aio.sysconf(_SC_SIGQUEUE_MAX);
        int queued = 0;
        while (aio.sigqueue(SIGNAL, null) == 0) {
            queued++;
            assertTrue(queued <= max + 1, "sigqueue must stop at SIGQUEUE_MAX");
        }
        assertEquals(Errno.EAGAIN, aio.errno());
        hold.countDown();
    }
}
