package io.virtaio.conformance;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.timespec;
import io.virtaio.netstack.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the conformance cases share: a runtime with one file worker (so a {@link Gate} can hold every file request
 * queued), regular host files in a temporary directory, and small helpers written in the C vocabulary of the
 * cases. After each case the runtime is closed and must be back to zero: nothing in flight, no native memory.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
abstract class PosixFixture {
    static final long WAIT_NS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path dir;
    AioRuntime runtime;
    Aio aio;

    @BeforeEach
    void startRuntime() {
        runtime = AioRuntime.builder().config(AioConfig.builder().name("conformance").fileWorkers(1).build()).build();
        aio = runtime.aio();
    }

    @AfterEach
    void closeRuntime() {
        runtime.close();
        assertEquals(0, runtime.inFlight(), "requests in flight after close");
        assertEquals(0, runtime.ownedMemoryBytes(), "native memory owned after close");
        assertEquals(0, runtime.threadsAlive(), "runtime threads alive after close");
    }

    /** open(O_CREAT | O_RDWR | O_EXCL, S_IRUSR | S_IWUSR) of a new file, then unlink it, as the C cases do. */
    int tempFile(String name) {
        return tempFile(name, O_CREAT | O_RDWR | O_EXCL);
    }

    int tempFile(String name, int flags) {
        Path p = dir.resolve(name);
        int fd = aio.open(p.toString(), flags, S_IRUSR | S_IWUSR);
        assertTrue(fd >= 0, "open " + p + ": " + Errno.name(aio.errno()));
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fd;
    }

    /** A new file holding {@code content}, opened with {@code flags}, not unlinked. */
    int fileWith(String name, byte[] content, int flags) {
        Path p = dir.resolve(name);
        try {
            Files.write(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int fd = aio.open(p.toString(), flags);
        assertTrue(fd >= 0, "open " + p + ": " + Errno.name(aio.errno()));
        return fd;
    }

    static MemorySegment buffer(int size, int fill) {
        byte[] b = new byte[size];
        java.util.Arrays.fill(b, (byte) fill);
        return MemorySegment.ofArray(b);
    }

    /** Bytes 0, 1, 2, … (mod 251, so they never align with powers of two). */
    static byte[] pattern(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i % 251);
        }
        return b;
    }

    static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    /** An aiocb as a zeroed C struct with the given fields, and SIGEV_NONE. */
    static aiocb cb(int fd, MemorySegment buf, long nbytes, long offset) {
        return new aiocb(fd, buf, nbytes, offset);
    }

    /** Waits (aio_suspend) until {@code cb} is no longer in progress; returns its aio_error. */
    int awaitDone(aiocb cb) {
        return awaitDone(aio, cb);
    }

    /** As {@link #awaitDone(aiocb)}, through another façade. */
    static int awaitDone(Aio aio, aiocb cb) {
        long deadline = System.nanoTime() + WAIT_NS;
        int err;
        while ((err = aio.aio_error(cb)) == EINPROGRESS_VALUE) {
            int rc = aio.aio_suspend(new aiocb[] {cb}, 1, new timespec(1, 0));
            if (rc != 0 && aio.errno() != Errno.EAGAIN && aio.errno() != Errno.EINTR) {
                fail("aio_suspend: " + Errno.name(aio.errno()));
            }
            if (System.nanoTime() > deadline) {
                fail("request still in progress after 10 s");
            }
        }
        return err;
    }

    void awaitAllDone(aiocb... cbs) {
        for (aiocb c : cbs) {
            if (c != null) {
                awaitDone(c);
            }
        }
    }

    /** Blocks the single file worker until {@link Gate#open()}: file requests submitted meanwhile stay queued. */
    Gate closedGate() {
        return Gate.closed(aio, dir);
    }

    static final int EINPROGRESS_VALUE = Errno.EINPROGRESS;

    /** Waits until {@code t} is parked (WAITING or TIMED_WAITING), so a wake-up really has to wake it. */
    static void awaitParked(Thread t) {
        long deadline = System.nanoTime() + WAIT_NS;
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            if (System.nanoTime() > deadline) {
                fail("thread never parked: " + t.getState());
            }
            Thread.onSpinWait();
        }
    }
}
