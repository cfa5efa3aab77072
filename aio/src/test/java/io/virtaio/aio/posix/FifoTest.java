package io.virtaio.aio.posix;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A FIFO is a descriptor whose transfers block, like a socket's: it shows now, on host files, what the socket cases
 * will show once the stack lands: the offset is ignored, a request blocked half way is in progress and cannot be
 * canceled (decision 4), close leaves it to finish and keeps the number reserved meanwhile (glibc bug 14942).
 */
class FifoTest extends FacadeFixture {
    /** Larger than a pipe's buffer (64 KiB on Linux), so that a write blocks after moving part of its bytes. */
    private static final int BIG = 1024 * 1024;

    @Override
    AioConfig config() {
        return AioConfig.builder().name("fifo").fileWorkers(1).build();
    }

    /**
     * Returns once the write at the head of the FIFO's queue has started (moved its first byte): reading one byte
     * from the FIFO blocks until then. The byte is consumed.
     */
    private static void awaitStarted(Path fifo) {
        assertEquals(1, drain(fifo, 1).length);
    }

    @Test
    void theOffsetIsIgnoredAndAReadReturnsWhatIsAvailable() {
        Path fifo = mkfifo("f");
        int fd = aio.open(fifo.toString(), O_RDWR);
        aiocb read = new aiocb(fd, buffer(100, 0), 100, 12345);
        assertEquals(0, aio.aio_read(read));
        feed(fifo, new byte[] {1, 2, 3});
        assertEquals(0, awaitDone(read));
        assertEquals(3, aio.aio_return(read));
        assertArrayEquals(new byte[] {1, 2, 3}, read.aio_buf.asSlice(0, 3).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    @Test
    void aWriteBlockedHalfWayIsInProgressAndTheQueuedOnesAreCanceled() {
        Path fifo = mkfifo("w");
        int fd = aio.open(fifo.toString(), O_RDWR);
        aiocb[] writes = new aiocb[8];
        for (int i = 0; i < writes.length; i++) {
            writes[i] = new aiocb(fd, buffer(BIG, i), BIG, 0);
            assertEquals(0, aio.aio_write(writes[i]));
        }
        awaitStarted(fifo);
        assertEquals(AIO_NOTCANCELED, aio.aio_cancel(fd, null));
        assertEquals(EINPROGRESS, aio.aio_error(writes[0]));
        for (int i = 1; i < writes.length; i++) {
            assertEquals(Errno.ECANCELED, aio.aio_error(writes[i]), "write " + i);
            assertEquals(-1, aio.aio_return(writes[i]));
        }
        assertEquals(AIO_NOTCANCELED, aio.aio_cancel(fd, writes[0]));
        byte[] out = drain(fifo, BIG - 1);
        assertEquals(BIG - 1, out.length);
        assertEquals(0, awaitDone(writes[0]));
        assertEquals(BIG, aio.aio_return(writes[0]));
        assertEquals(AIO_ALLDONE, aio.aio_cancel(fd, writes[0]));
    }

    @Test
    void closeCancelsWhatIsQueuedLetsTheRestFinishAndKeepsTheNumberMeanwhile() {
        Path fifo = mkfifo("c");
        int fd = aio.open(fifo.toString(), O_RDWR);
        aiocb blocked = new aiocb(fd, buffer(BIG, 1), BIG, 0);
        aiocb queued = new aiocb(fd, buffer(16, 2), 16, 0);
        assertEquals(0, aio.aio_write(blocked));
        assertEquals(0, aio.aio_write(queued));
        awaitStarted(fifo);
        assertEquals(0, aio.close(fd));
        assertEquals(Errno.ECANCELED, awaitDone(queued));
        assertEquals(EINPROGRESS, aio.aio_error(blocked));
        int other = open("other", O_CREAT | O_RDWR);
        assertNotEquals(fd, other, "the number of a descriptor with a request in progress is not reused");
        assertEquals(-1, aio.aio_cancel(fd, blocked), "the old descriptor is closed");
        assertEquals(Errno.EBADF, aio.errno());
        drain(fifo, BIG - 1);
        assertEquals(0, awaitDone(blocked));
        assertEquals(BIG, aio.aio_return(blocked));
        long deadline = System.nanoTime() + WAIT_NS;
        while (runtime.descriptorsInUse() > 1 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        int again = open("again", O_CREAT | O_RDWR);
        assertEquals(fd, again, "once nothing refers to it, the lowest number is free again");
    }

    @Test
    void aBlockingReadParksAVirtualThreadAndAnInterruptCancelsItIfStillQueued() throws InterruptedException {
        Path fifo = mkfifo("r");
        int fd = aio.open(fifo.toString(), O_RDWR);
        long[] got = new long[2];
        Thread reader = Thread.ofVirtual().start(() -> {
            got[0] = aio.read(fd, buffer(10, 0), 10);
            got[1] = aio.errno();
        });
        awaitParked(reader);
        feed(fifo, new byte[] {9, 9});
        reader.join();
        assertEquals(2, got[0]);

        // A read queued behind one in progress is canceled by an interrupt: EINTR.
        aiocb first = new aiocb(fd, buffer(1, 0), 1, 0);
        assertEquals(0, aio.aio_read(first));
        Thread second = Thread.ofVirtual().start(() -> {
            got[0] = aio.read(fd, buffer(10, 0), 10);
            got[1] = aio.errno();
        });
        awaitParked(second);
        second.interrupt();
        second.join();
        assertEquals(-1, got[0]);
        assertEquals(Errno.EINTR, got[1]);
        feed(fifo, new byte[] {7});
        assertEquals(0, awaitDone(first));
        assertEquals(1, aio.aio_return(first));
    }

    @Test
    void runtimeCloseAbortsATransferBlockedForeverAfterTheGracePeriod() {
        var rt = io.virtaio.aio.AioRuntime.builder()
                .config(AioConfig.builder().name("abort").fileWorkers(1).closeGraceNs(100_000_000L).build()).build();
        Aio a = rt.aio();
        Path fifo = mkfifo("forever");
        int fd = a.open(fifo.toString(), O_RDWR);
        aiocb stuck = new aiocb(fd, buffer(10, 0), 10, 0);
        assertEquals(0, a.aio_read(stuck));
        SignalRecorder log = new SignalRecorder(a, SIGNAL);
        stuck.aio_sigevent.sigev_notify = SIGEV_NONE;
        aiocb queued = new aiocb(fd, buffer(10, 0), 10, 0);
        queued.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
        queued.aio_sigevent.sigev_signo = SIGNAL;
        assertEquals(0, a.aio_read(queued));
        rt.close();
        assertEquals(Errno.ECANCELED, a.aio_error(stuck));
        assertEquals(Errno.ECANCELED, a.aio_error(queued));
        assertEquals(1, log.count(), "the canceled request was notified, once");
        assertEquals(0, rt.inFlight());
        assertEquals(0, rt.threadsAlive());
        assertTrue(rt.isClosed());
        assertEquals(-1, a.aio_read(new aiocb(fd, MemorySegment.ofArray(new byte[1]), 1, 0)));
        assertEquals(Errno.EAGAIN, a.errno());
        assertEquals(-1, a.open(dir.resolve("late").toString(), O_CREAT | O_RDWR, 0600));
        assertEquals(Errno.EBADF, a.errno());
    }
}
