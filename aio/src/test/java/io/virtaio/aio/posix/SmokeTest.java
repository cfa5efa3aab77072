package io.virtaio.aio.posix;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.*;

import io.virtaio.aio.AioRuntime;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
    @TempDir
    Path dir;

    @Test
    void writeThenRead() {
        try (AioRuntime rt = AioRuntime.create()) {
            Aio aio = rt.aio();
            int fd = aio.open(dir.resolve("f").toString(), O_CREAT | O_RDWR, 0600);
            assertTrue(fd >= 0, "open: " + aio.errno());
            MemorySegment buf = MemorySegment.ofArray("hello world".getBytes());
            aiocb cb = new aiocb(fd, buf, buf.byteSize(), 0);
            assertEquals(0, aio.aio_write(cb));
            assertEquals(0, aio.aio_suspend(new aiocb[] {cb}, 1, null));
            assertEquals(0, aio.aio_error(cb));
            assertEquals(11, aio.aio_return(cb));
            MemorySegment in = MemorySegment.ofArray(new byte[11]);
            aiocb rd = new aiocb(fd, in, 11, 0);
            assertEquals(0, aio.aio_read(rd));
            assertEquals(0, aio.aio_suspend(new aiocb[] {rd}, 1, null));
            assertEquals(11, aio.aio_return(rd));
            assertEquals("hello world", new String(in.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
            assertEquals(-1, aio.aio_return(rd));
            assertEquals(Errno.EINVAL, aio.errno());
            assertEquals(0, aio.close(fd));
        }
    }
}
