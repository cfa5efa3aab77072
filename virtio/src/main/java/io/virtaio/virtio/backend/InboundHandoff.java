package io.virtaio.virtio.backend;

import static io.virtaio.virtio.net.VirtioNet.HDR_SIZE;

import io.virtaio.virtio.queue.Doorbell;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Moves the frames that a backend delivers from a thread of its own — a TAP's reader — onto the thread that polls
 * the device, for stages that must be confined to that thread: a {@link io.virtaio.virtio.fault.FaultStage} around a
 * TAP is {@code new FaultStage(new InboundHandoff(tap, 256, mtu + 14), plan, seed)}. Transmitted frames pass
 * straight through to the wrapped backend.
 *
 * <p>Inbound frames are copied into a bounded single-producer, single-consumer ring of fixed slots: the delivering
 * thread writes a slot and publishes it, and at the end of each batch ({@link FrameSink#flush}) rings the doorbell
 * its poller gave ({@link #setWakeup}); {@link #poll} on the polling thread hands every published frame to the
 * device, in order, and flushes once. A frame that finds the ring full, or is larger than a slot, is refused and
 * counted ({@link BackendCounters#dropped()}), as a NIC drops when its queue overflows — unless the sender waits for
 * room ({@link FrameSink#notifyWhenRoom}), which {@link #poll} rings once it has freed slots.
 *
 * <p>Threads: {@link #connect}, {@link #accept}, {@link #poll} and the rest of the transmit side belong to the polling
 * thread; the wrapped backend's deliveries may come from any one other thread. Memory: the slots are allocated
 * once, here; nothing is allocated per frame.
 */
public final class InboundHandoff implements Backend {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle ROOM;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(InboundHandoff.class, "head", long.class);
            TAIL = l.findVarHandle(InboundHandoff.class, "tail", long.class);
            ROOM = l.findVarHandle(InboundHandoff.class, "roomDoorbell", Doorbell.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A slot: the frame's length (int), padding to 8, the 12-byte header, padding to 8, then the frame. */
    private static final int LENGTH_OFFSET = 0;
    private static final int HDR_OFFSET = 8;
    private static final int FRAME_OFFSET = 24;

    private final Backend inner;
    private final int slots;
    private final int mask;
    private final int maxFrameBytes;
    private final long slotBytes;
    private final MemorySegment ring;
    /** Each slot's header, sliced once: handing a header over allocates nothing. */
    private final MemorySegment[] headers;
    /** Counted by the delivering thread: frames, bytes, dropped. By the polling thread: deliveries, batches. */
    private final BackendCounters counters = new BackendCounters();
    private final FrameSink producer = new Producer();
    private FrameSink device = Sinks.NOT_CONNECTED;
    private volatile Doorbell wakeup = Doorbell.NONE;
    /** Next slot the polling thread delivers; written by it only. */
    @SuppressWarnings("unused")
    private volatile long head;
    /** Next slot the delivering thread fills; written by it only. */
    @SuppressWarnings("unused")
    private volatile long tail;
    /** A delivering thread waiting for a free slot ({@link FrameSink#notifyWhenRoom}), or null. */
    @SuppressWarnings("unused")
    private volatile Doorbell roomDoorbell;
    /** The delivering thread's private copy of {@code tail}, its last view of {@code head}, its batch's frames. */
    private long producerTail;
    private long producerHeadCache;
    private int producerBatch;

    /**
     * @param inner         the backend whose deliveries come from another thread
     * @param slots         frames the ring holds, a power of two
     * @param maxFrameBytes the largest frame a slot takes (Ethernet header included): the device's MTU + 14
     */
    public InboundHandoff(Backend inner, int slots, int maxFrameBytes) {
        if (inner == null) {
            throw new IllegalArgumentException("inner backend is required");
        }
        if (slots < 1 || Integer.bitCount(slots) != 1 || slots > 1 << 16) {
            throw new IllegalArgumentException("slots must be a power of two in 1..65536: " + slots);
        }
        if (maxFrameBytes < 60 || maxFrameBytes > 65535 + 14) {
            throw new IllegalArgumentException("maxFrameBytes must be in 60..65549: " + maxFrameBytes);
        }
        this.inner = inner;
        this.slots = slots;
        this.mask = slots - 1;
        this.maxFrameBytes = maxFrameBytes;
        this.slotBytes = (FRAME_OFFSET + maxFrameBytes + 63) & ~63L;
        this.ring = Arena.ofAuto().allocate(slotBytes * slots, 64);
        this.headers = new MemorySegment[slots];
        for (int i = 0; i < slots; i++) {
            headers[i] = ring.asSlice(i * slotBytes + HDR_OFFSET, HDR_SIZE);
        }
    }

    @Override
    public void connect(FrameSink toDevice) {
        if (device != Sinks.NOT_CONNECTED) {
            throw new IllegalStateException("handoff already connected to " + device);
        }
        if (toDevice == null) {
            throw new IllegalArgumentException("sink is required");
        }
        device = toDevice;
        inner.connect(producer);
    }

    @Override
    public void setWakeup(Doorbell doorbell) {
        Doorbell d = doorbell == null ? Doorbell.NONE : doorbell;
        wakeup = d;
        inner.setWakeup(d);
    }

    @Override
    public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
        return inner.accept(hdr, frame, frameOff, frameLen, nowNs);
    }

    @Override
    public void flush(long nowNs) {
        inner.flush(nowNs);
    }

    @Override
    public long txReadyAt(long nowNs) {
        return inner.txReadyAt(nowNs);
    }

    @Override
    public void featuresNegotiated(long features) {
        inner.featuresNegotiated(features);
    }

    /**
     * Delivers every frame published so far to the device, in order, with one flush; then polls the wrapped backend.
     */
    @Override
    public long poll(long nowNs) {
        long h = (long) HEAD.getOpaque(this);
        // Acquire: the slot contents written before the producer's release of tail are visible below.
        long t = (long) TAIL.getAcquire(this);
        if (h != t) {
            FrameSink to = device;
            for (; h != t; h++) {
                int index = (int) (h & mask);
                long slot = index * slotBytes;
                int length = ring.get(ValueLayout.JAVA_INT, slot + LENGTH_OFFSET);
                counters.countDelivery(to.accept(headers[index], ring, slot + FRAME_OFFSET, length, nowNs), length);
            }
            // Release: the device has finished reading these slots before the producer may overwrite them.
            HEAD.setRelease(this, h);
            counters.batches++;
            to.flush(nowNs);
            // Full fence: the head store is visible before we look for a waiting producer, which stores its
            // doorbell before it re-reads head — one of us sees the other (the virtqueue's kick race, §2.7.10).
            VarHandle.fullFence();
            if (roomDoorbell != null) {
                Doorbell waiting = (Doorbell) ROOM.getAndSet(this, (Doorbell) null);
                if (waiting != null) {
                    waiting.ring();
                }
            }
        }
        return inner.poll(nowNs);
    }

    /** Frames published and not yet delivered (approximate when read off the polling thread). */
    public int pending() {
        return (int) ((long) TAIL.getAcquire(this) - (long) HEAD.getAcquire(this));
    }

    public int slots() {
        return slots;
    }

    /**
     * Inbound: frames offered by the wrapped backend, the ring's drops; deliveries and batches towards the device.
     */
    public BackendCounters counters() {
        return counters;
    }

    public Backend inner() {
        return inner;
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public String toString() {
        return "InboundHandoff[" + slots + " slots of " + maxFrameBytes + " bytes, " + inner + "]";
    }

    /** The wrapped backend's side: copies a frame into the next free slot; a flush publishes and rings. */
    private final class Producer implements FrameSink {
        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            counters.frames++;
            counters.bytes += frameLen;
            if (frameLen > maxFrameBytes || frameLen < 0) {
                counters.dropped++;
                return DROP_TOO_BIG;
            }
            long t = producerTail;
            if (t - producerHeadCache >= slots) {
                // Acquire: once the consumer's head shows a slot free, its reads of that slot are over.
                producerHeadCache = (long) HEAD.getAcquire(InboundHandoff.this);
                if (t - producerHeadCache >= slots) {
                    counters.dropped++;
                    return DROP_NO_BUFFER;
                }
            }
            long slot = (t & mask) * slotBytes;
            MemorySegment.copy(hdr, 0, ring, slot + HDR_OFFSET, HDR_SIZE);
            MemorySegment.copy(frame, frameOff, ring, slot + FRAME_OFFSET, frameLen);
            ring.set(ValueLayout.JAVA_INT, slot + LENGTH_OFFSET, frameLen);
            producerTail = t + 1;
            producerBatch++;
            // Release: the slot written above is complete before the consumer can see the new tail.
            TAIL.setRelease(InboundHandoff.this, t + 1);
            return OK;
        }

        /** A full ring: {@code doorbell} rings when the polling thread has freed slots. */
        @Override
        public boolean notifyWhenRoom(Doorbell doorbell) {
            roomDoorbell = doorbell;
            // Full fence: the doorbell store is visible before head is re-read (see poll()).
            VarHandle.fullFence();
            producerHeadCache = (long) HEAD.getAcquire(InboundHandoff.this);
            return producerTail - producerHeadCache < slots;
        }

        /** Ends the wrapped backend's batch: the polling thread is told once that frames wait. */
        @Override
        public void flush(long nowNs) {
            if (producerBatch > 0) {
                producerBatch = 0;
                wakeup.ring();
            }
        }
    }
}
