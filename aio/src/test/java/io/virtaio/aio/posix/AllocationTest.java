package io.virtaio.aio.posix;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The steady-state SIGEV_NONE path allocates nothing: aio_write, aio_read, aio_suspend, aio_error, aio_return on
 * reused aiocbs, measured per thread (the submitting thread and the file worker) with the JVM's per-thread
 * allocation counters. Run after a warm-up, so that class loading and the JIT are out of the picture.
 */
class AllocationTest extends FacadeFixture {
    private static final int WARMUP = 20_000;
    private static final int MEASURED = 20_000;

    @Override
    AioConfig config() {
        return AioConfig.builder().name("alloc").fileWorkers(1).build();
    }

    private static com.sun.management.ThreadMXBean threads() {
        return (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    }

    private static long[] workerIds() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("alloc-file-"))
                .mapToLong(Thread::threadId).toArray();
    }

    private void round(aiocb write, aiocb read, aiocb[] list, MemorySegment in) {
        aio.aio_write(write);
        while (aio.aio_error(write) == EINPROGRESS) {
            aio.aio_suspend(list, 1, null);
        }
        aio.aio_return(write);
        aio.aio_read(read);
        list[0] = read;
        while (aio.aio_error(read) == EINPROGRESS) {
            aio.aio_suspend(list, 1, null);
        }
        aio.aio_return(read);
        list[0] = write;
    }

    @Test
    void theSigevNoneRoundTripAllocatesNothing() {
        int fd = open("alloc", O_CREAT | O_RDWR);
        MemorySegment out = runtime.allocate(4096);
        MemorySegment in = MemorySegment.ofArray(new byte[4096]);
        aiocb write = new aiocb(fd, out, 4096, 0);
        aiocb read = new aiocb(fd, in, 4096, 0);
        aiocb[] list = {write};
        for (int i = 0; i < WARMUP; i++) {
            round(write, read, list, in);
        }
        long[] workers = workerIds();
        assertEquals(1, workers.length);
        long[] before = threads().getThreadAllocatedBytes(workers);
        long mine = threads().getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED; i++) {
            round(write, read, list, in);
        }
        long submitter = threads().getCurrentThreadAllocatedBytes() - mine;
        long worker = threads().getThreadAllocatedBytes(workers)[0] - before[0];
        // A few bytes of slack per thousand operations for JIT deoptimization noise; a per-operation allocation
        // (a 16-byte object) would show as at least 2 * MEASURED * 16 bytes.
        assertTrue(submitter < MEASURED, "submitting thread allocated " + submitter + " bytes over "
                + 2 * MEASURED + " operations");
        assertTrue(worker < MEASURED, "file worker allocated " + worker + " bytes over " + 2 * MEASURED
                + " operations " + Arrays.toString(workers));
    }
}
