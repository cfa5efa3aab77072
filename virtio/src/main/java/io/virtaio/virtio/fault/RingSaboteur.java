package io.virtaio.virtio.fault;

import static io.virtaio.virtio.queue.SplitQueueLayout.AVAIL_IDX;
import static io.virtaio.virtio.queue.SplitQueueLayout.DESC_F_NEXT;
import static io.virtaio.virtio.queue.SplitQueueLayout.DESC_F_WRITE;
import static io.virtaio.virtio.queue.SplitQueueLayout.LE16;
import static io.virtaio.virtio.queue.SplitQueueLayout.LE32;
import static io.virtaio.virtio.queue.SplitQueueLayout.LE64;
import static io.virtaio.virtio.queue.SplitQueueLayout.U16;
import static io.virtaio.virtio.queue.SplitQueueLayout.USED_ELEM_ID;
import static io.virtaio.virtio.queue.SplitQueueLayout.USED_ELEM_LEN;
import static io.virtaio.virtio.queue.SplitQueueLayout.USED_IDX;

import io.virtaio.virtio.mem.GuestMemory;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.queue.SplitQueueLayout;
import java.lang.foreign.MemorySegment;

/**
 * Writes a device's virtqueues as a misbehaving other side would: used-ring entries no device should write, and
 * available-ring entries no driver should. Each write breaks a rule that the reading side checks
 * ({@link io.virtaio.virtio.queue.Violation}); the test is that it is detected, counted, and recovered from by a
 * reset — never an exception, an out-of-bounds access or a hang.
 *
 * <p>The saboteur finds the rings through the device's transport registers ({@link VirtioNetDevice#queueSize} and
 * the queue addresses) and writes guest memory directly, with the same release store of the index a real peer
 * would use. It does nothing on a queue that is not set up. Call it on the thread that runs the device, between
 * its data-path calls, when the device holds no chain in flight (the available-ring kinds aim at the entry the
 * device reads next, which is then at used.idx). Note the side it plays: the owner of an index also rewrites it, so a driver publishing
 * after an available-ring sabotage may overwrite it before the device reads it (the device must read first — a
 * {@link DeviceFaults} makes the device take a pass at once).
 */
public final class RingSaboteur {
    /** What to write. */
    public enum Kind {
        /** As the device: a used element whose id is not below the queue size (driver: USED_ID_OUT_OF_RANGE). */
        USED_ID_OUT_OF_RANGE(true),
        /** As the device: a used element for the newest chain, with a length beyond anything posted. */
        USED_LEN_TOO_LARGE(true),
        /** As the device: used.idx jumps past every chain outstanding (driver: USED_IDX_JUMP). */
        USED_IDX_JUMP(true),
        /** As the driver: avail.idx jumps by more than the queue size (device: AVAIL_IDX_JUMP). */
        AVAIL_IDX_JUMP(false),
        /** As the driver: a head not below the queue size (device: HEAD_OUT_OF_RANGE). */
        AVAIL_HEAD_OUT_OF_RANGE(false),
        /** As the driver: a chain whose descriptor points at itself (device: CHAIN_TOO_LONG). */
        DESCRIPTOR_LOOP(false);

        private final boolean asDevice;

        Kind(boolean asDevice) {
            this.asDevice = asDevice;
        }

        /** True if this is what a device writes (the used ring); false for the driver's side. */
        public boolean asDevice() {
            return asDevice;
        }
    }

    private final VirtioNetDevice device;
    private final long[] count = new long[Kind.values().length];

    public RingSaboteur(VirtioNetDevice device) {
        if (device == null) {
            throw new IllegalArgumentException("device is required");
        }
        this.device = device;
    }

    /**
     * True if the device has used every chain the driver made available in queue {@code q} (avail.idx equals
     * used.idx): its next pop reads avail.idx afresh, at the slot {@link #sabotage} forges. Also true for a queue
     * that is not set up (a sabotage of it is skipped).
     */
    public boolean caughtUp(int q) {
        int size = device.queueSize(q);
        if (size == 0) {
            return true;
        }
        GuestMemory guest = device.memory();
        long avail = guest.translate(device.queueAvailAddress(q), SplitQueueLayout.availSize(size));
        long used = guest.translate(device.queueUsedAddress(q), SplitQueueLayout.usedSize(size));
        if (avail == GuestMemory.INVALID || used == GuestMemory.INVALID) {
            return true;
        }
        MemorySegment mem = guest.region();
        // Acquire: the indices as the device itself would read them.
        return (short) U16.getAcquire(mem, avail + AVAIL_IDX) == (short) U16.getAcquire(mem, used + USED_IDX);
    }

    /**
     * Writes {@code kind} into queue {@code q}.
     *
     * @return false if the queue is not set up (nothing written)
     */
    public boolean sabotage(int q, Kind kind) {
        int size = device.queueSize(q);
        if (size == 0) {
            return false;
        }
        GuestMemory guest = device.memory();
        long desc = guest.translate(device.queueDescAddress(q), SplitQueueLayout.descTableSize(size));
        long avail = guest.translate(device.queueAvailAddress(q), SplitQueueLayout.availSize(size));
        long used = guest.translate(device.queueUsedAddress(q), SplitQueueLayout.usedSize(size));
        if (desc == GuestMemory.INVALID || avail == GuestMemory.INVALID || used == GuestMemory.INVALID) {
            return false;
        }
        MemorySegment mem = guest.region();
        int mask = size - 1;
        int usedIdx = Short.toUnsignedInt((short) U16.getAcquire(mem, used + USED_IDX));
        int availIdx = Short.toUnsignedInt((short) U16.getAcquire(mem, avail + AVAIL_IDX));
        switch (kind) {
            case USED_ID_OUT_OF_RANGE -> publishUsed(mem, used, usedIdx, mask, size + 7, 0);
            case USED_LEN_TOO_LARGE -> {
                // The newest chain the driver made available is outstanding unless the device already used it.
                int newest = Short.toUnsignedInt(mem.get(LE16,
                        avail + SplitQueueLayout.availRingOffset((availIdx - 1) & mask)));
                publishUsed(mem, used, usedIdx, mask, newest, 0xFFFF_FFF0);
            }
            case USED_IDX_JUMP -> U16.setRelease(mem, used + USED_IDX, (short) (usedIdx + size + 1));
            case AVAIL_IDX_JUMP -> U16.setRelease(mem, avail + AVAIL_IDX, (short) (availIdx + size + 1));
            case AVAIL_HEAD_OUT_OF_RANGE -> forgeAvail(mem, avail, availIdx, usedIdx, mask, size + 3);
            case DESCRIPTOR_LOOP -> {
                // Descriptor 0 becomes one buffer (the descriptor table itself, 16 bytes of guest memory) that
                // continues into itself.
                long d = desc;
                mem.set(LE64, d, device.queueDescAddress(q));
                mem.set(LE32, d + 8, 16);
                mem.set(LE16, d + 12, (short) (DESC_F_NEXT | (q == 0 ? DESC_F_WRITE : 0)));
                mem.set(LE16, d + 14, (short) 0);
                forgeAvail(mem, avail, availIdx, usedIdx, mask, 0);
            }
            default -> throw new IllegalStateException(kind.name());
        }
        count[kind.ordinal()]++;
        return true;
    }

    private static void publishUsed(MemorySegment mem, long used, int usedIdx, int mask, int id, int len) {
        long elem = used + SplitQueueLayout.usedElemOffset(usedIdx & mask);
        mem.set(LE32, elem + USED_ELEM_ID, id);
        mem.set(LE32, elem + USED_ELEM_LEN, len);
        // Release: a driver that acquires used.idx sees the element, as with an honest device.
        U16.setRelease(mem, used + USED_IDX, (short) (usedIdx + 1));
    }

    /**
     * Puts {@code head} where the device reads next. The device's next index is private; with no chain in flight
     * (true between the passes of this device model) it equals used.idx. If the device has read everything, the
     * forged entry is published as a new one; otherwise the published entry it reads next is rewritten in place —
     * a driver changing a slot it already handed over, which the device must read once and check.
     */
    private static void forgeAvail(MemorySegment mem, long avail, int availIdx, int usedIdx, int mask, int head) {
        int next = usedIdx;
        mem.set(LE16, avail + SplitQueueLayout.availRingOffset(next & mask), (short) head);
        if (next == availIdx) {
            // Release: a device that acquires avail.idx sees the slot.
            U16.setRelease(mem, avail + AVAIL_IDX, (short) (availIdx + 1));
        }
    }

    /** Sabotages of {@code kind} written. */
    public long count(Kind kind) {
        return count[kind.ordinal()];
    }
}
