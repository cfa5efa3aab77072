package io.virtaio.aio.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** sched_setaffinity for event loops: a pinned thread runs where it was put, and a runtime spreads its loops. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CpuAffinityTest {
    @BeforeEach
    void linuxOnly() {
        assumeTrue(CpuAffinity.supported(), "sched_setaffinity is Linux's");
    }

    @Test
    void aPinnedThreadMayRunOnThatCpuAlone() throws Exception {
        int[] allowed = CpuAffinity.allowed();
        assertTrue(allowed.length >= 1, Arrays.toString(allowed));
        int last = allowed[allowed.length - 1];
        BlockingQueue<Object> seen = new ArrayBlockingQueue<>(1);
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                CpuAffinity.pin(last);
                seen.add(CpuAffinity.allowed());
            } catch (RuntimeException e) {
                seen.add(e);
            }
        });
        t.join();
        assertArrayEquals(new int[] {last}, (int[]) seen.take());
        assertArrayEquals(allowed, CpuAffinity.allowed(), "other threads keep their set");
    }

    @Test
    void aCpuOutsideTheSetIsRefusedWithItsErrno() {
        int[] allowed = CpuAffinity.allowed();
        int outside = CpuAffinity.MAX_CPUS - 1;
        assumeTrue(Arrays.stream(allowed).noneMatch(c -> c == outside));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CpuAffinity.pin(outside));
        assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pin(-1));
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pin(CpuAffinity.MAX_CPUS));
        assertArrayEquals(allowed, CpuAffinity.allowed(), "a refused call changes nothing");
    }

    @Test
    void aRuntimeWithPinnedLoopsGivesEachNodeItsOwnCpu() {
        int[] allowed = CpuAffinity.allowed();
        try (AioRuntime rt = AioRuntime.builder().config(AioConfig.builder().name("pin").pinLoops(true).build())
                .wiredPair().build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Map<String, Long> c = rt.counters();
            while (c.get("loop.pin-a.cpu") < 0 || c.get("loop.pin-b.cpu") < 0) {
                assertTrue(System.nanoTime() < deadline, "loops never pinned: " + c);
                Thread.onSpinWait();
                c = rt.counters();
            }
            assertEquals(allowed[0], c.get("loop.pin-a.cpu"));
            assertEquals(allowed[1 % allowed.length], c.get("loop.pin-b.cpu"));
            assertEquals(0, c.get("loop.pin-a.errors") + c.get("loop.pin-b.errors"));
        }
    }
}
