package io.virtaio.conformance;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.virtaio.aio.posix.aiocb;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Open POSIX Test Suite, aio_read (POSIX.1-2017 aio_read), written anew. */
class AioReadConformanceTest extends PosixFixture {

    /** aio_read reads aio_nbytes from the file into aio_buf. */
    @Test
    void aio_read_1_1() {
        byte[] data = pattern(4096);
        int fd = fileWith("1-1", data, O_RDONLY);
        MemorySegment buf = buffer(4096, 0);
        aiocb cb = cb(fd, buf, 4096, 0);
        assertEquals(0, aio.aio_read(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(4096, aio.aio_return(cb));
        assertArrayEquals(data, bytes(buf));
    }

    /** The aiocb may be used with aio_error and aio_return to learn the outcome. */
    @Test
    void aio_read_3_1() {
        int fd = fileWith("3-1", pattern(1024), O_RDONLY);
        aiocb cb = cb(fd, buffer(1024, 0), 1024, 0);
        assertEquals(0, aio.aio_read(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(0, aio.aio_error(cb));
        assertEquals(1024, aio.aio_return(cb));
    }

    /** A short read: error status 0, return value the bytes available. */
    @Test
    void aio_read_3_2() {
        int fd = tempFile("3-2");
        assertEquals(512, aio.write(fd, buffer(512, 1), 512));
        aiocb cb = cb(fd, buffer(1024, 0), 1024, 0);
        assertEquals(0, aio.aio_read(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(512, aio.aio_return(cb));
    }

    /** The read starts at aio_offset. */
    @Test
    void aio_read_4_1() {
        byte[] data = pattern(8192);
        int fd = fileWith("4-1", data, O_RDONLY);
        MemorySegment buf = buffer(1000, 0);
        aiocb cb = cb(fd, buf, 1000, 3000);
        assertEquals(0, aio.aio_read(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(1000, aio.aio_return(cb));
        assertArrayEquals(Arrays.copyOfRange(data, 3000, 4000), bytes(buf));
    }

    /** aio_lio_opcode is ignored: with LIO_WRITE set, aio_read still reads and the file is not written. */
    @Test
    void aio_read_5_1() {
        byte[] data = pattern(256);
        int fd = fileWith("5-1", data, O_RDWR);
        MemorySegment buf = buffer(256, 0x55);
        aiocb cb = cb(fd, buf, 256, 0);
        cb.aio_lio_opcode = LIO_WRITE;
        assertEquals(0, aio.aio_read(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(256, aio.aio_return(cb));
        assertArrayEquals(data, bytes(buf));
        MemorySegment check = buffer(256, 0);
        assertEquals(256, aio.pread(fd, check, 256, 0));
        assertArrayEquals(data, bytes(check));
    }

    /** aio_read returns 0 once the request is queued. */
    @Test
    void aio_read_7_1() {
        int fd = fileWith("7-1", pattern(64), O_RDONLY);
        aiocb cb = cb(fd, buffer(64, 0), 64, 0);
        assertEquals(0, aio.aio_read(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(64, aio.aio_return(cb));
    }

    /**
     * With prioritized I/O advertised, an invalid aio_reqprio makes aio_read fail (-1) without queueing; the aiocb
     * is otherwise all zeros, as in the C case.
     */
    @Test
    void aio_read_8_1() {
        assumeTrue(aio.sysconf(_SC_PRIORITIZED_IO) >= 200112L, "prioritized I/O not advertised: UNTESTED");
        aiocb cb = new aiocb();
        cb.aio_reqprio = -1;
        assertEquals(-1, aio.aio_read(cb));
    }

    /** EAGAIN once AIO_MAX requests are outstanding (the gate keeps them all queued); nothing is queued then. */
    @Test
    void aio_read_9_1() {
        long aioMax = aio.sysconf(_SC_AIO_MAX);
        assertTrue(aioMax > 0 && aioMax < 100_000, "AIO_MAX must be finite: " + aioMax);
        int fd = fileWith("9-1", pattern(512), O_RDONLY);
        MemorySegment buf = buffer(512, 0);
        List<aiocb> queued = new ArrayList<>();
        int rc;
        try (Gate gate = closedGate()) {
            assertEquals(Errno.EINPROGRESS, aio.aio_error(gate.request()));
            aiocb cb;
            do {
                cb = cb(fd, buf, 512, 0);
                rc = aio.aio_read(cb);
                if (rc == 0) {
                    queued.add(cb);
                }
            } while (rc == 0 && queued.size() <= aioMax);
            assertEquals(-1, rc);
            assertEquals(Errno.EAGAIN, aio.errno());
            assertEquals(aioMax - 1, queued.size(), "the gate's read holds one slot");
            assertEquals(-1, aio.aio_error(cb), "the refused aiocb was never queued");
            assertEquals(Errno.EINVAL, aio.errno());
        }
        for (aiocb c : queued) {
            assertEquals(0, awaitDone(c));
            assertEquals(512, aio.aio_return(c));
        }
    }

    /** A bad descriptor: aio_read returns 0 and the error status becomes EBADF (decision 1, deferred). */
    @Test
    void aio_read_10_1() {
        aiocb cb = cb(-1, buffer(64, 0), 64, 0);
        assertEquals(0, aio.aio_read(cb));
        assertEquals(Errno.EBADF, awaitDone(cb));
        assertEquals(-1, aio.aio_return(cb));
    }

    /** aio_offset -1: EINVAL, either from aio_read or as the error status (here: the status). */
    @Test
    void aio_read_11_1() {
        int fd = fileWith("11-1", pattern(64), O_RDONLY);
        aiocb cb = cb(fd, buffer(64, 0), 64, -1);
        int rc = aio.aio_read(cb);
        if (rc == -1) {
            assertEquals(Errno.EINVAL, aio.errno());
        } else {
            assertEquals(0, rc);
            assertEquals(Errno.EINVAL, awaitDone(cb));
            assertEquals(-1, aio.aio_return(cb));
        }
    }

    /** aio_reqprio -1: aio_read fails at once with EINVAL (decision 2). */
    @Test
    void aio_read_11_2() {
        int fd = fileWith("11-2", pattern(111), O_RDONLY);
        aiocb cb = cb(fd, buffer(111, 0), 111, 0);
        cb.aio_reqprio = -1;
        assertEquals(-1, aio.aio_read(cb));
        assertEquals(Errno.EINVAL, aio.errno());
    }
}
