package io.virtaio.aio.loop;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The calling thread's CPU affinity on Linux, through sched_getaffinity(2) and sched_setaffinity(2) (FFM downcalls,
 * pid 0 = the calling thread): what {@code AioConfig.pinLoops} uses to give each event loop a CPU of its own, as
 * io_uring's SQPOLL thread takes {@code sq_thread_cpu} — two spinning loops that time-share one CPU each spin while
 * the peer they wait for cannot run.
 *
 * <p>A {@code cpu_set_t} is a bit mask of {@value #MAX_CPUS} CPUs here (glibc's CPU_SETSIZE). Elsewhere than Linux,
 * or if libc has no such symbol, {@link #supported()} is false and the calls throw {@link IllegalStateException}.
 * Restricted methods (JEP 454): the JVM needs {@code --enable-native-access} (the launcher and surefire pass it).
 */
public final class CpuAffinity {
    /** CPUs a mask can name (glibc CPU_SETSIZE). */
    public static final int MAX_CPUS = 1024;
    private static final long MASK_BYTES = MAX_CPUS / 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    // int sched_getaffinity(pid_t pid, size_t cpusetsize, cpu_set_t *mask);
    private static final MethodHandle GET = downcall("sched_getaffinity");
    // int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask);
    private static final MethodHandle SET = downcall("sched_setaffinity");

    private CpuAffinity() {
    }

    /** True if this platform has the calls (64-bit Linux with glibc or musl). */
    public static boolean supported() {
        return GET != null && SET != null;
    }

    /** The CPUs the calling thread may run on, ascending. */
    public static int[] allowed() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES, 8);
            call(GET, "sched_getaffinity", arena, mask);
            return IntStream.range(0, MAX_CPUS)
                    .filter(cpu -> (mask.get(JAVA_LONG, (cpu >>> 6) * 8L) & (1L << (cpu & 63))) != 0)
                    .toArray();
        }
    }

    /**
     * Restricts the calling thread to {@code cpu}.
     *
     * @throws IllegalArgumentException for a CPU outside 0…{@value #MAX_CPUS}-1
     * @throws IllegalStateException    if the platform lacks the call or it failed (EINVAL: the CPU is not in this
     *                                  process's cpuset or is offline), with the errno
     */
    public static void pin(int cpu) {
        if (cpu < 0 || cpu >= MAX_CPUS) {
            throw new IllegalArgumentException("CPU " + cpu + " outside 0.." + (MAX_CPUS - 1));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES, 8);
            mask.set(JAVA_LONG, (cpu >>> 6) * 8L, 1L << (cpu & 63));
            call(SET, "sched_setaffinity(" + cpu + ")", arena, mask);
        }
    }

    private static void call(MethodHandle h, String what, Arena arena, MemorySegment mask) {
        if (h == null) {
            throw new IllegalStateException(what + ": not available on this platform");
        }
        MemorySegment capture = arena.allocate(CAPTURE);
        int rc;
        try {
            rc = (int) h.invokeExact(capture, 0, MASK_BYTES, mask);
        } catch (Throwable t) {
            throw new IllegalStateException(what + ": " + t, t);
        }
        if (rc != 0) {
            int errno = capture.get(JAVA_INT, ERRNO_OFFSET);
            throw new IllegalStateException(what + " failed: errno " + errno + (errno == 22 ? " (EINVAL)" : ""));
        }
    }

    @SuppressWarnings("restricted")
    private static MethodHandle downcall(String name) {
        if (ADDRESS.byteSize() != 8 || !System.getProperty("os.name", "").startsWith("Linux")) {
            return null;
        }
        Optional<MemorySegment> symbol = LINKER.defaultLookup().find(name);
        return symbol.map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                Linker.Option.captureCallState("errno"))).orElse(null);
    }
}
