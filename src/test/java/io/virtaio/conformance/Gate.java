package io.virtaio.conformance;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.timespec;
import io.virtaio.netstack.Errno;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds a runtime's only file worker busy, so that every file request submitted afterwards stays queued (in
 * progress, EINPROGRESS) until the gate opens: what the C cases hope for with large writes and a fast clock, made
 * deterministic.
 *
 * <p>The gate is an aio_read on a FIFO in the test's directory (opened O_RDWR, which does not block on Linux). The
 * worker takes it first and blocks in read(2); {@link #open()} writes one byte into the FIFO from outside the
 * runtime, the read returns and the worker moves on to the queued requests, in order.
 */
final class Gate implements AutoCloseable {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final Aio aio;
    private final Path fifo;
    private final int fd;
    private final aiocb read;
    private boolean opened;

    private Gate(Aio aio, Path fifo, int fd, aiocb read) {
        this.aio = aio;
        this.fifo = fifo;
        this.fd = fd;
        this.read = read;
    }

    static Gate closed(Aio aio, Path dir) {
        Path fifo = dir.resolve("gate-" + NAMES.incrementAndGet());
        mkfifo(fifo);
        int fd = aio.open(fifo.toString(), O_RDWR);
        assertTrue(fd >= 0, "open fifo: " + Errno.name(aio.errno()));
        aiocb read = new aiocb(fd, MemorySegment.ofArray(new byte[1]), 1, 0);
        assertEquals(0, aio.aio_read(read), "gate read");
        return new Gate(aio, fifo, fd, read);
    }

    private static void mkfifo(Path p) {
        try {
            Process proc = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
            if (proc.waitFor() != 0) {
                throw new IllegalStateException("mkfifo failed for " + p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Lets the worker go: the requests queued behind the gate run, in order. */
    void open() {
        if (opened) {
            return;
        }
        opened = true;
        try (OutputStream out = Files.newOutputStream(fifo)) {
            out.write('g');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The aiocb of the gate's own read (in progress until the gate opens). */
    aiocb request() {
        return read;
    }

    @Override
    public void close() {
        open();
        long deadline = System.nanoTime() + PosixFixture.WAIT_NS;
        while (aio.aio_error(read) == Errno.EINPROGRESS && System.nanoTime() < deadline) {
            aio.aio_suspend(new aiocb[] {read}, 1, new timespec(1, 0));
        }
        aio.aio_return(read);
        aio.close(fd);
    }
}
