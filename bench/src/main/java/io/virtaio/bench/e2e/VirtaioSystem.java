package io.virtaio.bench.e2e;

import static io.virtaio.aio.posix.Aio.AF_INET;
import static io.virtaio.aio.posix.Aio.IPPROTO_TCP;
import static io.virtaio.aio.posix.Aio.SIGEV_THREAD;
import static io.virtaio.aio.posix.Aio.SOCK_STREAM;
import static io.virtaio.aio.posix.Aio.TCP_NODELAY;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.loop.Backoff;
import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.aio.posix.sigval;
import io.virtaio.netstack.Errno;
import io.virtaio.netstack.StackConfig;
import io.virtaio.virtio.Virtio;
import io.virtaio.virtio.backend.LinkModel;
import io.virtaio.virtio.backend.Wire;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * virtaio in the end-to-end benchmark: two stacks on virtio-net devices joined by the in-process wire, each stepped
 * by its own event-loop thread ({@code AioRuntime} with two nodes), and the workloads written against the public
 * POSIX AIO API — aio_read, aio_write, aio_return, SIGEV_THREAD — exactly as an application would.
 *
 * <p>By default completions are delivered inline on the loop that completes them (the runtime's notification
 * executor runs the SIGEV_THREAD function in place) and the handlers resubmit at once, so the two loop threads are
 * the only busy threads on the machine; {@link Knobs} switches to a virtual thread per notification, to
 * busy-polling loops, and changes the device (queue size, MTU, EVENT_IDX, indirect descriptors).
 */
public final class VirtaioSystem implements SystemUnderTest {
    /**
     * The configuration knobs {@code ./virtaio bench} exposes.
     *
     * @param queueSize  virtqueue size (receive and transmit)
     * @param mtu        device MTU
     * @param eventIdx   negotiate VIRTIO_F_EVENT_IDX (notification suppression by index)
     * @param indirect   negotiate VIRTIO_F_INDIRECT_DESC
     * @param inline     deliver completions inline on the loop (else a virtual thread per notification)
     * @param backoff    how an idle loop waits: spin, yield, then park (an idle runtime uses no CPU)
     * @param pin        each node's loop on a CPU of its own ({@code AioConfig.pinLoops})
     */
    public record Knobs(int queueSize, int mtu, boolean eventIdx, boolean indirect, boolean inline,
                        Backoff backoff, boolean pin) {
        public static final Knobs DEFAULT = new Knobs(256, 65535, true, true, true, Backoff.DEFAULT, false);
        /** Spin forever, never park: the backoff of {@code --poll busy}. */
        public static final Backoff BUSY_POLL = new Backoff(Integer.MAX_VALUE, 0);

        /** Loops never park. */
        public boolean busyPoll() {
            return backoff.spins() == Integer.MAX_VALUE;
        }
    }

    private static final int PORT = 5001;
    /** aio_writes kept in flight by the bulk workload. */
    private static final int BULK_DEPTH = 4;
    /** aio_reads kept posted by the bulk workload: deep, so segments land in them directly. */
    private static final int READ_DEPTH = 16;

    private final Knobs knobs;

    public VirtaioSystem(Knobs knobs) {
        this.knobs = knobs;
    }

    @Override
    public String name() {
        return Report.VIRTAIO;
    }

    /** A runtime with the two nodes, idle: for {@link IdleCheck}. */
    public AioRuntime idleRuntime() {
        return runtime();
    }

    private AioRuntime runtime() {
        long features = VirtioNetDriver.Config.DEFAULT_FEATURES;
        if (!knobs.eventIdx()) {
            features &= ~Virtio.bit(Virtio.F_EVENT_IDX);
        }
        if (!knobs.indirect()) {
            features &= ~Virtio.bit(Virtio.F_INDIRECT_DESC);
        }
        int frame = 12 + knobs.mtu() + 14;
        // Transmit buffers: enough for a window in flight, few enough to stay in cache (64 KiB frames).
        int txBuffers = Math.min(knobs.queueSize(), Math.max(32, (4 << 20) / frame));
        VirtioNetDriver.Config driver = VirtioNetDriver.Config.defaults().withFeatures(features)
                .withQueueSizes(knobs.queueSize(), knobs.queueSize()).withTxBuffers(txBuffers);
        VirtioNetDevice.Config device = VirtioNetDevice.Config.defaults().withMtu(knobs.mtu())
                .withMaxQueueSize(Math.max(256, knobs.queueSize()));
        StackConfig a = StackConfig.of(Nodes.ADDRESS_A, Nodes.PREFIX_LENGTH);
        StackConfig b = StackConfig.of(Nodes.ADDRESS_B, Nodes.PREFIX_LENGTH);
        Wire wire = Wire.create(LinkModel.UNLIMITED);
        Backoff backoff = knobs.backoff();
        AioRuntime.Builder builder = AioRuntime.builder()
                .config(AioConfig.builder().backoff(backoff).aioMax(4096).pinLoops(knobs.pin()).build())
                .node("a", Nodes.virtio(device.withMac(Nodes.macFor(a.address())), driver, a, wire.a()))
                .node("b", Nodes.virtio(device.withMac(Nodes.macFor(b.address())), driver, b, wire.b()));
        if (knobs.inline()) {
            builder.notificationExecutor(Runnable::run);
        }
        return builder.build();
    }

    @Override
    public Result run(Workload w, Params p, Progress progress) throws Exception {
        try (AioRuntime rt = runtime()) {
            Aio client = rt.aio(0);
            Aio server = rt.aio(1);
            int[][] pairs = connect(client, server, w.connections(), w != Workload.BULK);
            return w == Workload.BULK ? bulk(rt, client, server, pairs[0], p, progress)
                    : rpc(rt, client, server, pairs, w, p, progress);
        }
    }

    /** {@code n} connections: {client fd on node 0, server fd on node 1}. */
    private static int[][] connect(Aio client, Aio server, int n, boolean noDelay) throws InterruptedException {
        int listener = check(server, server.socket(AF_INET, SOCK_STREAM, 0), "socket");
        check(server, server.bind(listener, new sockaddr_in(Nodes.ADDRESS_B, PORT)), "bind");
        check(server, server.listen(listener, n), "listen");
        int[][] pairs = new int[n][2];
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread acceptor = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    pairs[i][1] = check(server, server.accept(listener, null), "accept");
                }
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        for (int i = 0; i < n; i++) {
            int fd = check(client, client.socket(AF_INET, SOCK_STREAM, 0), "socket");
            if (noDelay) {
                check(client, client.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1), "setsockopt");
            }
            check(client, client.connect(fd, new sockaddr_in(Nodes.ADDRESS_B, PORT)), "connect");
            pairs[i][0] = fd;
        }
        acceptor.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        check(server, server.close(listener), "close");
        if (noDelay) {
            // Accepted connections match clients in accept order, not necessarily connect order: both ends echo, so
            // any pairing works for RPC; NODELAY goes on every server end.
            for (int[] pair : pairs) {
                check(server, server.setsockopt(pair[1], IPPROTO_TCP, TCP_NODELAY, 1), "setsockopt");
            }
        }
        return pairs;
    }

    // ---------------------------------------------------------------------------------------------------------
    // bulk: aio_write of 64 KiB buffers on one side, aio_read on the other, a few of each in flight.

    private Result bulk(AioRuntime rt, Aio client, Aio server, int[] pair, Params p, Progress progress)
            throws InterruptedException {
        Bulk b = new Bulk(rt, client, server, pair, new BulkMeter(p), progress);
        b.start();
        if (!b.done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("bulk transfer did not finish in 10 minutes");
        }
        if (b.error.get() != null) {
            throw new IllegalStateException(b.error.get());
        }
        return Result.bulk(name(), b.meter.gbps());
    }

    /**
     * The bulk transfer's state. Each write aiocb resubmits itself until the meter has its bytes; each read aiocb
     * resubmits itself until then too (and a little after, so no write is left waiting on a full window). Reads are
     * posted deep so that arriving segments land straight in an aiocb's buffer (the stack's direct receive).
     */
    private final class Bulk {
        final Aio client;
        final Aio server;
        final BulkMeter meter;
        final Progress progress;
        final aiocb[] writes = new aiocb[BULK_DEPTH];
        final aiocb[] reads = new aiocb[READ_DEPTH];
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<String> error = new AtomicReference<>();

        Bulk(AioRuntime rt, Aio client, Aio server, int[] pair, BulkMeter meter, Progress progress) {
            this.client = client;
            this.server = server;
            this.meter = meter;
            this.progress = progress;
            for (int i = 0; i < writes.length; i++) {
                aiocb w = new aiocb(pair[0], rt.allocate(Workload.BULK_CHUNK), Workload.BULK_CHUNK, 0);
                VirtaioSystem.this.notify(w, v -> written(w));
                writes[i] = w;
            }
            for (int i = 0; i < reads.length; i++) {
                aiocb r = new aiocb(pair[1], rt.allocate(Workload.BULK_CHUNK), Workload.BULK_CHUNK, 0);
                VirtaioSystem.this.notify(r, v -> read(r));
                reads[i] = r;
            }
        }

        void start() {
            for (aiocb r : reads) {
                submit(server, r, false);
            }
            for (aiocb w : writes) {
                submit(client, w, true);
            }
        }

        private void written(aiocb w) {
            if (client.aio_return(w) < 0) {
                fail("aio_write: " + Errno.name(client.aio_error(w)));
                return;
            }
            if (!meter.done()) {
                submit(client, w, true);
            }
        }

        private void read(aiocb r) {
            long n = server.aio_return(r);
            if (n <= 0) {
                if (!meter.done()) {
                    fail("aio_read: " + (n == 0 ? "end of stream" : Errno.name(server.aio_error(r))));
                }
                return;
            }
            progress.add(n);
            if (meter.received(n)) {
                done.countDown();
            }
            submit(server, r, false);
        }

        private void submit(Aio aio, aiocb cb, boolean write) {
            if ((write ? aio.aio_write(cb) : aio.aio_read(cb)) != 0 && !meter.done()) {
                fail((write ? "aio_write: " : "aio_read: ") + Errno.name(aio.errno()));
            }
        }

        private void fail(String why) {
            if (error.compareAndSet(null, why)) {
                done.countDown();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // rpc: request of 64 bytes, response of 64 bytes, one outstanding per connection; the server echoes.

    private Result rpc(AioRuntime rt, Aio client, Aio server, int[][] pairs, Workload w, Params p, Progress progress)
            throws InterruptedException {
        int n = pairs.length;
        Latencies lat = new Latencies(n);
        long measureFrom = System.nanoTime() + p.warmupNs();
        long endAt = measureFrom + p.measureNs();
        AtomicLong roundTrips = new AtomicLong();
        AtomicReference<String> error = new AtomicReference<>();
        CountDownLatch clientsDone = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            new Echo(rt, server, pairs[i][1], error).start();
            new Caller(rt, client, pairs[i][0], i, lat, measureFrom, endAt, roundTrips, progress, error,
                    clientsDone).next();
        }
        if (!clientsDone.await(p.warmupNs() + p.measureNs() + 60_000_000_000L, TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("round trips stopped: " + error.get());
        }
        if (error.get() != null) {
            throw new IllegalStateException(error.get());
        }
        return lat.result(name(), w, roundTrips.get(), p.measureNs());
    }

    /** The client of one connection: write the request and read the response, then the next; records latency. */
    private final class Caller {
        final Aio aio;
        final int index;
        final Latencies lat;
        final long measureFrom;
        final long endAt;
        final AtomicLong roundTrips;
        final Progress progress;
        final AtomicReference<String> error;
        final CountDownLatch done;
        final aiocb write;
        final aiocb read;
        final MemorySegment in;
        int got;
        boolean writeDone = true;
        boolean readDoneFlag;
        long t0;

        Caller(AioRuntime rt, Aio aio, int fd, int index, Latencies lat, long measureFrom, long endAt,
               AtomicLong roundTrips, Progress progress, AtomicReference<String> error, CountDownLatch done) {
            this.aio = aio;
            this.index = index;
            this.lat = lat;
            this.measureFrom = measureFrom;
            this.endAt = endAt;
            this.roundTrips = roundTrips;
            this.progress = progress;
            this.error = error;
            this.done = done;
            this.in = rt.allocate(Workload.MESSAGE_BYTES);
            this.write = new aiocb(fd, rt.allocate(Workload.MESSAGE_BYTES), Workload.MESSAGE_BYTES, 0);
            this.read = new aiocb(fd, in, Workload.MESSAGE_BYTES, 0);
            VirtaioSystem.this.notify(write, v -> onWrite());
            VirtaioSystem.this.notify(read, v -> onRead());
        }

        /** Starts a round trip, or ends this connection's run. */
        void next() {
            t0 = System.nanoTime();
            if (t0 >= endAt || error.get() != null) {
                done.countDown();
                return;
            }
            got = 0;
            read.aio_buf = in;
            read.aio_nbytes = Workload.MESSAGE_BYTES;
            writeDone = false;
            readDoneFlag = false;
            if (aio.aio_write(write) != 0 || aio.aio_read(read) != 0) {
                fail("submit: " + Errno.name(aio.errno()));
            }
        }

        void onWrite() {
            if (aio.aio_return(write) != Workload.MESSAGE_BYTES) {
                fail("aio_write: " + Errno.name(aio.aio_error(write)));
                return;
            }
            synchronized (this) {
                writeDone = true;
                if (!readDoneFlag) {
                    return;
                }
            }
            next();
        }

        void onRead() {
            long r = aio.aio_return(read);
            if (r <= 0) {
                fail("aio_read: " + (r == 0 ? "end of stream" : Errno.name(aio.aio_error(read))));
                return;
            }
            got += (int) r;
            if (got < Workload.MESSAGE_BYTES) {
                // A short read: ask for the rest of the response.
                read.aio_buf = in.asSlice(got);
                read.aio_nbytes = Workload.MESSAGE_BYTES - got;
                if (aio.aio_read(read) != 0) {
                    fail("aio_read: " + Errno.name(aio.errno()));
                }
                return;
            }
            long t1 = System.nanoTime();
            progress.add(1);
            if (t0 >= measureFrom) {
                lat.record(index, t1 - t0);
                roundTrips.incrementAndGet();
            }
            synchronized (this) {
                readDoneFlag = true;
                if (!writeDone) {
                    return;
                }
            }
            next();
        }

        private void fail(String why) {
            error.compareAndSet(null, why);
            done.countDown();
        }
    }

    /** The server end of one connection: read a whole request, write it back, repeat until end of stream. */
    private final class Echo {
        final Aio aio;
        final aiocb read;
        final aiocb write;
        final MemorySegment buf;
        final AtomicReference<String> error;
        int got;
        boolean writing;
        boolean requestWaiting;

        Echo(AioRuntime rt, Aio aio, int fd, AtomicReference<String> error) {
            this.aio = aio;
            this.error = error;
            this.buf = rt.allocate(Workload.MESSAGE_BYTES);
            this.read = new aiocb(fd, buf, Workload.MESSAGE_BYTES, 0);
            this.write = new aiocb(fd, rt.allocate(Workload.MESSAGE_BYTES), Workload.MESSAGE_BYTES, 0);
            VirtaioSystem.this.notify(read, v -> onRead());
            VirtaioSystem.this.notify(write, v -> onWrite());
        }

        void start() {
            got = 0;
            read.aio_buf = buf;
            read.aio_nbytes = Workload.MESSAGE_BYTES;
            if (aio.aio_read(read) != 0) {
                error.compareAndSet(null, "echo aio_read: " + Errno.name(aio.errno()));
            }
        }

        void onRead() {
            long r = aio.aio_return(read);
            if (r <= 0) {
                return; // the client closed: the run is over
            }
            got += (int) r;
            if (got < Workload.MESSAGE_BYTES) {
                read.aio_buf = buf.asSlice(got);
                read.aio_nbytes = Workload.MESSAGE_BYTES - got;
                aio.aio_read(read);
                return;
            }
            synchronized (this) {
                if (writing) {
                    // The previous echo is still being queued; it starts this one when done.
                    requestWaiting = true;
                    return;
                }
                writing = true;
            }
            echo();
        }

        private void echo() {
            MemorySegment.copy(buf, 0, write.aio_buf, 0, Workload.MESSAGE_BYTES);
            if (aio.aio_write(write) != 0) {
                error.compareAndSet(null, "echo aio_write: " + Errno.name(aio.errno()));
                return;
            }
            start();
        }

        void onWrite() {
            if (aio.aio_return(write) < 0) {
                error.compareAndSet(null, "echo aio_write: " + Errno.name(aio.errno()));
                return;
            }
            boolean again;
            synchronized (this) {
                again = requestWaiting;
                requestWaiting = false;
                writing = again;
            }
            if (again) {
                echo();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private void notify(aiocb cb, Consumer<sigval> f) {
        cb.aio_sigevent.sigev_notify = SIGEV_THREAD;
        cb.aio_sigevent.sigev_notify_function = f;
    }

    private static int check(Aio aio, int rc, String what) {
        if (rc < 0) {
            throw new IllegalStateException(what + ": " + Errno.name(aio.errno()));
        }
        return rc;
    }
}
