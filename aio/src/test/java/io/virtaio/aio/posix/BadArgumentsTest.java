package io.virtaio.aio.posix;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Misuse reaches the caller as C would report it, -1 and errno (synchronous) or as the request's error status
 * (deferred, as the read or write itself would fail), never as a Java exception; and nothing is lost: every
 * accepted request completes (the fixture checks that nothing is in flight after close).
 */
class BadArgumentsTest extends FacadeFixture {

    private void fails(int expectedErrno, int rc) {
        assertEquals(-1, rc);
        assertEquals(expectedErrno, aio.errno(), () -> "errno " + Errno.name(aio.errno()));
    }

    private void failsLater(int expectedErrno, aiocb cb, boolean read) {
        assertEquals(0, read ? aio.aio_read(cb) : aio.aio_write(cb));
        assertEquals(expectedErrno, awaitDone(cb), () -> "status " + Errno.name(aio.aio_error(cb)));
        assertEquals(-1, aio.aio_return(cb));
    }

    @Test
    void nullPointersAreBadAddresses() {
        fails(Errno.EFAULT, aio.aio_read(null));
        fails(Errno.EFAULT, aio.aio_write(null));
        fails(Errno.EFAULT, aio.aio_fsync(O_SYNC, null));
        fails(Errno.EFAULT, aio.aio_error(null));
        assertEquals(-1, aio.aio_return(null));
        assertEquals(Errno.EFAULT, aio.errno());
        fails(Errno.EFAULT, aio.aio_suspend(null, 1, null));
        fails(Errno.EFAULT, aio.aio_suspend(new aiocb[1], 2, null));
        fails(Errno.EFAULT, aio.lio_listio(LIO_WAIT, null, 1, null));
        fails(Errno.EFAULT, aio.open(null, O_RDONLY));
    }

    @Test
    void badBuffersFailAsTheTransferWould() {
        int fd = open("buffers", O_CREAT | O_RDWR);
        assertEquals(16, aio.write(fd, buffer(16, 1), 16));
        failsLater(Errno.EFAULT, new aiocb(fd, null, 16, 0), true);
        failsLater(Errno.EFAULT, new aiocb(fd, null, 16, 0), false);
        failsLater(Errno.EFAULT, new aiocb(fd, buffer(8, 0), 16, 0), true);
        failsLater(Errno.EFAULT, new aiocb(fd, buffer(16, 0).asReadOnly(), 16, 0), true);
        failsLater(Errno.EINVAL, new aiocb(fd, buffer(16, 0), -1, 0), true);
        MemorySegment freed;
        try (Arena arena = Arena.ofShared()) {
            freed = arena.allocate(16);
        }
        failsLater(Errno.EFAULT, new aiocb(fd, freed, 16, 0), false);
        aiocb empty = new aiocb(fd, null, 0, 0);
        assertEquals(0, aio.aio_read(empty));
        assertEquals(0, awaitDone(empty));
        assertEquals(0, aio.aio_return(empty));
    }

    @Test
    void aBufferOfAnotherArrayTypeIsCopiedThrough() {
        int fd = open("ints", O_CREAT | O_RDWR);
        MemorySegment ints = MemorySegment.ofArray(new int[] {1, 2, 3, 4});
        aiocb w = new aiocb(fd, ints, 16, 0);
        assertEquals(0, aio.aio_write(w));
        assertEquals(0, awaitDone(w));
        assertEquals(16, aio.aio_return(w));
        MemorySegment back = MemorySegment.ofArray(new int[4]);
        assertEquals(16, aio.pread(fd, back, 16, 0));
        assertEquals(3, back.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, 2));
    }

    @Test
    void descriptorsThatAreClosedOrOfTheWrongModeFailWithEbadf() {
        int ro = open("ro", O_CREAT | O_RDONLY);
        int wo = open("wo", O_CREAT | O_WRONLY);
        failsLater(Errno.EBADF, new aiocb(ro, buffer(4, 1), 4, 0), false);
        failsLater(Errno.EBADF, new aiocb(wo, buffer(4, 1), 4, 0), true);
        aiocb fsync = new aiocb();
        fsync.aio_fildes = ro;
        fails(Errno.EBADF, aio.aio_fsync(O_SYNC, fsync));
        assertEquals(0, aio.close(ro));
        fails(Errno.EBADF, aio.close(ro));
        failsLater(Errno.EBADF, new aiocb(ro, buffer(4, 1), 4, 0), true);
        failsLater(Errno.EBADF, new aiocb(12345, buffer(4, 1), 4, 0), true);
        assertEquals(-1, aio.read(ro, buffer(4, 0), 4));
        assertEquals(Errno.EBADF, aio.errno());
        assertEquals(-1, aio.write(ro, buffer(4, 0), 4));
        assertEquals(Errno.EBADF, aio.errno());
        fails(Errno.EBADF, aio.fsync(-1));
        fails(Errno.EBADF, aio.aio_cancel(ro, null));
    }

    @Test
    void requestsOnTheWrongKindOfDescriptorFail() throws IOException {
        int fifo = aio.open(mkfifo("fifo").toString(), O_RDWR);
        assertTrue(fifo >= 0);
        aiocb fsync = new aiocb();
        fsync.aio_fildes = fifo;
        fails(Errno.EINVAL, aio.aio_fsync(O_DSYNC, fsync));
        fails(Errno.EINVAL, aio.fsync(fifo));
        assertEquals(-1, aio.pread(fifo, buffer(4, 0), 4, 0));
        assertEquals(Errno.ESPIPE, aio.errno());
        fails(Errno.EAFNOSUPPORT, aio.socket(AF_INET, SOCK_STREAM, 0));
        fails(Errno.EBADF, aio.listen(fifo + 100, 1));
        fails(Errno.ENOTSOCK, aio.listen(fifo, 1));
        int dirFd = aio.open(dir.toString(), O_RDONLY);
        assertTrue(dirFd >= 0);
        failsLater(Errno.EISDIR, new aiocb(dirFd, buffer(4, 0), 4, 0), true);
        fails(Errno.EISDIR, aio.open(dir.toString(), O_RDWR));
        Files.writeString(dir.resolve("plain"), "x");
        fails(Errno.ENOTDIR, aio.open(dir.resolve("plain").toString(), O_RDONLY | O_DIRECTORY));
    }

    @Test
    void badFlagsModesAndNamesFailWithEinval() {
        fails(Errno.EINVAL, aio.open(dir.resolve("x").toString(), O_ACCMODE));
        fails(Errno.EINVAL, aio.open(dir.resolve("x").toString(), O_CREAT | 040000000, 0600));
        fails(Errno.ENOENT, aio.open(dir.resolve("missing").toString(), O_RDONLY));
        fails(Errno.ENOENT, aio.open("", O_RDONLY));
        open("exists", O_CREAT | O_RDWR);
        fails(Errno.EEXIST, aio.open(dir.resolve("exists").toString(), O_CREAT | O_EXCL | O_RDWR, 0600));
        int fd = open("f", O_CREAT | O_RDWR);
        aiocb fsync = new aiocb();
        fsync.aio_fildes = fd;
        fails(Errno.EINVAL, aio.aio_fsync(O_RDWR, fsync));
        fails(Errno.EINVAL, aio.aio_suspend(new aiocb[1], -1, null));
        fails(Errno.EINVAL, aio.aio_suspend(new aiocb[] {new aiocb()}, 1, new timespec(0, 1_000_000_000L)));
        fails(Errno.EINVAL, aio.aio_suspend(new aiocb[] {new aiocb()}, 1, new timespec(-1, 0)));
        fails(Errno.EINVAL, aio.lio_listio(LIO_NOWAIT, new aiocb[1], (int) aio.sysconf(_SC_AIO_LISTIO_MAX) + 1,
                null));
        fails(Errno.EINVAL, aio.lio_listio(LIO_WAIT, new aiocb[1], -1, null));
        assertEquals(-1, aio.sysconf(-1));
        assertEquals(Errno.EINVAL, aio.errno());
        fails(Errno.EINVAL, aio.sigaction(0, new sigaction((s, i) -> { }), null));
        fails(Errno.EINVAL, aio.sigaction(SIGKILL, new sigaction((s, i) -> { }), null));
        fails(Errno.EINVAL, aio.sigaction(65, null, null));
        fails(Errno.EINVAL, aio.sigqueue(70, new sigval()));
        assertEquals(Errno.EINVAL, aio.pthread_kill(Thread.currentThread(), 0));
    }

    @Test
    void badSigeventsAndPrioritiesAreRefusedBeforeAnythingIsQueued() {
        int fd = open("sev", O_CREAT | O_RDWR);
        aiocb cb = new aiocb(fd, buffer(4, 1), 4, 0);
        cb.aio_sigevent.sigev_notify = 7;
        fails(Errno.EINVAL, aio.aio_write(cb));
        cb.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
        cb.aio_sigevent.sigev_signo = 99;
        fails(Errno.EINVAL, aio.aio_write(cb));
        cb.aio_sigevent.sigev_notify = SIGEV_THREAD;
        fails(Errno.EINVAL, aio.aio_write(cb));
        cb.aio_sigevent.sigev_notify = SIGEV_NONE;
        cb.aio_reqprio = (int) aio.sysconf(_SC_AIO_PRIO_DELTA_MAX) + 1;
        fails(Errno.EINVAL, aio.aio_write(cb));
        fails(Errno.EINVAL, aio.aio_error(cb));
        assertEquals(0, runtime.inFlight());
        cb.aio_reqprio = (int) aio.sysconf(_SC_AIO_PRIO_DELTA_MAX);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(4, aio.aio_return(cb));
    }

    @Test
    void anAiocbInProgressCannotBeSubmittedAgain() {
        java.nio.file.Path fifo = mkfifo("busy");
        int fd = aio.open(fifo.toString(), O_RDWR);
        aiocb cb = new aiocb(fd, buffer(4, 0), 4, 0);
        assertEquals(0, aio.aio_read(cb));
        fails(Errno.EINVAL, aio.aio_read(cb));
        fails(Errno.EINVAL, aio.aio_write(cb));
        // lio_listio reports an entry it could not queue as EIO; the entry's own status stays the first operation's.
        fails(Errno.EIO, aio.lio_listio(LIO_WAIT, new aiocb[] {cb}, 1, null));
        assertEquals(EINPROGRESS, aio.aio_error(cb), "the first operation is untouched");
        feed(fifo, new byte[] {1, 2, 3, 4});
        assertEquals(0, awaitDone(cb));
        assertEquals(4, aio.aio_return(cb));
    }

    @Test
    void cancelWithAnAiocbOfAnotherDescriptorIsInvalid() {
        int a = open("a", O_CREAT | O_RDWR);
        int b = open("b", O_CREAT | O_RDWR);
        aiocb cb = new aiocb(a, buffer(4, 1), 4, 0);
        fails(Errno.EINVAL, aio.aio_cancel(b, cb));
        assertEquals(AIO_ALLDONE, aio.aio_cancel(a, cb), "never submitted");
    }
}
