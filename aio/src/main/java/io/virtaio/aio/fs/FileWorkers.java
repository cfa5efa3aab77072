package io.virtaio.aio.fs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.varhandle.MpmcVarHandleArrayQueue;

/**
 * The threads that run host file I/O (positional FileChannel reads and writes, force), so that no event loop ever
 * blocks on a file.
 *
 * <p>Work arrives per descriptor: a {@link FileDescriptor} with requests queued is put on the ready queue once
 * ({@link #schedule}) and a worker drains a batch of its requests in order, so requests on one descriptor run one
 * at a time, in queue order, while different descriptors proceed in parallel. The ready queue holds each
 * descriptor at most once, so its capacity (the descriptor table's size) is never exceeded.
 *
 * <p>Idle workers park; {@link #schedule} unparks one. A worker blocked on a FIFO holds its thread until the FIFO
 * has data: configure enough workers for the FIFOs in use.
 */
public final class FileWorkers implements AutoCloseable {
    /** Bounce buffer size, for heap segments that cannot be viewed as a ByteBuffer (not backed by byte[]). */
    static final int BOUNCE_BYTES = 64 * 1024;

    private final MpmcVarHandleArrayQueue<FileDescriptor> ready;
    private final Worker[] workers;
    private final Arena arena = Arena.ofShared();
    private final AtomicLong ownedBytes = new AtomicLong();
    private volatile boolean stopping;

    /**
     * @param name        thread name prefix
     * @param threads     worker threads (platform threads, daemons)
     * @param descriptors the descriptor table's size
     */
    public FileWorkers(String name, int threads, int descriptors) {
        if (threads < 1) {
            throw new IllegalArgumentException("at least one file worker is needed: " + threads);
        }
        this.ready = new MpmcVarHandleArrayQueue<>(Math.max(2, descriptors));
        this.workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            Worker w = new Worker();
            workers[i] = w;
            w.thread = Thread.ofPlatform().name(name + "-" + i).daemon().unstarted(w);
        }
        for (Worker w : workers) {
            w.thread.start();
        }
    }

    /** Puts {@code d} on the ready queue; the caller guarantees it is not on it already. */
    void schedule(FileDescriptor d) {
        if (!ready.offer(d)) {
            throw new IllegalStateException("file ready queue overflow: a descriptor was scheduled twice");
        }
        // Full fence: the offer must be visible before we read the workers' idle flags (Dekker with Worker.idle()).
        VarHandle.fullFence();
        for (Worker w : workers) {
            if (w.idle && Worker.IDLE.compareAndSet(w, true, false)) {
                LockSupport.unpark(w.thread);
                return;
            }
        }
    }

    /** Off-heap bytes held (bounce buffers). */
    public long ownedBytes() {
        return ownedBytes.get();
    }

    public int threads() {
        return workers.length;
    }

    /** Worker threads still running. */
    public int aliveThreads() {
        int n = 0;
        for (Worker w : workers) {
            if (w.thread.isAlive()) {
                n++;
            }
        }
        return n;
    }

    /** True if the calling thread is one of the workers. */
    public boolean isWorkerThread() {
        Thread t = Thread.currentThread();
        for (Worker w : workers) {
            if (w.thread == t) {
                return true;
            }
        }
        return false;
    }

    /** Stops the workers after they finish what they are running; waits up to {@code timeoutNs} for them. */
    public void shutdown(long timeoutNs) throws InterruptedException {
        stopping = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
        long deadline = System.nanoTime() + timeoutNs;
        for (Worker w : workers) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                w.thread.join(java.time.Duration.ofNanos(left));
            }
        }
    }

    /** Frees the bounce buffers; call after {@link #shutdown}. */
    @Override
    public void close() {
        stopping = true;
        for (Worker w : workers) {
            if (w.thread.isAlive()) {
                return;
            }
        }
        arena.close();
        ownedBytes.set(0);
    }

    /** One worker thread and its scratch memory. */
    final class Worker implements Runnable {
        static final VarHandle IDLE;

        static {
            try {
                IDLE = MethodHandles.lookup().findVarHandle(Worker.class, "idle", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        Thread thread;
        volatile boolean idle;
        private MemorySegment bounceSegment;
        private ByteBuffer bounce;

        @Override
        public void run() {
            while (!stopping) {
                FileDescriptor d = ready.poll();
                if (d != null) {
                    d.drain(this);
                    continue;
                }
                idle = true;
                // Full fence: announce idleness before re-checking the queue (Dekker with schedule(): a scheduler
                // that missed our flag made its offer visible before reading it, so this poll sees the offer).
                VarHandle.fullFence();
                d = ready.poll();
                if (d != null) {
                    idle = false;
                    d.drain(this);
                    continue;
                }
                if (!stopping) {
                    LockSupport.park(this);
                }
                idle = false;
            }
        }

        /** A direct buffer for copying through, allocated on first use; see {@link #bounceSegment()}. */
        ByteBuffer bounce() {
            if (bounce == null) {
                bounceSegment = arena.allocate(BOUNCE_BYTES, 64);
                ownedBytes.addAndGet(BOUNCE_BYTES);
                bounce = bounceSegment.asByteBuffer();
            }
            return bounce;
        }

        /** The memory of {@link #bounce()}, whole, whatever the buffer's position and limit. */
        MemorySegment bounceSegment() {
            bounce();
            return bounceSegment;
        }
    }
}
