package io.virtaio.conformance;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sigevent;
import io.virtaio.aio.posix.siginfo_t;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Open POSIX Test Suite, lio_listio (POSIX.1-2017 lio_listio), written anew. */
class LioListioConformanceTest extends PosixFixture {
    private static final int NUM_AIOCBS = 10;
    private static final int BUF_SIZE = 1024;
    private static final int REQUEST_SIGNAL = SIGRTMIN + 1;
    private static final int LIST_SIGNAL = SIGRTMIN + 2;

    /** Ten writes of distinct bytes at distinct offsets, each signalling REQUEST_SIGNAL with its index. */
    private aiocb[] writes(int fd, int size, boolean signalEach) {
        aiocb[] cbs = new aiocb[NUM_AIOCBS];
        for (int i = 0; i < NUM_AIOCBS; i++) {
            cbs[i] = cb(fd, buffer(size, i + 1), size, (long) i * size);
            cbs[i].aio_lio_opcode = LIO_WRITE;
            if (signalEach) {
                cbs[i].aio_sigevent.set(sigevent.signal(REQUEST_SIGNAL, i));
            }
        }
        return cbs;
    }

    private void assertDone(aiocb cb, long expected) {
        assertEquals(0, aio.aio_error(cb));
        assertEquals(expected, aio.aio_return(cb));
    }

    /** LIO_WAIT returns once every request is complete, and ignores sig: no list signal is sent. */
    @Test
    void lio_listio_1_1() {
        int fd = tempFile("1-1");
        SignalLog listDone = SignalLog.install(aio, REQUEST_SIGNAL);
        aiocb[] cbs = writes(fd, 256 * 1024, false);
        assertEquals(0, aio.lio_listio(LIO_WAIT, cbs, NUM_AIOCBS, sigevent.signal(REQUEST_SIGNAL, 0)));
        for (aiocb cb : cbs) {
            assertNotEquals(Errno.EINPROGRESS, aio.aio_error(cb));
            assertDone(cb, 256 * 1024);
        }
        SignalLog.drain(aio);
        assertEquals(0, listDone.count());
    }

    /**
     * LIO_NOWAIT returns at once, with the requests still in progress (held behind the gate) and no list signal yet;
     * the list signal arrives once they are all done.
     */
    @Test
    void lio_listio_2_1() {
        int fd = tempFile("2-1");
        SignalLog listDone = SignalLog.install(aio, LIST_SIGNAL);
        aiocb[] cbs = writes(fd, BUF_SIZE, false);
        try (Gate gate = closedGate()) {
            assertEquals(Errno.EINPROGRESS, aio.aio_error(gate.request()));
            assertEquals(0, aio.lio_listio(LIO_NOWAIT, cbs, NUM_AIOCBS, sigevent.signal(LIST_SIGNAL, 0)));
            for (aiocb cb : cbs) {
                assertEquals(Errno.EINPROGRESS, aio.aio_error(cb));
            }
            SignalLog.drain(aio);
            assertEquals(0, listDone.count(), "list completion signalled too early");
        }
        listDone.await(1);
        for (aiocb cb : cbs) {
            assertDone(cb, BUF_SIZE);
        }
    }

    /** LIO_NOWAIT with sig: the notification comes when all requests are complete, after theirs. */
    @Test
    void lio_listio_3_1() {
        int fd = tempFile("3-1");
        SignalLog each = SignalLog.install(aio, REQUEST_SIGNAL);
        SignalLog all = SignalLog.install(aio, LIST_SIGNAL);
        aiocb[] cbs = writes(fd, BUF_SIZE, true);
        assertEquals(0, aio.lio_listio(LIO_NOWAIT, cbs, NUM_AIOCBS, sigevent.signal(LIST_SIGNAL, 0)));
        all.await(1);
        // Signals are delivered in the order they were queued: every request's came before the list's.
        assertEquals(NUM_AIOCBS, each.count());
        for (aiocb cb : cbs) {
            assertDone(cb, BUF_SIZE);
        }
    }

    /** NULL entries are ignored: 3 NULL of 10 give exactly 7 request signals, then the list signal. */
    @Test
    void lio_listio_4_1() {
        int fd = tempFile("4-1");
        SignalLog each = SignalLog.install(aio, REQUEST_SIGNAL);
        SignalLog all = SignalLog.install(aio, LIST_SIGNAL);
        aiocb[] cbs = writes(fd, BUF_SIZE, true);
        cbs[0] = null;
        cbs[3] = null;
        cbs[NUM_AIOCBS - 1] = null;
        assertEquals(0, aio.lio_listio(LIO_NOWAIT, cbs, NUM_AIOCBS, sigevent.signal(LIST_SIGNAL, 0)));
        all.await(1);
        SignalLog.drain(aio);
        assertEquals(NUM_AIOCBS - 3, each.count());
        Set<Integer> seen = new HashSet<>();
        for (siginfo_t info : each.received()) {
            assertEquals(SI_ASYNCIO, info.si_code);
            seen.add(info.si_value.sival_int);
        }
        assertEquals(Set.of(1, 2, 4, 5, 6, 7, 8), seen);
        for (aiocb cb : cbs) {
            if (cb != null) {
                assertDone(cb, BUF_SIZE);
            }
        }
    }

    /** LIO_WRITE, LIO_READ and LIO_NOP are accepted; an entry with opcode -1 makes LIO_WAIT fail with EIO. */
    @Test
    void lio_listio_5_1() {
        int fd = tempFile("5-1");
        MemorySegment buf = buffer(BUF_SIZE, 0x5a);
        aiocb[] cbs = new aiocb[3];
        int[] ops = {LIO_WRITE, LIO_READ, LIO_NOP};
        for (int i = 0; i < 3; i++) {
            cbs[i] = cb(fd, buf, BUF_SIZE, 0);
            cbs[i].aio_lio_opcode = ops[i];
        }
        assertEquals(0, aio.lio_listio(LIO_WAIT, cbs, 3, null));
        assertDone(cbs[0], BUF_SIZE);
        assertEquals(0, aio.aio_error(cbs[1]));
        cbs[0].aio_lio_opcode = -1;
        assertEquals(-1, aio.lio_listio(LIO_WAIT, cbs, 1, null));
        assertEquals(Errno.EIO, aio.errno());
        assertEquals(Errno.EINVAL, aio.aio_error(cbs[0]), "decision 8: the bad entry's status is EINVAL");
        assertEquals(-1, aio.aio_return(cbs[0]));
    }

    /** The mode and opcode constants exist, with distinct values (glibc's). */
    @Test
    void lio_listio_6_1() {
        assertNotEquals(LIO_WAIT, LIO_NOWAIT);
        assertEquals(3, new HashSet<>(Arrays.asList(LIO_READ, LIO_WRITE, LIO_NOP)).size());
        assertEquals(0, LIO_WAIT);
        assertEquals(1, LIO_NOWAIT);
        assertEquals(0, LIO_READ);
        assertEquals(1, LIO_WRITE);
        assertEquals(2, LIO_NOP);
    }

    /** LIO_NOP entries are ignored: 2 NOPs of 10 give exactly 8 request signals. */
    @Test
    void lio_listio_7_1() {
        int fd = tempFile("7-1");
        SignalLog each = SignalLog.install(aio, REQUEST_SIGNAL);
        SignalLog all = SignalLog.install(aio, LIST_SIGNAL);
        aiocb[] cbs = writes(fd, BUF_SIZE, true);
        cbs[2].aio_lio_opcode = LIO_NOP;
        cbs[7].aio_lio_opcode = LIO_NOP;
        assertEquals(0, aio.lio_listio(LIO_NOWAIT, cbs, NUM_AIOCBS, sigevent.signal(LIST_SIGNAL, 0)));
        all.await(1);
        SignalLog.drain(aio);
        assertEquals(NUM_AIOCBS - 2, each.count());
        assertEquals(-1, aio.aio_error(cbs[2]), "a NOP entry is never submitted");
    }

    /** LIO_READ entries behave as aio_read: the file's bytes arrive at each entry's offset. */
    @Test
    void lio_listio_8_1() {
        byte[] data = pattern(NUM_AIOCBS * BUF_SIZE);
        int fd = fileWith("8-1", data, O_RDONLY);
        aiocb[] cbs = new aiocb[NUM_AIOCBS];
        for (int i = 0; i < NUM_AIOCBS; i++) {
            cbs[i] = cb(fd, buffer(BUF_SIZE, 0), BUF_SIZE, (long) i * BUF_SIZE);
            cbs[i].aio_lio_opcode = LIO_READ;
        }
        assertEquals(0, aio.lio_listio(LIO_WAIT, cbs, NUM_AIOCBS, null));
        for (int i = 0; i < NUM_AIOCBS; i++) {
            assertDone(cbs[i], BUF_SIZE);
            assertArrayEquals(Arrays.copyOfRange(data, i * BUF_SIZE, (i + 1) * BUF_SIZE), bytes(cbs[i].aio_buf));
        }
    }

    /** LIO_WRITE entries behave as aio_write: each entry's bytes land at its offset. */
    @Test
    void lio_listio_9_1() {
        int fd = tempFile("9-1");
        aiocb[] cbs = writes(fd, BUF_SIZE, false);
        assertEquals(0, aio.lio_listio(LIO_WAIT, cbs, NUM_AIOCBS, null));
        MemorySegment check = buffer(NUM_AIOCBS * BUF_SIZE, 0);
        assertEquals(NUM_AIOCBS * BUF_SIZE, aio.pread(fd, check, NUM_AIOCBS * BUF_SIZE, 0));
        byte[] got = bytes(check);
        for (int i = 0; i < NUM_AIOCBS; i++) {
            assertDone(cbs[i], BUF_SIZE);
            for (int j = 0; j < BUF_SIZE; j++) {
                assertEquals((byte) (i + 1), got[i * BUF_SIZE + j]);
            }
        }
    }

    /** LIO_NOWAIT returns 0 when everything was queued; the requests complete. */
    @Test
    void lio_listio_10_1() {
        int fd = tempFile("10-1");
        SignalLog all = SignalLog.install(aio, LIST_SIGNAL);
        aiocb[] cbs = writes(fd, BUF_SIZE, true);
        assertEquals(0, aio.lio_listio(LIO_NOWAIT, cbs, NUM_AIOCBS, sigevent.signal(LIST_SIGNAL, 0)));
        all.await(1);
        for (aiocb cb : cbs) {
            assertDone(cb, BUF_SIZE);
        }
    }

    /** LIO_WAIT returns 0 when every request succeeded. */
    @Test
    void lio_listio_12_1() {
        int fd = tempFile("12-1");
        aiocb[] cbs = writes(fd, BUF_SIZE, false);
        assertEquals(0, aio.lio_listio(LIO_WAIT, cbs, NUM_AIOCBS, null));
        for (aiocb cb : cbs) {
            assertDone(cb, BUF_SIZE);
        }
    }

    /** Entry #2 with opcode -1 under LIO_WAIT: -1/EIO; the other entries complete (decision 8). */
    @Test
    void lio_listio_13_1() {
        int fd = tempFile("13-1");
        aiocb[] cbs = writes(fd, BUF_SIZE, false);
        cbs[2].aio_lio_opcode = -1;
        assertEquals(-1, aio.lio_listio(LIO_WAIT, cbs, NUM_AIOCBS, null));
        assertEquals(Errno.EIO, aio.errno());
        for (int i = 0; i < NUM_AIOCBS; i++) {
            if (i == 2) {
                assertEquals(Errno.EINVAL, aio.aio_error(cbs[i]));
            } else {
                assertDone(cbs[i], BUF_SIZE);
            }
        }
    }

    /**
     * One failing entry (#2 with fd -1) does not stop the others: LIO_NOWAIT returns 0, all ten requests signal
     * (the failed one too, with EBADF), then the list signals.
     */
    @Test
    void lio_listio_14_1() {
        int fd = tempFile("14-1");
        SignalLog each = SignalLog.install(aio, REQUEST_SIGNAL);
        SignalLog all = SignalLog.install(aio, LIST_SIGNAL);
        aiocb[] cbs = writes(fd, BUF_SIZE, true);
        cbs[2].aio_fildes = -1;
        assertEquals(0, aio.lio_listio(LIO_NOWAIT, cbs, NUM_AIOCBS, sigevent.signal(LIST_SIGNAL, 0)));
        all.await(1);
        assertEquals(NUM_AIOCBS, each.count());
        for (int i = 0; i < NUM_AIOCBS; i++) {
            if (i == 2) {
                assertEquals(Errno.EBADF, aio.aio_error(cbs[i]));
                assertEquals(-1, aio.aio_return(cbs[i]));
            } else {
                assertDone(cbs[i], BUF_SIZE);
            }
        }
    }

    /** Each entry's error status and return value are what aio_read or aio_write would give. */
    @Test
    void lio_listio_15_1() {
        byte[] data = pattern(4 * BUF_SIZE);
        int fd = fileWith("15-1", data, O_RDWR);
        aiocb[] list = new aiocb[4];
        aiocb[] single = new aiocb[4];
        for (int i = 0; i < 4; i++) {
            boolean read = i % 2 == 0;
            long length = read ? BUF_SIZE * 3L : BUF_SIZE;
            list[i] = cb(fd, buffer((int) length, i), length, (long) i * BUF_SIZE);
            list[i].aio_lio_opcode = read ? LIO_READ : LIO_WRITE;
            single[i] = cb(fd, buffer((int) length, i), length, (long) i * BUF_SIZE);
        }
        assertEquals(0, aio.lio_listio(LIO_WAIT, list, 4, null));
        for (int i = 0; i < 4; i++) {
            assertEquals(0, i % 2 == 0 ? aio.aio_read(single[i]) : aio.aio_write(single[i]));
            assertEquals(awaitDone(single[i]), aio.aio_error(list[i]));
            assertEquals(aio.aio_return(single[i]), aio.aio_return(list[i]), "entry " + i);
        }
    }

    /** An invalid mode: -1/EINVAL, and no entry was initiated. */
    @Test
    void lio_listio_18_1() {
        int fd = tempFile("18-1");
        aiocb[] cbs = writes(fd, BUF_SIZE, false);
        assertEquals(-1, aio.lio_listio(-1, cbs, NUM_AIOCBS, null));
        assertEquals(Errno.EINVAL, aio.errno());
        for (aiocb cb : cbs) {
            assertEquals(-1, aio.aio_error(cb));
            assertEquals(Errno.EINVAL, aio.errno());
        }
    }
}
