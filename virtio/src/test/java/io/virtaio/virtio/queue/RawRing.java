package io.virtaio.virtio.queue;

import io.virtaio.virtio.mem.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A split virtqueue's fields read and written byte by byte at the offsets the spec gives (virtio 1.2 §2.7), with
 * none of {@link SplitQueueLayout}'s constants: the tests use it to check what the driver wrote and to play a
 * misbehaving peer that writes the shared memory directly.
 *
 * <pre>
 * desc[i]:  addr u64 @16i, len u32 @16i+8, flags u16 @16i+12, next u16 @16i+14
 * avail:    flags @0, idx @2, ring[i] @4+2i, used_event @4+2N
 * used:     flags @0, idx @2, ring[i].id @4+8i, ring[i].len @8+8i, avail_event @4+8N
 * </pre>
 */
final class RawRing {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final int NEXT = 1;
    static final int WRITE = 2;
    static final int INDIRECT = 4;

    final MemorySegment mem;
    final GuestMemory guest;
    final int size;
    /** Region offsets of the three parts. */
    final long desc;
    final long avail;
    final long used;

    RawRing(GuestMemory guest, int size, long descAddress, long availAddress, long usedAddress) {
        this.guest = guest;
        this.mem = guest.region();
        this.size = size;
        this.desc = descAddress - guest.base();
        this.avail = availAddress - guest.base();
        this.used = usedAddress - guest.base();
    }

    static RawRing of(GuestMemory guest, SplitQueueDriver driver) {
        return new RawRing(guest, driver.size(), driver.descAddress(), driver.availAddress(), driver.usedAddress());
    }

    // Descriptor table (driver-written).

    long descAddr(int i) {
        return mem.get(U64, desc + 16L * i);
    }

    long descLen(int i) {
        return Integer.toUnsignedLong(mem.get(U32, desc + 16L * i + 8));
    }

    int descFlags(int i) {
        return Short.toUnsignedInt(mem.get(U16, desc + 16L * i + 12));
    }

    int descNext(int i) {
        return Short.toUnsignedInt(mem.get(U16, desc + 16L * i + 14));
    }

    void writeDesc(int i, long addr, long len, int flags, int next) {
        writeDescAt(desc + 16L * i, addr, len, flags, next);
    }

    /** Writes a descriptor at any region offset, e.g. inside an indirect table. */
    void writeDescAt(long offset, long addr, long len, int flags, int next) {
        mem.set(U64, offset, addr);
        mem.set(U32, offset + 8, (int) len);
        mem.set(U16, offset + 12, (short) flags);
        mem.set(U16, offset + 14, (short) next);
    }

    // Available ring (driver-written).

    int availFlags() {
        return Short.toUnsignedInt(mem.get(U16, avail));
    }

    int availIdx() {
        return Short.toUnsignedInt(mem.get(U16, avail + 2));
    }

    int availRing(int slot) {
        return Short.toUnsignedInt(mem.get(U16, avail + 4 + 2L * slot));
    }

    int usedEvent() {
        return Short.toUnsignedInt(mem.get(U16, avail + 4 + 2L * size));
    }

    void setAvailFlags(int v) {
        mem.set(U16, avail, (short) v);
    }

    void setAvailIdx(int v) {
        mem.set(U16, avail + 2, (short) v);
    }

    void setAvailRing(int slot, int head) {
        mem.set(U16, avail + 4 + 2L * slot, (short) head);
    }

    void setUsedEvent(int v) {
        mem.set(U16, avail + 4 + 2L * size, (short) v);
    }

    /** A misbehaving driver's offer: puts {@code head} in the next slot and bumps avail.idx. */
    void offer(int head) {
        int idx = availIdx();
        setAvailRing(idx & (size - 1), head);
        setAvailIdx(idx + 1);
    }

    // Used ring (device-written).

    int usedFlags() {
        return Short.toUnsignedInt(mem.get(U16, used));
    }

    int usedIdx() {
        return Short.toUnsignedInt(mem.get(U16, used + 2));
    }

    long usedId(int slot) {
        return Integer.toUnsignedLong(mem.get(U32, used + 4 + 8L * slot));
    }

    long usedLen(int slot) {
        return Integer.toUnsignedLong(mem.get(U32, used + 8 + 8L * slot));
    }

    int availEvent() {
        return Short.toUnsignedInt(mem.get(U16, used + 4 + 8L * size));
    }

    void setUsedFlags(int v) {
        mem.set(U16, used, (short) v);
    }

    void setUsedIdx(int v) {
        mem.set(U16, used + 2, (short) v);
    }

    void setUsedElem(int slot, long id, long len) {
        mem.set(U32, used + 4 + 8L * slot, (int) id);
        mem.set(U32, used + 8 + 8L * slot, (int) len);
    }

    void setAvailEvent(int v) {
        mem.set(U16, used + 4 + 8L * size, (short) v);
    }

    /** A misbehaving device's completion: writes the next used element and bumps used.idx. */
    void complete(long id, long len) {
        int idx = usedIdx();
        setUsedElem(idx & (size - 1), id, len);
        setUsedIdx(idx + 1);
    }
}
