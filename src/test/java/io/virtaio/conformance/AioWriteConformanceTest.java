package io.virtaio.conformance;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.virtaio.aio.posix.aiocb;
import io.virtaio.netstack.Errno;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Open POSIX Test Suite, aio_write (POSIX.1-2017 aio_write), written anew. */
class AioWriteConformanceTest extends PosixFixture {

    private byte[] fileContent(int fd, int size) {
        MemorySegment check = buffer(size, 0);
        assertEquals(size, aio.pread(fd, check, size, 0));
        return bytes(check);
    }

    /** aio_write writes aio_nbytes of aio_buf to the file. */
    @Test
    void aio_write_1_1() {
        int fd = tempFile("1-1");
        byte[] data = pattern(4096);
        aiocb cb = cb(fd, MemorySegment.ofArray(data), 4096, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(4096, aio.aio_return(cb));
        assertArrayEquals(data, fileContent(fd, 4096));
    }

    /** The write lands at aio_offset. */
    @Test
    void aio_write_1_2() {
        int fd = tempFile("1-2");
        assertEquals(1024, aio.write(fd, buffer(1024, 0x11), 1024));
        aiocb cb = cb(fd, buffer(256, 0x22), 256, 512);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(256, aio.aio_return(cb));
        byte[] expect = new byte[1024];
        Arrays.fill(expect, (byte) 0x11);
        Arrays.fill(expect, 512, 768, (byte) 0x22);
        assertArrayEquals(expect, fileContent(fd, 1024));
    }

    /** With O_APPEND every write goes to the end, whatever aio_offset says: three writes land in call order. */
    @Test
    void aio_write_2_1() {
        int fd = tempFile("2-1", O_CREAT | O_RDWR | O_EXCL | O_APPEND);
        aiocb[] cbs = {cb(fd, buffer(100, 'a'), 100, 0), cb(fd, buffer(200, 'b'), 200, 0),
            cb(fd, buffer(300, 'c'), 300, 0)};
        for (aiocb cb : cbs) {
            assertEquals(0, aio.aio_write(cb));
        }
        awaitAllDone(cbs);
        for (aiocb cb : cbs) {
            assertEquals(0, aio.aio_error(cb));
            assertEquals(cb.aio_nbytes, aio.aio_return(cb));
        }
        byte[] expect = new byte[600];
        Arrays.fill(expect, 0, 100, (byte) 'a');
        Arrays.fill(expect, 100, 300, (byte) 'b');
        Arrays.fill(expect, 300, 600, (byte) 'c');
        assertArrayEquals(expect, fileContent(fd, 600));
    }

    /** aio_lio_opcode is ignored: with LIO_READ set, aio_write still writes. */
    @Test
    void aio_write_3_1() {
        int fd = tempFile("3-1");
        byte[] data = pattern(512);
        aiocb cb = cb(fd, MemorySegment.ofArray(data), 512, 0);
        cb.aio_lio_opcode = LIO_READ;
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(512, aio.aio_return(cb));
        assertArrayEquals(data, fileContent(fd, 512));
    }

    /** aio_write returns 0 once the request is queued. */
    @Test
    void aio_write_5_1() {
        int fd = tempFile("5-1");
        aiocb cb = cb(fd, buffer(64, 7), 64, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(64, aio.aio_return(cb));
    }

    /** With prioritized I/O advertised, aio_reqprio -1 makes aio_write fail with EINVAL. */
    @Test
    void aio_write_6_1() {
        assumeTrue(aio.sysconf(_SC_PRIORITIZED_IO) >= 200112L, "prioritized I/O not advertised: UNTESTED");
        int fd = tempFile("6-1");
        aiocb cb = cb(fd, buffer(64, 7), 64, 0);
        cb.aio_reqprio = -1;
        assertEquals(-1, aio.aio_write(cb));
        assertEquals(Errno.EINVAL, aio.errno());
    }

    /** EAGAIN once AIO_MAX requests are outstanding; the refused write is not queued. */
    @Test
    void aio_write_7_1() {
        long aioMax = aio.sysconf(_SC_AIO_MAX);
        assertTrue(aioMax > 0 && aioMax < 100_000, "AIO_MAX must be finite: " + aioMax);
        int fd = tempFile("7-1");
        MemorySegment buf = buffer(512, 3);
        List<aiocb> queued = new ArrayList<>();
        int rc;
        try (Gate gate = closedGate()) {
            assertEquals(Errno.EINPROGRESS, aio.aio_error(gate.request()));
            do {
                aiocb cb = cb(fd, buf, 512, 512L * queued.size());
                rc = aio.aio_write(cb);
                if (rc == 0) {
                    queued.add(cb);
                }
            } while (rc == 0 && queued.size() <= aioMax);
            assertEquals(-1, rc);
            assertEquals(Errno.EAGAIN, aio.errno());
            assertEquals(aioMax - 1, queued.size());
        }
        for (aiocb c : queued) {
            assertEquals(0, awaitDone(c));
            assertEquals(512, aio.aio_return(c));
        }
    }

    /** A bad descriptor: aio_write returns 0, the error status becomes EBADF (decision 1). */
    @Test
    void aio_write_8_1() {
        aiocb cb = cb(-1, buffer(64, 1), 64, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(Errno.EBADF, awaitDone(cb));
        assertEquals(-1, aio.aio_return(cb));
    }

    /** A descriptor open for reading only: aio_write returns 0, the error status becomes EBADF. */
    @Test
    void aio_write_8_2() throws IOException {
        Path p = dir.resolve("8-2");
        Files.write(p, pattern(64));
        int fd = aio.open(p.toString(), O_RDONLY);
        assertTrue(fd >= 0);
        aiocb cb = cb(fd, buffer(64, 1), 64, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(Errno.EBADF, awaitDone(cb));
        assertEquals(-1, aio.aio_return(cb));
        assertArrayEquals(pattern(64), Files.readAllBytes(p));
    }

    /** aio_offset -1: EINVAL, from aio_write or as the error status. */
    @Test
    void aio_write_9_1() {
        int fd = tempFile("9-1");
        aiocb cb = cb(fd, buffer(64, 1), 64, -1);
        int rc = aio.aio_write(cb);
        if (rc == -1) {
            assertEquals(Errno.EINVAL, aio.errno());
        } else {
            assertEquals(0, rc);
            assertEquals(Errno.EINVAL, awaitDone(cb));
            assertEquals(-1, aio.aio_return(cb));
        }
    }

    /** aio_reqprio -1: EINVAL, from aio_write (decision 2: at once). */
    @Test
    void aio_write_9_2() {
        int fd = tempFile("9-2");
        aiocb cb = cb(fd, buffer(64, 1), 64, 0);
        cb.aio_reqprio = -1;
        assertEquals(-1, aio.aio_write(cb));
        assertEquals(Errno.EINVAL, aio.errno());
    }
}
