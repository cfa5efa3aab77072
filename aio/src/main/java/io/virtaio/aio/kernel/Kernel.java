package io.virtaio.aio.kernel;

import io.virtaio.aio.engine.Engine;
import io.virtaio.aio.engine.WaitRegistry;
import io.virtaio.aio.fd.DescriptorTable;
import io.virtaio.aio.fs.FileWorkers;
import io.virtaio.aio.net.NetNode;
import java.util.List;

/**
 * The services of one runtime that the POSIX façade calls into, as a C library calls into its kernel: the request
 * engine, the descriptor table, the file workers, the network nodes, the registry of interruptible waits and the
 * memory the runtime owns. Built and closed by {@code AioRuntime}; internal, not API.
 */
public final class Kernel {
    private final Engine engine;
    private final DescriptorTable table;
    private final FileWorkers files;
    private final List<NetNode> nodes;
    private final WaitRegistry waits;
    private final OwnedMemory memory;
    private volatile boolean closed;

    public Kernel(Engine engine, DescriptorTable table, FileWorkers files, List<NetNode> nodes, WaitRegistry waits,
            OwnedMemory memory) {
        this.engine = engine;
        this.table = table;
        this.files = files;
        this.nodes = List.copyOf(nodes);
        this.waits = waits;
        this.memory = memory;
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
