package io.virtaio.aio.kernel;

import io.virtaio.aio.engine.Engine;
import io.virtaio.aio.engine.WaitRegistry;
import io.virtaio.aio.fd.DescriptorTable;
import io.virtaio.aio.fs.FileWorkers;
import io.virtaio.aio.loop.Backoff;
import io.virtaio.aio.net.NetNode;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The services of one runtime that the POSIX façade calls into, as a C library calls into its kernel: the request
 * engine, the descriptor table, the file workers, the network nodes, the registry of interruptible waits and the
 * memory the runtime owns, its monotonic clock and, in a simulated runtime, the simulation that blocking calls on
 * the simulation thread must step instead of parking. Built and closed by {@code AioRuntime}; internal, not API.
 */
public final class Kernel {
    private final Engine engine;
    private final DescriptorTable table;
    private final FileWorkers files;
    private final List<NetNode> nodes;
    private final WaitRegistry waits;
    private final OwnedMemory memory;
    private final LongSupplier clock;
    private final Stepper stepper;
    private final Backoff backoff;
    private volatile boolean closed;

    /**
     * @param clock   the runtime's monotonic clock (System.nanoTime, or virtual time when simulated)
     * @param stepper the simulation of a simulated runtime, else null
     * @param backoff how a caller about to wait spins and yields before it parks
     */
    public Kernel(Engine engine, DescriptorTable table, FileWorkers files, List<NetNode> nodes, WaitRegistry waits,
            OwnedMemory memory, LongSupplier clock, Stepper stepper, Backoff backoff) {
        this.engine = engine;
        this.table = table;
        this.files = files;
        this.nodes = List.copyOf(nodes);
        this.waits = waits;
        this.memory = memory;
        this.clock = clock;
        this.stepper = stepper;
        this.backoff = backoff;
    }

    /** How a caller about to wait (aio_suspend, LIO_WAIT, a synchronous call) spins and yields before parking. */
    public Backoff backoff() {
        return backoff;
    }

    /** The runtime's monotonic clock in nanoseconds: timeouts are measured on it. */
    public long nowNs() {
        return clock.getAsLong();
    }

    /** The simulation, if the calling thread is the one stepping it (a blocking call must step it); else null. */
    public Stepper stepperOnThisThread() {
        Stepper s = stepper;
        return s != null && s.onStepperThread() ? s : null;
    }

    /** True for a simulated runtime. */
    public boolean isSimulated() {
        return stepper != null;
    }

    public Engine engine() {
        return engine;
    }

    public DescriptorTable table() {
        return table;
    }

    public FileWorkers files() {
        return files;
    }

    public List<NetNode> nodes() {
        return nodes;
    }

    public WaitRegistry waits() {
        return waits;
    }

    public OwnedMemory memory() {
        return memory;
    }

    /** True once the runtime began closing: new requests and descriptors are refused. */
    public boolean isClosed() {
        return closed;
    }

    public void markClosed() {
        closed = true;
    }
}
