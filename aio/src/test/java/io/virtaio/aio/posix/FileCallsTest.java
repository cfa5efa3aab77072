package io.virtaio.aio.posix;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.netstack.Errno;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The synchronous file calls: open flags, the file offset of read and write, O_APPEND, fsync, priorities. */
class FileCallsTest extends FacadeFixture {

    @Override
    AioConfig config() {
        return AioConfig.builder().name("files").fileWorkers(1).build();
    }

    private static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void readAndWriteAdvanceTheFileOffsetAndPreadDoesNot() {
        int fd = open("offset", O_CREAT | O_RDWR);
        assertEquals(3, aio.write(fd, MemorySegment.ofArray("abc".getBytes()), 3));
        assertEquals(3, aio.write(fd, MemorySegment.ofArray("def".getBytes()), 3));
        MemorySegment two = buffer(2, 0);
        assertEquals(2, aio.pread(fd, two, 2, 1));
        assertArrayEquals("bc".getBytes(), bytes(two));
        assertEquals(2, aio.pwrite(fd, MemorySegment.ofArray("XY".getBytes()), 2, 0));
        assertEquals(0, aio.read(fd, buffer(4, 0), 4), "the offset is at the end: end of file");
        int again = aio.open(dir.resolve("offset").toString(), O_RDONLY);
        MemorySegment all = buffer(6, 0);
        assertEquals(6, aio.read(again, all, 6));
        assertArrayEquals("XYcdef".getBytes(), bytes(all));
    }

    @Test
    void appendWritesGoToTheEndWhateverTheOffsetAndTruncateEmpties() throws IOException {
        Path p = dir.resolve("log");
        Files.writeString(p, "start;");
        int fd = aio.open(p.toString(), O_WRONLY | O_APPEND);
        assertEquals(2, aio.write(fd, MemorySegment.ofArray("a;".getBytes()), 2));
        aiocb cb = new aiocb(fd, MemorySegment.ofArray("b;".getBytes()), 2, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, awaitDone(cb));
        assertEquals(2, aio.pwrite(fd, MemorySegment.ofArray("c;".getBytes()), 2, 0));
        assertEquals("start;a;b;c;", Files.readString(p));
        int t = aio.open(p.toString(), O_WRONLY | O_TRUNC | O_APPEND);
        assertTrue(t >= 0);
        assertEquals(0, Files.size(p));
        assertEquals(1, aio.write(t, MemorySegment.ofArray("z".getBytes()), 1));
        assertEquals("z", Files.readString(p));
    }

    @Test
    void createAppliesTheModeAndExclusiveRefusesAnExistingFile() throws IOException {
        Path p = dir.resolve("mode");
        int fd = aio.open(p.toString(), O_CREAT | O_EXCL | O_RDONLY, 0640);
        assertTrue(fd >= 0, Errno.name(aio.errno()));
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        assertTrue(perms.contains(PosixFilePermission.OWNER_READ));
        assertTrue(perms.contains(PosixFilePermission.OWNER_WRITE));
        assertTrue(!perms.contains(PosixFilePermission.OTHERS_READ));
        assertEquals(-1, aio.open(p.toString(), O_CREAT | O_EXCL | O_RDONLY, 0640));
        assertEquals(Errno.EEXIST, aio.errno());
    }

    @Test
    void syncCallsWaitForEarlierRequests() {
        int fd = open("sync", O_CREAT | O_RDWR | O_DSYNC);
        aiocb cb = new aiocb(fd, buffer(8192, 7), 8192, 0);
        assertEquals(0, aio.aio_write(cb));
        assertEquals(0, aio.fsync(fd));
        assertEquals(0, aio.aio_error(cb), "fsync returned after the write queued before it");
        assertEquals(0, aio.fdatasync(fd));
        int s = open("osync", O_CREAT | O_RDWR | O_SYNC);
        assertEquals(4, aio.write(s, buffer(4, 1), 4));
    }

    @Test
    void higherPriorityRequestsOvertakeQueuedOnesButNeverABarrier() {
        Path fifo = mkfifo("hold");
        int hold = aio.open(fifo.toString(), O_RDWR);
        int fd = open("prio", O_CREAT | O_RDWR | O_APPEND);
        aiocb gate = new aiocb(hold, buffer(1, 0), 1, 0);
        assertEquals(0, aio.aio_read(gate));
        aiocb low1 = append(fd, "L1", 5);
        aiocb low2 = append(fd, "L2", 5);
        aiocb fsync = new aiocb();
        fsync.aio_fildes = fd;
        assertEquals(0, aio.aio_fsync(O_SYNC, fsync));
        aiocb low3 = append(fd, "L3", 5);
        aiocb high = append(fd, "H", 0);
        feed(fifo, new byte[] {1});
        for (aiocb c : new aiocb[] {gate, low1, low2, fsync, low3, high}) {
            assertEquals(0, awaitDone(c));
        }
        MemorySegment all = buffer(7, 0);
        assertEquals(7, aio.pread(fd, all, 7, 0));
        assertEquals("L1L2HL3", new String(bytes(all)), "H overtakes L3 but not the fsync barrier");
    }

    private aiocb append(int fd, String text, int prio) {
        aiocb cb = new aiocb(fd, MemorySegment.ofArray(text.getBytes()), text.length(), 0);
        cb.aio_reqprio = prio;
        assertEquals(0, aio.aio_write(cb));
        return cb;
    }

    @Test
    void sysconfReportsTheOptionsAndFiniteLimits() {
        assertEquals(200809L, aio.sysconf(_SC_ASYNCHRONOUS_IO));
        assertEquals(200809L, aio.sysconf(_SC_PRIORITIZED_IO));
        assertEquals(1024, aio.sysconf(_SC_AIO_MAX));
        assertEquals(256, aio.sysconf(_SC_AIO_LISTIO_MAX));
        assertEquals(20, aio.sysconf(_SC_AIO_PRIO_DELTA_MAX));
        assertEquals(1024, aio.sysconf(_SC_OPEN_MAX));
        assertEquals(SIGRTMAX - SIGRTMIN + 1, aio.sysconf(_SC_RTSIG_MAX));
    }

    @Test
    void descriptorsAreTheLowestFreeNumbersUpToOpenMax() {
        int first = open("a", O_CREAT | O_RDWR);
        int second = open("b", O_CREAT | O_RDWR);
        assertEquals(first + 1, second);
        assertEquals(0, aio.close(first));
        assertEquals(first, open("c", O_CREAT | O_RDWR));
        int n = 0;
        while (aio.open(dir.resolve("a").toString(), O_RDONLY) >= 0) {
            n++;
        }
        assertEquals(Errno.EMFILE, aio.errno());
        assertEquals(aio.sysconf(_SC_OPEN_MAX) - 2, n);
    }
}
