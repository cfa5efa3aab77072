package io.virtaio.aio;

import io.virtaio.aio.engine.Limits;
import io.virtaio.aio.loop.Backoff;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How an {@link AioRuntime} is built: its POSIX limits, its threads and how they wait.
 *
 * @param name             prefix of the runtime's thread names
 * @param aioMax           AIO_MAX: requests outstanding at once (EAGAIN beyond, decision 9)
 * @param aioListioMax     AIO_LISTIO_MAX: entries per lio_listio
 * @param aioPrioDeltaMax  AIO_PRIO_DELTA_MAX: largest aio_reqprio
 * @param openMax          OPEN_MAX: size of the descriptor table
 * @param sigqueueMax      SIGQUEUE_MAX: signals queued by sigqueue and not yet delivered
 * @param fileWorkers      platform threads running host file I/O
 * @param loopRingCapacity bound of each event loop's submission ring (EAGAIN when full)
 * @param backoff          how idle event loops, and callers about to wait for a completion, spin and yield before
 *                         parking (a completion a few microseconds away then costs no park and unpark)
 * @param closeGraceNs     how long {@link AioRuntime#close()} lets operations in progress finish before aborting
 *                         them
 * @param clock            the event loops' clock (nanoseconds, monotonic); time never comes from elsewhere
 * @param pinLoops         give each node's event loop a CPU of its own: loop k restricts itself to the k-th CPU this
 *                         process may use (modulo their number; {@link io.virtaio.aio.loop.CpuAffinity}), so two
 *                         spinning loops never time-share one CPU while another stands idle. Off by default: it
 *                         suits a machine given to the runtime, not one shared with other busy threads
 */
public record AioConfig(
        String name,
        int aioMax,
        int aioListioMax,
        int aioPrioDeltaMax,
        int openMax,
        int sigqueueMax,
        int fileWorkers,
        int loopRingCapacity,
        Backoff backoff,
        long closeGraceNs,
        LongSupplier clock,
        boolean pinLoops) {

    public AioConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(clock, "clock");
        if (fileWorkers < 1 || loopRingCapacity < 2 || closeGraceNs < 0) {
            throw new IllegalArgumentException("invalid runtime configuration: " + fileWorkers + " file workers, ring "
                    + loopRingCapacity + ", grace " + closeGraceNs + " ns");
        }
        limits(aioMax, aioListioMax, aioPrioDeltaMax, openMax, sigqueueMax);
    }

    private static Limits limits(int aioMax, int aioListioMax, int aioPrioDeltaMax, int openMax, int sigqueueMax) {
        return new Limits(aioMax, aioListioMax, aioPrioDeltaMax, openMax, sigqueueMax);
    }

    /** The limits the façade reports through sysconf. */
    public Limits limits() {
        return limits(aioMax, aioListioMax, aioPrioDeltaMax, openMax, sigqueueMax);
    }

    /** Defaults: AIO_MAX 1024, AIO_LISTIO_MAX 256, AIO_PRIO_DELTA_MAX 20 (glibc's), OPEN_MAX 1024, 2 workers. */
    public static AioConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from the defaults. */
    public static final class Builder {
        private String name = "virtaio";
        private int aioMax = 1024;
        private int aioListioMax = 256;
        private int aioPrioDeltaMax = 20;
        private int openMax = 1024;
        private int sigqueueMax = 1024;
        private int fileWorkers = 2;
        private int loopRingCapacity = 4096;
        private Backoff backoff = Backoff.DEFAULT;
        private long closeGraceNs = 5_000_000_000L;
        private LongSupplier clock = System::nanoTime;
        private boolean pinLoops;

        private Builder() {
        }

        public Builder name(String v) {
            name = v;
            return this;
        }

        public Builder aioMax(int v) {
            aioMax = v;
            return this;
        }

        public Builder aioListioMax(int v) {
            aioListioMax = v;
            return this;
        }

        public Builder aioPrioDeltaMax(int v) {
            aioPrioDeltaMax = v;
            return this;
        }

        public Builder openMax(int v) {
            openMax = v;
            return this;
        }

        public Builder sigqueueMax(int v) {
            sigqueueMax = v;
            return this;
        }

        public Builder fileWorkers(int v) {
            fileWorkers = v;
            return this;
        }

        public Builder loopRingCapacity(int v) {
            loopRingCapacity = v;
            return this;
        }

        public Builder backoff(Backoff v) {
            backoff = v;
            return this;
        }

        public Builder closeGraceNs(long v) {
            closeGraceNs = v;
            return this;
        }

        public Builder clock(LongSupplier v) {
            clock = v;
            return this;
        }

        public Builder pinLoops(boolean v) {
            pinLoops = v;
            return this;
        }

        public AioConfig build() {
            return new AioConfig(name, aioMax, aioListioMax, aioPrioDeltaMax, openMax, sigqueueMax, fileWorkers,
                    loopRingCapacity, backoff, closeGraceNs, clock, pinLoops);
        }
    }
}
