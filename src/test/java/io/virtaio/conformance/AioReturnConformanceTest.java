package io.virtaio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.virtaio.aio.posix.aiocb;
import io.virtaio.netstack.Errno;
import org.junit.jupiter.api.Test;

/** Open POSIX Test Suite, aio_return (POSIX.1-2017 aio_return), written anew. */
class AioReturnConformanceTest extends PosixFixture {

    /** aio_return returns what write would have returned: the byte count. */
    @Test
    void aio_return_1_1() {
        int fd = tempFile("1-1");
        aiocb cb = cb(fd, buffer(111, 0xaa), 111, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(111, aio.aio_return(cb));
    }

    /** aio_return may be called exactly once: the second call returns -1 (decision 5). */
    @Test
    void aio_return_2_1() {
        int fd = tempFile("2-1");
        aiocb cb = cb(fd, buffer(111, 0xaa), 111, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(111, aio.aio_return(cb));
        assertEquals(-1, aio.aio_return(cb));
        assertEquals(Errno.EINVAL, aio.errno());
    }

    /** An aiocb used for another operation after aio_return works again, with the new operation's result. */
    @Test
    void aio_return_3_1() {
        int fd = tempFile("3-1");
        aiocb cb = cb(fd, buffer(4096, 0xaa), 4096, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(4096, aio.aio_return(cb));
        cb.aio_nbytes = 2048;
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(2048, aio.aio_return(cb));
    }

    /** After the one aio_return, a second one fails and aio_error reports EINVAL (decision 5). */
    @Test
    void aio_return_3_2() {
        int fd = tempFile("3-2");
        aiocb cb = cb(fd, buffer(4096, 0xaa), 4096, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(4096, aio.aio_return(cb));
        assertEquals(-1, aio.aio_return(cb));
        assertEquals(Errno.EINVAL, aio.errno());
        assertEquals(-1, aio.aio_error(cb));
        assertEquals(Errno.EINVAL, aio.errno());
    }

    /**
     * aio_return on an aiocb that never carried an operation fails with EINVAL; the completed one still returns its
     * count. The C case also demands aio_error of the completed, not yet returned aiocb be EINVAL, which contradicts
     * aio_error (its status is 0), and so reports UNTESTED on every correct implementation: the well-defined part is
     * checked, then the case is skipped for that reason.
     */
    @Test
    void aio_return_4_1() {
        int fd = tempFile("4-1");
        aiocb cb = cb(fd, buffer(111, 0xaa), 111, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        aiocb fresh = cb(fd, buffer(111, 0xaa), 111, 0);
        assertEquals(-1, aio.aio_return(fresh));
        assertEquals(Errno.EINVAL, aio.errno());
        assertEquals(0, aio.aio_error(cb));
        assertEquals(111, aio.aio_return(cb));
        assumeTrue(false, "UNTESTED upstream: the C case requires aio_error == EINVAL for an unreturned, completed "
                + "aiocb, which POSIX contradicts");
    }
}
