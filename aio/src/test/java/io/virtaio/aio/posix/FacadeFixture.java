package io.virtaio.aio.posix;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.netstack.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime per test, host files in a temporary directory, FIFOs for requests that must block, and the check that
 * closing the runtime leaves nothing behind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class FacadeFixture {
    static final long WAIT_NS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path dir;
    AioRuntime runtime;
    Aio aio;

    AioConfig config() {
        return AioConfig.builder().name(getClass().getSimpleName()).fileWorkers(2).build();
    }

    @BeforeEach
    void start() {
        runtime = AioRuntime.builder().config(config()).build();
        aio = runtime.aio();
    }

    @AfterEach
    void stop() {
        runtime.close();
        assertEquals(0, runtime.inFlight(), "requests in flight after close");
        assertEquals(0, runtime.ownedMemoryBytes(), "native memory owned after close");
        assertEquals(0, runtime.threadsAlive(), "runtime threads alive after close");
    }

    int open(String name, int flags) {
        int fd = aio.open(dir.resolve(name).toString(), flags, 0600);
        assertTrue(fd >= 0, "open " + name + ": " + Errno.name(aio.errno()));
        return fd;
    }

    Path mkfifo(String name) {
        Path p = dir.resolve(name);
        try {
            Process proc = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
            assertEquals(0, proc.waitFor());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return p;
    }

    /** Writes {@code bytes} into a FIFO from outside the runtime. */
    static void feed(Path fifo, byte[] bytes) {
        try (OutputStream out = Files.newOutputStream(fifo)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@code n} bytes out of a FIFO from outside the runtime. */
    static byte[] drain(Path fifo, int n) {
        try (InputStream in = Files.newInputStream(fifo)) {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MemorySegment buffer(int size, int fill) {
        byte[] b = new byte[size];
        java.util.Arrays.fill(b, (byte) fill);
        return MemorySegment.ofArray(b);
    }

    int awaitDone(aiocb cb) {
        long deadline = System.nanoTime() + WAIT_NS;
        int err;
        while ((err = aio.aio_error(cb)) == Errno.EINPROGRESS) {
            aio.aio_suspend(new aiocb[] {cb}, 1, new timespec(1, 0));
            if (System.nanoTime() > deadline) {
                fail("still in progress after 10 s");
            }
        }
        return err;
    }

    /** Waits until {@code t} is parked, so that what follows must wake it. */
    static void awaitParked(Thread t) {
        long deadline = System.nanoTime() + WAIT_NS;
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            if (System.nanoTime() > deadline) {
                fail("thread never parked: " + t.getState());
            }
            Thread.onSpinWait();
        }
    }

    static final int EINPROGRESS = Errno.EINPROGRESS;
    static final int SIGNAL = SIGRTMIN + 3;
}
