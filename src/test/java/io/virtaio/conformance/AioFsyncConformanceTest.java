package io.virtaio.conformance;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.virtaio.aio.posix.aiocb;
import io.virtaio.netstack.Errno;
import org.junit.jupiter.api.Test;

/** Open POSIX Test Suite, aio_fsync (POSIX.1-2017 aio_fsync), written anew. */
class AioFsyncConformanceTest extends PosixFixture {

    /** A write queued before aio_fsync(op) is no longer in progress once the fsync has completed (decision 7). */
    private void fsyncIsABarrier(String name, int op) {
        int fd = tempFile(name);
        aiocb write = cb(fd, buffer(1024, 0xaa), 1024, 0);
        aiocb fsync = new aiocb();
        fsync.aio_fildes = fd;
        try (Gate gate = closedGate()) {
            assertEquals(Errno.EINPROGRESS, aio.aio_error(gate.request()));
            assertEquals(0, aio.aio_write(write));
            assertEquals(0, aio.aio_fsync(op, fsync));
            assertEquals(Errno.EINPROGRESS, aio.aio_error(write));
        }
        assertEquals(0, awaitDone(fsync));
        assertEquals(0, aio.aio_error(write));
        assertEquals(1024, aio.aio_return(write));
        assertEquals(0, aio.aio_return(fsync));
    }

    /** O_DSYNC: after the fsync completes, the write queued before it has completed. */
    @Test
    void aio_fsync_2_1() {
        fsyncIsABarrier("2-1", O_DSYNC);
    }

    /** O_SYNC: after the fsync completes, the write queued before it has completed. */
    @Test
    void aio_fsync_3_1() {
        fsyncIsABarrier("3-1", O_SYNC);
    }

    /** aio_error and aio_return work on the fsync's aiocb: 0 and 0. */
    @Test
    void aio_fsync_4_1() {
        int fd = tempFile("4-1");
        aiocb write = cb(fd, buffer(1024, 0xaa), 1024, 0);
        assertEquals(0, aio.aio_write(write));
        aiocb fsync = new aiocb();
        fsync.aio_fildes = fd;
        assertEquals(0, aio.aio_fsync(O_SYNC, fsync));
        assertEquals(0, awaitDone(fsync));
        assertEquals(0, aio.aio_error(fsync));
        assertEquals(0, aio.aio_return(fsync));
        assertEquals(0, awaitDone(write));
    }

    /** Right after aio_fsync returns, its status is EINPROGRESS (it waits behind the earlier write). */
    @Test
    void aio_fsync_5_1() {
        int fd = tempFile("5-1");
        aiocb write = cb(fd, buffer(1024, 0xaa), 1024, 0);
        aiocb fsync = new aiocb();
        fsync.aio_fildes = fd;
        int status;
        try (Gate gate = closedGate()) {
            assertEquals(Errno.EINPROGRESS, aio.aio_error(gate.request()));
            assertEquals(0, aio.aio_write(write));
            assertEquals(0, aio.aio_fsync(O_SYNC, fsync));
            status = aio.aio_error(fsync);
        }
        assertEquals(0, awaitDone(fsync));
        assertEquals(0, awaitDone(write));
        assumeTrue(status == Errno.EINPROGRESS, "the fsync was already done: LTP reports UNTESTED");
    }

    /** Every field but aio_fildes and aio_sigevent is ignored. */
    private void ignored(String name, java.util.function.Consumer<aiocb> poison) {
        int fd = tempFile(name);
        aiocb fsync = new aiocb();
        fsync.aio_fildes = fd;
        poison.accept(fsync);
        assertEquals(0, aio.aio_fsync(O_SYNC, fsync));
        assertEquals(0, awaitDone(fsync));
        assertEquals(0, aio.aio_return(fsync));
    }

    /** aio_nbytes -1 is ignored. */
    @Test
    void aio_fsync_8_1() {
        ignored("8-1", cb -> cb.aio_nbytes = -1);
    }

    /** aio_buf NULL is ignored. */
    @Test
    void aio_fsync_8_2() {
        ignored("8-2", cb -> cb.aio_buf = null);
    }

    /** aio_reqprio -1 is ignored. */
    @Test
    void aio_fsync_8_3() {
        ignored("8-3", cb -> cb.aio_reqprio = -1);
    }

    /** aio_offset -1 is ignored. */
    @Test
    void aio_fsync_8_4() {
        ignored("8-4", cb -> cb.aio_offset = -1);
    }

    /** aio_fsync returns 0 once queued. */
    @Test
    void aio_fsync_9_1() {
        int fd = tempFile("9-1");
        aiocb fsync = new aiocb();
        fsync.aio_fildes = fd;
        assertEquals(0, aio.aio_fsync(O_DSYNC, fsync));
        assertEquals(0, awaitDone(fsync));
    }

    /** A bad descriptor fails at once with EBADF (decision 1). */
    @Test
    void aio_fsync_12_1() {
        aiocb fsync = new aiocb();
        fsync.aio_fildes = -1;
        assertEquals(-1, aio.aio_fsync(O_SYNC, fsync));
        assertEquals(Errno.EBADF, aio.errno());
    }

    /** op other than O_SYNC or O_DSYNC: -1/EINVAL. */
    @Test
    void aio_fsync_14_1() {
        int fd = tempFile("14-1");
        aiocb fsync = new aiocb();
        fsync.aio_fildes = fd;
        assertEquals(-1, aio.aio_fsync(-1, fsync));
        assertEquals(Errno.EINVAL, aio.errno());
    }
}
