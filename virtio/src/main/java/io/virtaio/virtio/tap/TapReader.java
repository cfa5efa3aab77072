package io.virtaio.virtio.tap;

import static io.virtaio.virtio.net.VirtioNet.HDR_SIZE;

import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.net.VirtioNet;
import io.virtaio.virtio.queue.Doorbell;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.LongSupplier;

/**
 * The TAP's receive side: one platform thread that waits in poll(2) on the TAP and a wake-up eventfd, reads every
 * frame the kernel queued (non-blocking readv(2), one virtio-net header and one frame per call) and hands them to
 * the device's receive path, ending each batch with one flush — one used-ring publication, which rings the driver's
 * interrupt doorbell if the driver asked for it, and so wakes the host's loop.
 *
 * <p>When the device has no receive buffer for a frame, the reader holds that frame and sleeps on the eventfd until
 * the device's receive-queue kick rings {@link #wake} (backpressure: the kernel keeps the rest queued).
 *
 * <p>Everything it touches per frame was allocated at construction: the pollfd and iovec arrays, the header and
 * frame buffers, the errno capture. It stops when {@link #stop} writes the eventfd, or on a read error that will not
 * go away (EBADFD when the interface was deleted under it, EFAULT after a shutdown), which it keeps as
 * {@link #failure()}.
 */
final class TapReader implements Runnable {
    /** Frames per batch: bounded so that the device's used ring is published (and the loop woken) regularly. */
    static final int BATCH = 64;
    /**
     * The poll(2) timeout: none. An idle reader costs nothing (DESIGN.md: an idle runtime uses no CPU), and
     * {@link #stop} wakes it through the eventfd. (A periodic timeout would also be a branch the JIT first prunes
     * and then deoptimizes on, on every idle period.)
     */
    private static final int POLL_TIMEOUT_MS = -1;

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;

    private final String name;
    private final int tapFd;
    private final int wakeFd;
    private final int frameCapacity;
    private final LongSupplier clock;
    private final TapCounters counters;
    private final MemorySegment errno;
    private final MemorySegment pollfds;
    private final MemorySegment iov;
    private final MemorySegment hdr;
    private final MemorySegment frame;
    /** The eventfd's pollfd alone (a view of the second entry), and an iovec to drain its counter. */
    private final MemorySegment wakePollfd;
    private final MemorySegment wakeIov;
    /** What the room doorbell writes into the eventfd, and the errno capture of that write. */
    private final MemorySegment one;
    private final MemorySegment ringErrno;
    /** Rung when the device has receive buffers again (its receive-queue kick): wakes a reader holding a frame. */
    private final Doorbell roomDoorbell = this::wake;
    private final Thread thread;
    private volatile FrameSink sink;
    private volatile boolean stopping;
    private volatile TapException failure;

    TapReader(String name, int tapFd, int wakeFd, int frameCapacity, LongSupplier clock, TapCounters counters) {
        this.name = name;
        this.tapFd = tapFd;
        this.wakeFd = wakeFd;
        this.frameCapacity = frameCapacity;
        this.clock = clock;
        this.counters = counters;
        // Automatic: the memory outlives the thread for as long as anything refers to it, never less.
        Arena arena = Arena.ofAuto();
        this.errno = Libc.newErrnoSegment(arena);
        this.pollfds = arena.allocate(2 * Libc.POLLFD_SIZE, 8);
        this.iov = arena.allocate(2 * Libc.IOVEC_SIZE, 8);
        this.hdr = arena.allocate(HDR_SIZE, 8);
        this.frame = arena.allocate(frameCapacity, 64);
        pollfds.set(ValueLayout.JAVA_INT, Libc.POLLFD_FD, tapFd);
        pollfds.set(SHORT, Libc.POLLFD_EVENTS, Libc.POLLIN);
        pollfds.set(ValueLayout.JAVA_INT, Libc.POLLFD_SIZE + Libc.POLLFD_FD, wakeFd);
        pollfds.set(SHORT, Libc.POLLFD_SIZE + Libc.POLLFD_EVENTS, Libc.POLLIN);
        iov.set(ValueLayout.JAVA_LONG, Libc.IOV_BASE, hdr.address());
        iov.set(ValueLayout.JAVA_LONG, Libc.IOV_LEN, HDR_SIZE);
        iov.set(ValueLayout.JAVA_LONG, Libc.IOVEC_SIZE + Libc.IOV_BASE, frame.address());
        iov.set(ValueLayout.JAVA_LONG, Libc.IOVEC_SIZE + Libc.IOV_LEN, frameCapacity);
        this.wakePollfd = pollfds.asSlice(Libc.POLLFD_SIZE, Libc.POLLFD_SIZE);
        MemorySegment counter = arena.allocate(ValueLayout.JAVA_LONG);
        this.wakeIov = arena.allocate(Libc.IOVEC_SIZE, 8);
        wakeIov.set(ValueLayout.JAVA_LONG, Libc.IOV_BASE, counter.address());
        wakeIov.set(ValueLayout.JAVA_LONG, Libc.IOV_LEN, 8);
        this.one = arena.allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1);
        this.ringErrno = Libc.newErrnoSegment(arena);
        this.thread = Thread.ofPlatform().name("virtaio-tap-" + name).daemon(true).unstarted(this);
    }

    /** Starts reading; frames go to {@code toDevice}. */
    void start(FrameSink toDevice) {
        this.sink = toDevice;
        thread.start();
    }

    /**
     * Asks the thread to stop and waits up to {@code timeoutMs} for it.
     *
     * @return true once the thread has ended (the TAP fd is then no longer used and may be closed)
     */
    boolean stop(MemorySegment callerErrno, long timeoutMs) throws InterruptedException {
        stopping = true;
        if (thread.getState() == Thread.State.NEW) {
            return true;
        }
        if (Thread.currentThread() == thread) {
            return false;
        }
        // eventfd(2): a write adds the 8-byte value to the counter and makes the fd readable, ending the poll. It
        // fails only if the counter would overflow, which one write per close cannot make happen.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1);
            if (Libc.write(callerErrno, wakeFd, one, 8) != 8) {
                failure = new TapException("write(eventfd) to stop the reader of " + name,
                        Libc.errno(callerErrno), null);
                return false;
            }
        }
        thread.join(timeoutMs);
        return !thread.isAlive();
    }

    /** Why the thread stopped on its own, or null. */
    TapException failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (RuntimeException | Error e) {
            // Only a receiving sink that broke its no-throw contract gets here; the frames stop, visibly.
            failure = new TapException("reader of " + name + " stopped: " + e, 0, null);
            throw e;
        }
    }

    private void loop() {
        while (!stopping && step()) {
            // Each round is its own call: step() is invoked once per wake-up, so the JIT compiles it as a method
            // (not only this loop, on-stack), with the downcalls inlined and their errno-capture slices removed.
        }
    }

    /** One round: wait in poll(2), then read what is there; false when the thread must end. */
    private boolean step() {
        int ready = Libc.poll(errno, pollfds, 2, POLL_TIMEOUT_MS);
        if (ready < 0) {
            int e = Libc.errno(errno);
            if (e == LinuxErrno.EINTR) {
                return true;
            }
            fail("poll(" + name + ")", e);
            return false;
        }
        if (ready == 0) {
            return true;                                        // no timeout is set: a spurious return
        }
        if (pollfds.get(SHORT, Libc.POLLFD_SIZE + Libc.POLLFD_REVENTS) != 0) {
            // The eventfd: stop() asked, or a room doorbell rang late (after the wait it was for had ended).
            drainWakeups();
            return !stopping;
        }
        if ((pollfds.get(SHORT, Libc.POLLFD_REVENTS) & Libc.POLLNVAL) != 0) {
            fail("poll(" + name + "): descriptor not open", LinuxErrno.EBADF);
            return false;
        }
        // POLLIN, or POLLERR when tun.c's tun_chr_poll finds the file detached: the read says which.
        counters.rxWakeups++;
        return drain();
    }

    /** Reads and delivers up to {@link #BATCH} frames, then flushes once; false after an error that ends reading. */
    private boolean drain() {
        FrameSink toDevice = sink;
        long nowNs = 0;
        int delivered = 0;
        boolean keepReading = true;
        for (int i = 0; i < BATCH; i++) {
            long n = Libc.readv(errno, tapFd, iov, 2);
            if (n < 0) {
                int e = Libc.errno(errno);
                if (e == LinuxErrno.EAGAIN) {
                    if (i == 0) {
                        counters.rxEmptyReads++;
                    }
                    break;
                }
                if (e == LinuxErrno.EINTR) {
                    continue;
                }
                TapCounters.countErrno(counters.rxErrors, e);
                if (e != LinuxErrno.ENOBUFS && e != LinuxErrno.ENOMEM) {
                    // EBADFD: tun.c's tun_chr_read_iter finds no tun attached (the interface was deleted);
                    // EFAULT: tun_ring_recv after the socket was shut down. Nothing more will come.
                    fail("read(" + name + ")", e);
                    keepReading = false;
                }
                break;
            }
            nowNs = clock.getAsLong();
            if (deliver(toDevice, n, nowNs)) {
                delivered++;
            }
            if (stopping) {
                break;
            }
        }
        if (delivered > 0) {
            counters.rxBatches++;
            toDevice.flush(nowNs);
        }
        return keepReading;
    }

    /** One read of {@code n} bytes: checks it, completes the header and offers the frame; true if accepted. */
    private boolean deliver(FrameSink toDevice, long n, long nowNs) {
        counters.rxFrames++;
        if (n < HDR_SIZE + VirtioNet.ETH_HEADER) {
            counters.rxRunts++;
            return false;
        }
        int frameLength = (int) (n - HDR_SIZE);
        counters.rxBytes += frameLength;
        if (frameLength >= frameCapacity) {
            // The read filled the buffer: tun_chr_read_iter returns min(frame, buffer), so it may have been cut.
            counters.rxTruncated++;
            return false;
        }
        // tun.c tun_put_user() writes sizeof(struct virtio_net_hdr) = 10 bytes, then iov_iter_advance()s over the
        // rest of vnet_hdr_sz: num_buffers is never written. It is 1 without MRG_RXBUF (virtio 1.2 §5.1.6.4).
        hdr.set(VirtioNet.LE16, VirtioNet.HDR_NUM_BUFFERS, (short) 1);
        int flags = hdr.get(ValueLayout.JAVA_BYTE, VirtioNet.HDR_FLAGS);
        if ((flags & VirtioNet.HDR_F_NEEDS_CSUM) != 0) {
            counters.rxNeedsCsum++;
        }
        if ((flags & VirtioNet.HDR_F_DATA_VALID) != 0) {
            counters.rxDataValid++;
        }
        int result = toDevice.accept(hdr, frame, 0, frameLength, nowNs);
        if (result == FrameSink.DROP_NO_BUFFER) {
            result = offerWhenRoom(toDevice, frameLength);
        }
        if (result == FrameSink.OK) {
            counters.rxDelivered++;
            counters.rxDeliveredBytes += frameLength;
            return true;
        }
        counters.rxRefused[result < 0 && -result < counters.rxRefused.length ? -result : 0]++;
        return false;
    }

    /**
     * Backpressure, as QEMU stops reading a TAP while its guest posts no receive buffer: the device has none, so the
     * reader holds this frame — leaving the rest queued in the kernel (the TAP's queue, then the sender's qdisc and
     * its congestion control) instead of reading frames only to drop them — until the device's receive-queue kick
     * says the driver posted more, then offers it again. A sink that cannot tell gets one more offer.
     *
     * @return the device's answer to the last offer; DROP_NO_BUFFER if the reader is stopping (the frame is lost)
     */
    private int offerWhenRoom(FrameSink toDevice, int frameLength) {
        counters.rxRoomWaits++;
        // What was accepted so far must reach the driver: freeing those buffers is what we wait for.
        toDevice.flush(clock.getAsLong());
        while (true) {
            boolean roomNow = toDevice.notifyWhenRoom(roomDoorbell);
            if (!roomNow && !awaitRoom()) {
                return FrameSink.DROP_NO_BUFFER;
            }
            int result = toDevice.accept(hdr, frame, 0, frameLength, clock.getAsLong());
            if (result != FrameSink.DROP_NO_BUFFER || roomNow) {
                return result;
            }
        }
    }

    /** Sleeps in poll(2) on the eventfd alone until the room doorbell or stop() writes it; false when stopping. */
    private boolean awaitRoom() {
        while (!stopping) {
            int ready = Libc.poll(errno, wakePollfd, 1, POLL_TIMEOUT_MS);
            if (ready < 0 && Libc.errno(errno) != LinuxErrno.EINTR) {
                fail("poll(" + name + " eventfd)", Libc.errno(errno));
                stopping = true;
                return false;
            }
            if (ready > 0) {
                drainWakeups();
                return !stopping;
            }
        }
        return false;
    }

    /** Resets the eventfd's counter (a non-blocking read of its 8 bytes), so that poll(2) sleeps again. */
    private void drainWakeups() {
        Libc.readv(errno, wakeFd, wakeIov, 1);
    }

    /**
     * The room doorbell: adds 1 to the eventfd (eventfd(2)), which ends the reader's wait. Rung by whoever kicks the
     * device's receive queue — the driver's loop — never by the reader. It fails only if the counter would overflow,
     * which a reader that drains it on every wake-up cannot let happen.
     */
    private void wake() {
        Libc.write(ringErrno, wakeFd, one, 8);
    }

    private void fail(String what, int e) {
        failure = new TapException(what, e, e == LinuxErrno.EBADFD ? "the interface is gone" : null);
    }
}
