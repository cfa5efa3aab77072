package io.virtaio.virtio.queue;

import io.virtaio.virtio.mem.BufferPool;
import io.virtaio.virtio.mem.GuestMemory;

/**
 * A driver and a device over one guest memory, plus a pool of buffers: the fixture most queue tests start from.
 * Built with {@link #builder(int)}; closing frees the memory.
 */
final class QueuePair implements AutoCloseable {
    final GuestMemory guest;
    final SplitQueueDriver driver;
    final SplitQueueDevice device;
    final BufferPool pool;
    final DescChain chain;
    final RawRing raw;

    private QueuePair(Builder b) {
        long bytes = 3 * 64 + SplitQueueLayout.descTableSize(b.size) + SplitQueueLayout.availSize(b.size)
                + SplitQueueLayout.usedSize(b.size) + 64
                + (long) b.size * b.indirect * 16 + 64
                + (long) b.buffers * ((b.bufferSize + 63) & ~63L) + 64;
        this.guest = GuestMemory.allocate(bytes);
        this.driver = SplitQueueDriver.create(guest, b.size, b.eventIdx, b.indirect, b.lenPolicy, b.kick);
        this.device = new SplitQueueDevice(guest, b.size, driver.descAddress(), driver.availAddress(),
                driver.usedAddress(), b.eventIdx, b.maxIndirect, b.interrupt);
        this.pool = b.buffers > 0 ? new BufferPool(guest, b.buffers, b.bufferSize) : null;
        this.chain = device.newChain();
        this.raw = RawRing.of(guest, driver);
    }

    static Builder builder(int size) {
        return new Builder(size);
    }

    /** Resets both sides, as a driver does after DEVICE_NEEDS_RESET. */
    void resetBoth() {
        device.reset();
        driver.reset();
    }

    @Override
    public void close() {
        guest.close();
    }

    static final class Builder {
        private final int size;
        private boolean eventIdx;
        private int indirect;
        private int maxIndirect;
        private UsedLenPolicy lenPolicy = UsedLenPolicy.STRICT;
        private Doorbell kick = Doorbell.NONE;
        private Doorbell interrupt = Doorbell.NONE;
        private int buffers;
        private int bufferSize = 64;

        private Builder(int size) {
            this.size = size;
        }

        Builder eventIdx(boolean on) {
            this.eventIdx = on;
            return this;
        }

        /** Indirect tables of {@code entries} on the driver, and the device accepting tables that large. */
        Builder indirect(int entries) {
            this.indirect = entries;
            this.maxIndirect = entries;
            return this;
        }

        /** The device accepts indirect tables up to {@code entries} although the driver never makes any. */
        Builder deviceIndirect(int entries) {
            this.maxIndirect = entries;
            return this;
        }

        Builder lenPolicy(UsedLenPolicy policy) {
            this.lenPolicy = policy;
            return this;
        }

        Builder kick(Doorbell d) {
            this.kick = d;
            return this;
        }

        Builder interrupt(Doorbell d) {
            this.interrupt = d;
            return this;
        }

        Builder buffers(int count, int size) {
            this.buffers = count;
            this.bufferSize = size;
            return this;
        }

        QueuePair build() {
            return new QueuePair(this);
        }
    }
}
