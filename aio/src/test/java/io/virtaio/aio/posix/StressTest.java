package io.virtaio.aio.posix;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Many threads, many requests, several workers: every request completes exactly once (one notification each),
 * appends to one O_APPEND descriptor land whole and in each thread's submission order (per-descriptor FIFO), and
 * positional writes read back intact.
 */
class StressTest extends FacadeFixture {
    private static final int THREADS = 8;
    private static final int PER_THREAD = 400;
    private static final int RECORD = 64;

    @Override
    AioConfig config() {
        return AioConfig.builder().name("stress").fileWorkers(4).aioMax(1 << 14).build();
    }

    /** A record: thread, sequence number, then bytes derived from both. */
    private static byte[] record(int thread, int seq) {
        ByteBuffer b = ByteBuffer.allocate(RECORD);
        b.putInt(thread).putInt(seq);
        while (b.hasRemaining()) {
            b.put((byte) (thread * 31 + seq * 7 + b.position()));
        }
        return b.array();
    }

    private static void run(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    @Test
    void appendsFromManyThreadsLandWholeOnceEachAndInEachThreadsOrder() throws InterruptedException {
        int fd = open("append", O_CREAT | O_RDWR | O_APPEND);
        int total = THREADS * PER_THREAD;
        AtomicIntegerArray notified = new AtomicIntegerArray(total);
        AtomicLong failures = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Runnable body = () -> {
                aiocb[] cbs = new aiocb[PER_THREAD];
                for (int s = 0; s < PER_THREAD; s++) {
                    aiocb cb = new aiocb(fd, MemorySegment.ofArray(record(thread, s)), RECORD, 0);
                    cb.aio_sigevent.set(sigevent.thread(v -> notified.incrementAndGet(v.sival_int), null));
                    cb.aio_sigevent.sigev_value.sival_int = thread * PER_THREAD + s;
                    if (aio.aio_write(cb) != 0) {
                        failures.incrementAndGet();
                    }
                    cbs[s] = cb;
                }
                for (aiocb cb : cbs) {
                    if (awaitDone(cb) != 0 || aio.aio_return(cb) != RECORD) {
                        failures.incrementAndGet();
                    }
                }
            };
            threads.add(t % 2 == 0 ? Thread.ofPlatform().unstarted(body) : Thread.ofVirtual().unstarted(body));
        }
        run(threads);
        assertEquals(0, failures.get());
        long deadline = System.nanoTime() + WAIT_NS;
        for (int i = 0; i < total; i++) {
            while (notified.get(i) == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, notified.get(i), "notifications of request " + i);
        }
        MemorySegment file = MemorySegment.ofArray(new byte[total * RECORD]);
        assertEquals((long) total * RECORD, aio.pread(fd, file, (long) total * RECORD, 0));
        int[] next = new int[THREADS];
        for (int r = 0; r < total; r++) {
            byte[] got = file.asSlice((long) r * RECORD, RECORD).toArray(ValueLayout.JAVA_BYTE);
            ByteBuffer b = ByteBuffer.wrap(got);
            int thread = b.getInt();
            int seq = b.getInt();
            assertEquals(next[thread]++, seq, "thread " + thread + "'s appends out of order");
            assertArrayEquals(record(thread, seq), got, "record torn");
        }
        for (int n : next) {
            assertEquals(PER_THREAD, n);
        }
    }

    @Test
    void positionalWritesAndReadsFromManyThreadsStayIntact() throws InterruptedException {
        AtomicLong failures = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            int fd = open("own-" + t, O_CREAT | O_RDWR);
            threads.add(Thread.ofVirtual().unstarted(() -> {
                SplittableRandom random = new SplittableRandom(thread);
                int blocks = 64;
                byte[][] expect = new byte[blocks][];
                aiocb[] cbs = new aiocb[blocks];
                for (int round = 0; round < PER_THREAD / blocks + 1; round++) {
                    for (int b = 0; b < blocks; b++) {
                        byte[] data = new byte[512];
                        random.nextBytes(data);
                        expect[b] = data;
                        cbs[b] = new aiocb(fd, MemorySegment.ofArray(data), 512, b * 512L);
                        if (aio.aio_write(cbs[b]) != 0) {
                            failures.incrementAndGet();
                        }
                    }
                    for (aiocb cb : cbs) {
                        if (awaitDone(cb) != 0 || aio.aio_return(cb) != 512) {
                            failures.incrementAndGet();
                        }
                    }
                    for (int b = 0; b < blocks; b++) {
                        cbs[b] = new aiocb(fd, MemorySegment.ofArray(new byte[512]), 512, b * 512L);
                        aio.aio_read(cbs[b]);
                    }
                    for (int b = 0; b < blocks; b++) {
                        if (awaitDone(cbs[b]) != 0 || aio.aio_return(cbs[b]) != 512
                                || !java.util.Arrays.equals(expect[b],
                                        cbs[b].aio_buf.toArray(ValueLayout.JAVA_BYTE))) {
                            failures.incrementAndGet();
                        }
                    }
                }
            }));
        }
        run(threads);
        assertEquals(0, failures.get());
        assertTrue(runtime.counters().get("requests.completed") > 0);
    }
}
