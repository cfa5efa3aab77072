package io.virtaio.aio.posix;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.virtaio.aio.AioConfig;
import io.virtaio.netstack.Errno;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** lio_listio beyond the conformance cases: empty lists, AIO_MAX for a whole list, interrupted LIO_WAIT. */
class LioListioTest extends FacadeFixture {

    @Override
    AioConfig config() {
        return AioConfig.builder().name("lio").fileWorkers(1).aioMax(16).build();
    }

    @Test
    void aListWithNothingToQueueNotifiesAtOnce() {
        SignalRecorder log = new SignalRecorder(aio, SIGNAL);
        aiocb nop = new aiocb();
        nop.aio_lio_opcode = LIO_NOP;
        assertEquals(0, aio.lio_listio(LIO_NOWAIT, new aiocb[] {null, nop}, 2, sigevent.signal(SIGNAL, 9)));
        log.await(1);
        assertEquals(9, log.received().get(0).si_value.sival_int);
        assertEquals(0, aio.lio_listio(LIO_WAIT, new aiocb[0], 0, null));
        assertEquals(0, aio.lio_listio(LIO_NOWAIT, null, 0, null));
    }

    @Test
    void aListThatDoesNotFitInAioMaxIsRefusedWhole() {
        int fd = open("whole", O_CREAT | O_RDWR);
        aiocb[] list = new aiocb[16];
        for (int i = 0; i < list.length; i++) {
            list[i] = new aiocb(fd, buffer(8, i), 8, i * 8L);
            list[i].aio_lio_opcode = LIO_WRITE;
        }
        assertEquals(-1, aio.lio_listio(LIO_NOWAIT, list, 16, sigevent.signal(SIGNAL, 0)),
                "16 entries and the list notification need 17 slots");
        assertEquals(Errno.EAGAIN, aio.errno());
        for (aiocb cb : list) {
            assertEquals(-1, aio.aio_error(cb), "nothing was queued");
        }
        assertEquals(0, runtime.inFlight());
        assertEquals(0, aio.lio_listio(LIO_WAIT, list, 16, null), "without the notification they fit");
        for (aiocb cb : list) {
            assertEquals(8, aio.aio_return(cb));
        }
    }

    @Test
    void anInterruptedWaitReturnsEintrAndTheEntriesGoOn() throws InterruptedException {
        Path fifo = mkfifo("slow");
        int fd = aio.open(fifo.toString(), O_RDWR);
        aiocb read = new aiocb(fd, buffer(1, 0), 1, 0);
        read.aio_lio_opcode = LIO_READ;
        int[] result = new int[2];
        Thread t = Thread.ofVirtual().start(() -> {
            result[0] = aio.lio_listio(LIO_WAIT, new aiocb[] {read}, 1, null);
            result[1] = aio.errno();
        });
        awaitParked(t);
        t.interrupt();
        t.join();
        assertEquals(-1, result[0]);
        assertEquals(Errno.EINTR, result[1]);
        assertEquals(EINPROGRESS, aio.aio_error(read));
        feed(fifo, new byte[] {1});
        assertEquals(0, awaitDone(read));
        assertEquals(1, aio.aio_return(read));
    }
}
