package io.virtaio.virtio.queue;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Where every field of a split virtqueue lives (virtio 1.2 §2.7), and the accessors both sides use.
 *
 * <p>All fields are little-endian. The three parts need not be contiguous (VERSION_1, §2.7.1); each has its own
 * alignment (§2.7, table "Virtqueue Part Alignment"): descriptor table 16, available ring 2, used ring 4. Driver
 * and device allocate them on separate 64-byte lines so that driver-written and device-written fields never share
 * a cache line.
 *
 * <p>Index fields ({@code avail.idx}, {@code used.idx}, {@code used_event}, {@code avail_event}) are accessed with
 * acquire/release through {@link #U16}, which needs naturally aligned offsets; every such offset is even and every
 * part starts at least 2-aligned, so they are.
 */
public final class SplitQueueLayout {
    private SplitQueueLayout() {
    }

    /** Largest queue size the split layout allows (§2.7: "Queue Size ... maximum 32768"). */
    public static final int MAX_SIZE = 32768;

    public static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Aligned little-endian u16 with acquire/release modes: (MemorySegment, long offset) → short. */
    public static final VarHandle U16 = LE16.varHandle();

    /** struct virtq_desc { le64 addr; le32 len; le16 flags; le16 next; };   (§2.7.5) */
    public static final StructLayout VIRTQ_DESC = MemoryLayout.structLayout(
            LE64.withName("addr"), LE32.withName("len"), LE16.withName("flags"), LE16.withName("next"));

    public static final int DESC_SIZE = 16;
    public static final int DESC_ADDR = 0;
    public static final int DESC_LEN = 8;
    public static final int DESC_FLAGS = 12;
    public static final int DESC_NEXT = 14;

    /** This marks a buffer as continuing via the next field. */
    public static final int DESC_F_NEXT = 1;
    /** This marks a buffer as device write-only (otherwise device read-only). */
    public static final int DESC_F_WRITE = 2;
    /** This means the buffer contains a list of buffer descriptors (§2.7.5.3). */
    public static final int DESC_F_INDIRECT = 4;

    /*
     * struct virtq_avail {            (§2.7.6)
     *     le16 flags;
     *     le16 idx;
     *     le16 ring[ Queue Size ];
     *     le16 used_event;            // Only if VIRTIO_F_EVENT_IDX
     * };
     */
    public static final int AVAIL_FLAGS = 0;
    public static final int AVAIL_IDX = 2;
    public static final int AVAIL_RING = 4;
    public static final int AVAIL_ALIGN = 2;
    /** Driver asks the device not to interrupt it (a hint without EVENT_IDX, §2.7.7). */
    public static final int AVAIL_F_NO_INTERRUPT = 1;

    /*
     * struct virtq_used {             (§2.7.8)
     *     le16 flags;
     *     le16 idx;
     *     struct virtq_used_elem ring[ Queue Size ];   // { le32 id; le32 len; }
     *     le16 avail_event;           // Only if VIRTIO_F_EVENT_IDX
     * };
     */
    public static final int USED_FLAGS = 0;
    public static final int USED_IDX = 2;
    public static final int USED_RING = 4;
    public static final int USED_ELEM_SIZE = 8;
    public static final int USED_ELEM_ID = 0;
    public static final int USED_ELEM_LEN = 4;
    public static final int USED_ALIGN = 4;
    /** Device asks the driver not to kick it (a hint without EVENT_IDX, §2.7.10). */
    public static final int USED_F_NO_NOTIFY = 1;

    public static final int DESC_ALIGN = 16;

    /** Bytes of the descriptor table: 16 × N. */
    public static long descTableSize(int queueSize) {
        return (long) DESC_SIZE * queueSize;
    }

    /** Bytes of the available ring including {@code used_event}: 6 + 2 × N. */
    public static long availSize(int queueSize) {
        return 6 + 2L * queueSize;
    }

    /** Bytes of the used ring including {@code avail_event}: 6 + 8 × N. */
    public static long usedSize(int queueSize) {
        return 6 + 8L * queueSize;
    }

    public static long descOffset(int index) {
        return (long) DESC_SIZE * index;
    }

    public static long availRingOffset(int slot) {
        return AVAIL_RING + 2L * slot;
    }

    /** {@code used_event}: the last u16 of the available ring. */
    public static long usedEventOffset(int queueSize) {
        return AVAIL_RING + 2L * queueSize;
    }

    public static long usedElemOffset(int slot) {
        return USED_RING + (long) USED_ELEM_SIZE * slot;
    }

    /** {@code avail_event}: the last u16 of the used ring. */
    public static long availEventOffset(int queueSize) {
        return USED_RING + (long) USED_ELEM_SIZE * queueSize;
    }

    /** True for 1, 2, 4, … 32768. */
    public static boolean isValidSize(int queueSize) {
        return queueSize > 0 && queueSize <= MAX_SIZE && Integer.bitCount(queueSize) == 1;
    }

    /**
     * virtio 1.2 §2.7.10: with EVENT_IDX, notify iff this publication moved the index past the peer's event index,
     * that is iff {@code eventIdx} is one of {@code old, old + 1, ..., new - 1} (the window {@code [old, new)}),
     * all modulo 2^16. The peer writes {@code event = k} to hear about entry {@code k}.
     */
    public static boolean needsEvent(int eventIdx, int newIdx, int oldIdx) {
        return ((newIdx - eventIdx - 1) & 0xFFFF) < ((newIdx - oldIdx) & 0xFFFF);
    }
}
