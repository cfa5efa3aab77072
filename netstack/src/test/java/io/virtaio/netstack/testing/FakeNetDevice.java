package io.virtaio.netstack.testing;

import io.virtaio.netstack.link.FrameHandler;
import io.virtaio.netstack.link.NetDevice;
import io.virtaio.netstack.wire.EthernetFrame;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link NetDevice} in memory, for testing stacks without virtio: a bounded queue of received frames that tests
 * fill ({@link #inject}), and transmit buffers whose frames wait, in order, until a test or a {@link FakeWire} takes
 * them — so buffers in flight are finite and transmit back-pressure (-ENOBUFS) can be provoked by not draining.
 *
 * <p>Buffers live in heap or native memory (the latter as virtio's guest memory does). Injecting and transferring
 * frames copies them in place and allocates nothing, so allocation tests can run a stack over it; taking frames out
 * as {@link SentFrame}s allocates. A reset can be requested ({@link #requestReset}); {@link #reinitialize()} then
 * loses the frames in flight, as a real device reset does. Single-threaded, like the stack that owns it.
 */
public final class FakeNetDevice implements NetDevice {
    private static final int FREE = 0;
    private static final int ACQUIRED = 1;
    private static final int QUEUED = 2;

    private final long mac;
    private final int mtu;
    private final int capabilities;
    private final int txFrameCapacity;
    private final int rxFrameCapacity;

    private final MemorySegment rxMemory;
    private final int[] rxLength;
    private final int[] rxFlags;
    private int rxHead;
    private int rxCount;

    private final MemorySegment txMemory;
    private final int[] txState;
    private final int[] txFree;
    private int txFreeCount;
    private final int[] txQueue;
    private final int[] txLength;
    private final int[] txCsumStart;
    private final int[] txCsumOffset;
    private int txQueueHead;
    private int txQueueCount;
    private int unflushed;

    private boolean interruptsEnabled;
    private String resetReason;

    private long rxFrames;
    private long rxBytes;
    private long rxDropped;
    private long txFrames;
    private long txBytes;
    private long txRefused;
    private long txAborted;
    private long flushes;
    private long notifications;
    private long resets;

    private FakeNetDevice(Builder b) {
        this.mac = b.mac;
        this.mtu = b.mtu;
        this.capabilities = b.capabilities;
        this.txFrameCapacity = EthernetFrame.HEADER_LENGTH + b.mtu;
        this.rxFrameCapacity = b.rxFrameCapacity > 0 ? b.rxFrameCapacity : EthernetFrame.HEADER_LENGTH + b.mtu;
        this.rxMemory = allocate(b.nativeMemory, (long) rxFrameCapacity * b.rxQueue);
        this.rxLength = new int[b.rxQueue];
        this.rxFlags = new int[b.rxQueue];
        this.txMemory = allocate(b.nativeMemory, (long) txFrameCapacity * b.txBuffers);
        this.txState = new int[b.txBuffers];
        this.txFree = new int[b.txBuffers];
        this.txQueue = new int[b.txBuffers];
        this.txLength = new int[b.txBuffers];
        this.txCsumStart = new int[b.txBuffers];
        this.txCsumOffset = new int[b.txBuffers];
        freeAllTx();
    }

    private static MemorySegment allocate(boolean nativeMemory, long size) {
        return nativeMemory ? Arena.ofAuto().allocate(size, 64) : MemorySegment.ofArray(new byte[(int) size]);
    }

    private void freeAllTx() {
        for (int i = 0; i < txState.length; i++) {
            txState[i] = FREE;
            txFree[i] = txState.length - 1 - i;
        }
        txFreeCount = txState.length;
        txQueueHead = 0;
        txQueueCount = 0;
    }

    /** A builder for a device with MAC address {@code mac}: MTU 1500, no offloads, 64 buffers each way, heap. */
    public static Builder builder(long mac) {
        return new Builder(mac);
    }

    /** A device with the defaults of {@link #builder}. */
    public static FakeNetDevice create(long mac) {
        return builder(mac).build();
    }

    /** Options of a {@link FakeNetDevice}. */
    public static final class Builder {
        private final long mac;
        private int mtu = 1500;
        private int capabilities;
        private int txBuffers = 64;
        private int rxQueue = 64;
        private int rxFrameCapacity;
        private boolean nativeMemory;

        private Builder(long mac) {
            this.mac = mac;
        }

        public Builder mtu(int v) {
            this.mtu = v;
            return this;
        }

        /** {@link NetDevice#CAP_TX_CSUM} and/or {@link NetDevice#CAP_RX_CSUM}. */
        public Builder capabilities(int v) {
            this.capabilities = v;
            return this;
        }

        public Builder txBuffers(int v) {
            this.txBuffers = v;
            return this;
        }

        /** How many received frames can wait for the stack. */
        public Builder rxQueue(int v) {
            this.rxQueue = v;
            return this;
        }

        /** Largest frame {@link #inject} takes (default: Ethernet header + MTU). */
        public Builder rxFrameCapacity(int v) {
            this.rxFrameCapacity = v;
            return this;
        }

        /** Native (off-heap) buffers, like virtio's guest memory; default heap. */
        public Builder nativeMemory(boolean v) {
            this.nativeMemory = v;
            return this;
        }

        public FakeNetDevice build() {
            return new FakeNetDevice(this);
        }
    }

    // ---- the test's side: receive queue ----

    /** Queues a copy of {@code frame} for the stack; false (counted) if the queue is full or the frame too big. */
    public boolean inject(byte[] frame) {
        return inject(frame, 0);
    }

    /** {@link #inject(byte[])} with receive {@code flags} ({@link NetDevice#RX_CSUM_OK}). */
    public boolean inject(byte[] frame, int flags) {
        return inject(MemorySegment.ofArray(frame), 0, frame.length, flags);
    }

    /** Queues a copy of {@code len} bytes at {@code off} of {@code seg}; allocation-free. */
    public boolean inject(MemorySegment seg, long off, int len, int flags) {
        if (rxCount == rxLength.length || len > rxFrameCapacity) {
            rxDropped++;
            return false;
        }
        int slot = (rxHead + rxCount) % rxLength.length;
        MemorySegment.copy(seg, off, rxMemory, (long) slot * rxFrameCapacity, len);
        rxLength[slot] = len;
        rxFlags[slot] = flags;
        rxCount++;
        return true;
    }

    /** Frames queued for the stack and not yet received. */
    public int rxPending() {
        return rxCount;
    }

    // ---- the test's side: transmitted frames ----

    /** Frames transmitted and not yet taken. */
    public int txPending() {
        return txQueueCount;
    }

    /** Transmit buffers neither free nor queued: acquired by the stack and not yet submitted. */
    public int txAcquired() {
        return txState.length - txFreeCount - txQueueCount;
    }

    /** The oldest transmitted frame, released from its buffer; null if none. */
    public SentFrame takeTx() {
        if (txQueueCount == 0) {
            return null;
        }
        int id = txQueue[txQueueHead];
        byte[] bytes = txMemory.asSlice((long) id * txFrameCapacity, txLength[id])
                .toArray(ValueLayout.JAVA_BYTE);
        SentFrame f = new SentFrame(bytes, txCsumStart[id], txCsumOffset[id]);
        popTx();
        return f;
    }

    /** Every transmitted frame not yet taken, oldest first. */
    public List<SentFrame> takeAllTx() {
        List<SentFrame> frames = new ArrayList<>();
        for (SentFrame f = takeTx(); f != null; f = takeTx()) {
            frames.add(f);
        }
        return frames;
    }

    /** Releases every transmitted frame unseen. */
    public int discardTx() {
        int n = txQueueCount;
        while (txQueueCount > 0) {
            popTx();
        }
        return n;
    }

    /**
     * Moves the oldest transmitted frame to {@code peer}'s receive queue, as a link between the two would, in place
     * and allocation-free. A partial checksum is completed here (the transmitting device's job) unless the peer
     * takes partial checksums ({@link NetDevice#CAP_RX_CSUM}), which then gets it flagged
     * {@link NetDevice#RX_CSUM_OK}, as virtio-net's NEEDS_CSUM on receive is. With {@code drop} the frame is
     * discarded instead.
     *
     * @return false if there was no frame
     */
    public boolean transferTo(FakeNetDevice peer, boolean drop) {
        if (txQueueCount == 0) {
            return false;
        }
        int id = txQueue[txQueueHead];
        if (!drop) {
            long off = (long) id * txFrameCapacity;
            int flags = 0;
            if (txCsumStart[id] >= 0) {
                if ((peer.capabilities & CAP_RX_CSUM) != 0) {
                    flags = RX_CSUM_OK;
                } else {
                    SentFrame.completeChecksum(txMemory, off, txLength[id], txCsumStart[id], txCsumOffset[id]);
                }
            }
            peer.inject(txMemory, off, txLength[id], flags);
        }
        popTx();
        return true;
    }

    private void popTx() {
        int id = txQueue[txQueueHead];
        txQueueHead = (txQueueHead + 1) % txQueue.length;
        txQueueCount--;
        txState[id] = FREE;
        txFree[txFreeCount++] = id;
    }

    /** Makes {@link #needsReset()} true with {@code reason}, as a device reporting DEVICE_NEEDS_RESET. */
    public void requestReset(String reason) {
        this.resetReason = reason;
    }

    /** Whether the stack asked for interrupts last. */
    public boolean interruptsEnabled() {
        return interruptsEnabled;
    }

    // ---- NetDevice ----

    @Override
    public long mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int capabilities() {
        return capabilities;
    }

    @Override
    public int receive(FrameHandler handler, int budget) {
        int n = 0;
        while (n < budget && rxCount > 0) {
            int slot = rxHead;
            rxFrames++;
            rxBytes += rxLength[slot];
            handler.onFrame(rxMemory, (long) slot * rxFrameCapacity, rxLength[slot], rxFlags[slot]);
            // Freed only now, so nothing injected during the call can overwrite the frame being handled.
            rxHead = (rxHead + 1) % rxLength.length;
            rxCount--;
            n++;
        }
        return n;
    }

    @Override
    public int txAcquire() {
        if (txFreeCount == 0) {
            return -1;
        }
        int id = txFree[--txFreeCount];
        txState[id] = ACQUIRED;
        return id;
    }

    @Override
    public MemorySegment txSegment() {
        return txMemory;
    }

    @Override
    public long txFrameOffset(int id) {
        return (long) id * txFrameCapacity;
    }

    @Override
    public int txFrameCapacity() {
        return txFrameCapacity;
    }

    @Override
    public int txSubmit(int id, int frameLength, int csumStart, int csumOffset) {
        if (id < 0 || id >= txState.length || txState[id] != ACQUIRED) {
            throw new IllegalStateException("tx buffer " + id + " submitted but not acquired");
        }
        boolean badCsum = csumStart >= 0 && ((capabilities & CAP_TX_CSUM) == 0 || csumOffset < 0
                || csumStart + csumOffset + 2 > frameLength);
        if (frameLength < EthernetFrame.HEADER_LENGTH || frameLength > txFrameCapacity || badCsum) {
            txRefused++;
            txState[id] = FREE;
            txFree[txFreeCount++] = id;
            return -1;
        }
        txState[id] = QUEUED;
        txLength[id] = frameLength;
        txCsumStart[id] = csumStart;
        txCsumOffset[id] = csumOffset;
        txQueue[(txQueueHead + txQueueCount) % txQueue.length] = id;
        txQueueCount++;
        txFrames++;
        txBytes += frameLength;
        unflushed++;
        return 0;
    }

    @Override
    public void txAbort(int id) {
        if (id < 0 || id >= txState.length || txState[id] != ACQUIRED) {
            throw new IllegalStateException("tx buffer " + id + " aborted but not acquired");
        }
        txAborted++;
        txState[id] = FREE;
        txFree[txFreeCount++] = id;
    }

    @Override
    public boolean flush() {
        flushes++;
        boolean notify = unflushed > 0;
        unflushed = 0;
        if (notify) {
            notifications++;
        }
        return notify;
    }

    @Override
    public boolean enableInterrupts() {
        interruptsEnabled = true;
        return rxCount > 0;
    }

    @Override
    public void disableInterrupts() {
        interruptsEnabled = false;
    }

    @Override
    public boolean needsReset() {
        return resetReason != null;
    }

    @Override
    public String resetReason() {
        return resetReason;
    }

    @Override
    public void reinitialize() {
        resets++;
        resetReason = null;
        rxHead = 0;
        rxCount = 0;
        freeAllTx();
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("rx_frames", rxFrames);
        m.put("rx_bytes", rxBytes);
        m.put("rx_dropped", rxDropped);
        m.put("tx_frames", txFrames);
        m.put("tx_bytes", txBytes);
        m.put("tx_refused", txRefused);
        m.put("tx_aborted", txAborted);
        m.put("flushes", flushes);
        m.put("notifications", notifications);
        m.put("resets", resets);
        return m;
    }
}
