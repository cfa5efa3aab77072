package io.virtaio.aio.net;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.posix.aiocb;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The steady-state SIGEV_NONE socket path allocates nothing, on any thread: aio_write on one node, aio_read on the
 * other (filled straight from the received segment), aio_suspend, aio_error, aio_return, through two virtio hosts
 * on the wire. Measured with the JVM's per-thread allocation counters for the submitting thread and both loop
 * threads, after a warm-up (class loading, the JIT, the TCP windows opening).
 */
class SocketAllocationTest extends SocketFixture {
    private static final int WARMUP = 20_000;
    private static final int MEASURED = 20_000;

    @Override
    AioRuntime.Builder runtime() {
        return AioRuntime.builder().config(AioConfig.builder().name("salloc").build()).wiredPair();
    }

    private static com.sun.management.ThreadMXBean threads() {
        return (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    }

    private static long[] loopIds() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("salloc-a") || t.getName().equals("salloc-b"))
                .mapToLong(Thread::threadId).toArray();
    }

    private void round(aiocb write, aiocb read, aiocb[] list) {
        a.aio_write(write);
        b.aio_read(read);
        list[0] = read;
        while (b.aio_error(read) == io.virtaio.netstack.Errno.EINPROGRESS) {
            b.aio_suspend(list, 1, null);
        }
        list[0] = write;
        while (a.aio_error(write) == io.virtaio.netstack.Errno.EINPROGRESS) {
            a.aio_suspend(list, 1, null);
        }
        a.aio_return(write);
        b.aio_return(read);
    }

    @Test
    void theSigevNoneSocketRoundTripAllocatesNothing() {
        int[] p = pair();
        assertEquals(0, a.setsockopt(p[0], IPPROTO_TCP, TCP_NODELAY, 1));
        aiocb write = new aiocb(p[0], rt.allocate(64), 64, 0);
        aiocb read = new aiocb(p[1], MemorySegment.ofArray(new byte[64]), 64, 0);
        aiocb[] list = {write};
        for (int i = 0; i < WARMUP; i++) {
            round(write, read, list);
        }
        long[] loops = loopIds();
        assertEquals(2, loops.length);
        long[] before = threads().getThreadAllocatedBytes(loops);
        long mine = threads().getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED; i++) {
            round(write, read, list);
        }
        long submitter = threads().getCurrentThreadAllocatedBytes() - mine;
        long[] after = threads().getThreadAllocatedBytes(loops);
        long[] loopBytes = {after[0] - before[0], after[1] - before[1]};
        // A per-operation allocation (a 16-byte object) would show as at least 2 * MEASURED * 16 bytes; allow a
        // little for JIT deoptimization and the odd timer list growing once.
        assertTrue(submitter < MEASURED, "submitting thread allocated " + submitter + " bytes over "
                + 2 * MEASURED + " operations");
        for (long l : loopBytes) {
            assertTrue(l < MEASURED, "loop threads allocated " + Arrays.toString(loopBytes) + " bytes over "
                    + 2 * MEASURED + " operations");
        }
    }
}
