package io.virtaio.aio.posix;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The io_uring-style batch interface: submit many, reap many, one completion per request, bounded. */
class AioRingTest extends FacadeFixture {

    @Override
    AioConfig config() {
        return AioConfig.builder().name("ring").fileWorkers(2).build();
    }

    private static Completion[] completions(int n) {
        Completion[] c = new Completion[n];
        for (int i = 0; i < n; i++) {
            c[i] = new Completion();
        }
        return c;
    }

    private static aiocb write(int fd, int size, long offset) {
        aiocb cb = new aiocb(fd, MemorySegment.ofArray(new byte[size]), size, offset);
        cb.aio_lio_opcode = LIO_WRITE;
        return cb;
    }

    @Test
    void everySubmittedRequestIsReapedOnceWithItsResult() {
        int fd = open("ring", O_CREAT | O_RDWR);
        AioRing ring = aio.ring(64);
        aiocb[] cbs = new aiocb[64];
        for (int i = 0; i < 64; i++) {
            cbs[i] = write(fd, 100 + i, i * 1000L);
        }
        cbs[7].aio_fildes = -1;
        assertEquals(64, ring.submit(cbs, 0, 64));
        Completion[] out = completions(16);
        Map<aiocb, Long> seen = new IdentityHashMap<>();
        while (seen.size() < 64) {
            int n = ring.reap(out, 1, 16, -1);
            assertTrue(n >= 1 && n <= 16);
            for (int i = 0; i < n; i++) {
                assertEquals(null, seen.put(out[i].cb, out[i].res), "reaped twice");
            }
        }
        for (int i = 0; i < 64; i++) {
            assertEquals(i == 7 ? -Errno.EBADF : 100 + i, seen.get(cbs[i]), "request " + i);
        }
        assertEquals(0, ring.outstanding());
        assertEquals(100, aio.aio_return(cbs[0]), "reaping does not consume aio_return");
    }

    @Test
    void aFullRingRefusesWithEagainUntilReaped() {
        int fd = open("full", O_CREAT | O_RDWR);
        AioRing ring = aio.ring(8);
        aiocb[] cbs = new aiocb[10];
        for (int i = 0; i < 10; i++) {
            cbs[i] = write(fd, 16, i * 16L);
        }
        assertEquals(8, ring.submit(cbs, 0, 10));
        assertEquals(Errno.EAGAIN, aio.errno());
        Completion[] out = completions(8);
        assertEquals(8, ring.reap(out, 8, 8, -1));
        assertEquals(2, ring.submit(cbs, 8, 2));
        assertEquals(2, ring.reap(out, 2, 8, -1));
        Set<aiocb> again = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            again.add(out[i].cb);
        }
        assertEquals(Set.of(cbs[8], cbs[9]), again);
    }

    @Test
    void reapingWithoutCompletionsTimesOutOrIsInterrupted() throws InterruptedException {
        AioRing ring = aio.ring(4);
        Completion[] out = completions(4);
        assertEquals(-1, ring.reap(out, 1, 4, 0));
        assertEquals(Errno.EAGAIN, aio.errno());
        assertEquals(-1, ring.reap(out, 1, 4, 5_000_000));
        assertEquals(Errno.EAGAIN, aio.errno());
        int[] result = new int[2];
        Thread t = Thread.ofVirtual().start(() -> {
            result[0] = ring.reap(out, 1, 4, -1);
            result[1] = aio.errno();
        });
        awaitParked(t);
        t.interrupt();
        t.join();
        assertEquals(-1, result[0]);
        assertEquals(Errno.EINTR, result[1]);
        assertEquals(0, ring.reap(out, 0, 4, 0), "min 0 does not wait");
    }

    @Test
    void anAiocbCanBeResubmittedAsSoonAsItIsReaped() {
        int fd = open("again", O_CREAT | O_RDWR);
        AioRing ring = aio.ring(2);
        aiocb[] one = {write(fd, 32, 0)};
        Completion[] out = completions(1);
        for (int i = 0; i < 1000; i++) {
            assertEquals(1, ring.submit(one, 0, 1));
            assertEquals(1, ring.reap(out, 1, 1, -1));
            assertEquals(32, out[0].res);
        }
        assertEquals(32, aio.aio_return(one[0]));
    }
}
