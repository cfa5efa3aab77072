package io.virtaio.virtio.queue;

import static io.virtaio.virtio.queue.SplitQueueLayout.AVAIL_FLAGS;
import static io.virtaio.virtio.queue.SplitQueueLayout.AVAIL_F_NO_INTERRUPT;
import static io.virtaio.virtio.queue.SplitQueueLayout.AVAIL_IDX;
import static io.virtaio.virtio.queue.SplitQueueLayout.DESC_ADDR;
import static io.virtaio.virtio.queue.SplitQueueLayout.DESC_FLAGS;
import static io.virtaio.virtio.queue.SplitQueueLayout.DESC_F_INDIRECT;
import static io.virtaio.virtio.queue.SplitQueueLayout.DESC_F_NEXT;
import static io.virtaio.virtio.queue.SplitQueueLayout.DESC_F_WRITE;
import static io.virtaio.virtio.queue.SplitQueueLayout.DESC_LEN;
import static io.virtaio.virtio.queue.SplitQueueLayout.DESC_NEXT;
import static io.virtaio.virtio.queue.SplitQueueLayout.DESC_SIZE;
import static io.virtaio.virtio.queue.SplitQueueLayout.LE16;
import static io.virtaio.virtio.queue.SplitQueueLayout.LE32;
import static io.virtaio.virtio.queue.SplitQueueLayout.LE64;
import static io.virtaio.virtio.queue.SplitQueueLayout.U16;
import static io.virtaio.virtio.queue.SplitQueueLayout.USED_ELEM_ID;
import static io.virtaio.virtio.queue.SplitQueueLayout.USED_ELEM_LEN;
import static io.virtaio.virtio.queue.SplitQueueLayout.USED_FLAGS;
import static io.virtaio.virtio.queue.SplitQueueLayout.USED_F_NO_NOTIFY;
import static io.virtaio.virtio.queue.SplitQueueLayout.USED_IDX;

import io.virtaio.virtio.mem.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The device's view of a split virtqueue (virtio 1.2 §2.7): it pops chains the driver made available and pushes
 * them back as used.
 *
 * <p>Confined to one thread. Allocation-free after construction. The driver is untrusted: the available index,
 * every head, descriptor and indirect table are read once from shared memory and checked ({@link Violation});
 * every chain walk is bounded; a violation breaks the queue until {@link #reset()} and is reported with the rule
 * and the index that broke it. Nothing here reads or writes outside the guest memory region.
 *
 * <p>Protocol: {@link #pop} until {@link QueueStatus#EMPTY}; {@link #pushUsed} each chain when done (in any
 * order, §2.7.8); {@link #publishUsed()} once per batch; before waiting for a kick, {@link #enableNotifications()}
 * and, if it returns true, pop again instead.
 */
public final class SplitQueueDevice {
    /** Default cap on indirect table entries (QEMU accepts at most 1024 buffers in a chain, VIRTQUEUE_MAX_SIZE). */
    public static final int DEFAULT_MAX_INDIRECT = 1024;

    // The spec asks no alignment of an indirect table (§2.7.5.3 aligns only the three ring parts), so its entries
    // are read with unaligned layouts: an aligned read at a driver-chosen odd address would throw.
    private static final ValueLayout.OfShort LE16_UNALIGNED = LE16.withByteAlignment(1);
    private static final ValueLayout.OfInt LE32_UNALIGNED = LE32.withByteAlignment(1);
    private static final ValueLayout.OfLong LE64_UNALIGNED = LE64.withByteAlignment(1);

    private final GuestMemory guest;
    private final MemorySegment mem;
    private final int size;
    private final int mask;
    private final long descOff;
    private final long availOff;
    private final long usedOff;
    private final long usedEventOff;
    private final long availEventOff;
    private final boolean eventIdx;
    private final int maxIndirect;
    private final Doorbell interrupt;
    private final QueueCounters counters = new QueueCounters();

    private final boolean[] inFlight;
    private int numInFlight;
    private int nextAvail;
    /** The last avail.idx acquired and validated: chains up to it are popped without touching the idx line. */
    private int availShadow;
    private int nextUsed;
    private int publishedUsed;
    /** Head of the most recent pop while it may still be undone (not pushed, no pop since), else -1. */
    private int lastPopped = -1;
    private boolean notificationsEnabled = true;
    private Violation brokenRule;
    private String brokenReason;

    /**
     * A device view over rings the driver placed at the given guest addresses.
     *
     * @param maxIndirect largest indirect table accepted, in entries; 0 when VIRTIO_F_INDIRECT_DESC is not
     *                    negotiated (an INDIRECT descriptor is then a violation)
     * @throws IllegalArgumentException if the size is invalid or a ring lies outside guest memory or is misaligned
     *                                  (a real device would refuse DRIVER_OK; the caller decides)
     */
    public SplitQueueDevice(GuestMemory guest, int size, long descAddress, long availAddress, long usedAddress,
                            boolean eventIdx, int maxIndirect, Doorbell interrupt) {
        if (!SplitQueueLayout.isValidSize(size)) {
            throw new IllegalArgumentException("queue size must be a power of two in 1..32768: " + size);
        }
        if (maxIndirect < 0 || maxIndirect > 65536) {
            throw new IllegalArgumentException("maxIndirect must be in 0..65536: " + maxIndirect);
        }
        this.guest = guest;
        this.mem = guest.region();
        this.size = size;
        this.mask = size - 1;
        this.descOff = ring(guest, "descriptor table", descAddress, SplitQueueLayout.descTableSize(size),
                SplitQueueLayout.DESC_ALIGN);
        this.availOff = ring(guest, "available ring", availAddress, SplitQueueLayout.availSize(size),
                SplitQueueLayout.AVAIL_ALIGN);
        this.usedOff = ring(guest, "used ring", usedAddress, SplitQueueLayout.usedSize(size),
                SplitQueueLayout.USED_ALIGN);
        this.usedEventOff = availOff + SplitQueueLayout.usedEventOffset(size);
        this.availEventOff = usedOff + SplitQueueLayout.availEventOffset(size);
        this.eventIdx = eventIdx;
        this.maxIndirect = maxIndirect;
        this.interrupt = interrupt;
        this.inFlight = new boolean[size];
    }

    private static long ring(GuestMemory guest, String what, long address, long bytes, int align) {
        long off = guest.translate(address, bytes);
        if (off == GuestMemory.INVALID) {
            throw new IllegalArgumentException(what + " at 0x" + Long.toHexString(address) + " (" + bytes
                    + " bytes) is outside guest memory");
        }
        if ((address & (align - 1)) != 0 || ((guest.region().address() + off) & (align - 1)) != 0) {
            throw new IllegalArgumentException(what + " at 0x" + Long.toHexString(address)
                    + " is not aligned to " + align + " (§2.7)");
        }
        return off;
    }

    /** A chain holder big enough for any chain this queue accepts. */
    public DescChain newChain() {
        return new DescChain(mem, size + maxIndirect);
    }

    /** Forgets all state, as a device reset does (§2.1.1); the driver re-initializes the ring memory. */
    public void reset() {
        java.util.Arrays.fill(inFlight, false);
        numInFlight = 0;
        nextAvail = 0;
        availShadow = 0;
        nextUsed = 0;
        publishedUsed = 0;
        lastPopped = -1;
        notificationsEnabled = true;
        brokenRule = null;
        brokenReason = null;
        counters.resets++;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Popping available chains

    /**
     * Pops the next available chain into {@code chain}, fully validated.
     *
     * @return the head (≥ 0), {@link QueueStatus#EMPTY} or {@link QueueStatus#BROKEN}
     */
    public int pop(DescChain chain) {
        lastPopped = -1;
        if (brokenRule != null) {
            return QueueStatus.BROKEN;
        }
        if (nextAvail == availShadow) {
            // Read avail.idx only when the chains it last announced are all popped: one read of the driver's
            // hottest line per batch, not per chain.
            // Acquire: the ring slots and descriptors the driver wrote before its release of avail.idx.
            int availIdx = Short.toUnsignedInt((short) U16.getAcquire(mem, availOff + AVAIL_IDX));
            int pending = (availIdx - nextAvail) & 0xFFFF;
            if (pending == 0) {
                return QueueStatus.EMPTY;
            }
            if (pending > size) {
                return violation(Violation.AVAIL_IDX_JUMP, "avail.idx moved from " + nextAvail + " to " + availIdx
                        + ", more than the queue size " + size);
            }
            availShadow = availIdx;
        }
        int slot = nextAvail & mask;
        int head = Short.toUnsignedInt(mem.get(LE16, availOff + SplitQueueLayout.availRingOffset(slot)));
        if (head >= size) {
            return violation(Violation.HEAD_OUT_OF_RANGE, "head " + head + " in avail slot " + slot
                    + " >= queue size " + size);
        }
        if (inFlight[head]) {
            return violation(Violation.HEAD_IN_FLIGHT, "head " + head + " in avail slot " + slot
                    + " is already in flight (" + numInFlight + " chains in flight)");
        }
        int walked = walk(head, chain);
        if (walked < 0) {
            return walked;
        }
        nextAvail = (nextAvail + 1) & 0xFFFF;
        inFlight[head] = true;
        numInFlight++;
        counters.chains++;
        lastPopped = head;
        return head;
    }

    /**
     * Gives back the chain just popped, unconsumed: the next {@link #pop} returns it again (re-read and re-checked
     * from the ring, since the driver may have changed it). This is how a device declines a chain it cannot use
     * now, e.g. a receive buffer too small for the frame at hand, without completing it — QEMU's
     * {@code virtqueue_unpop}, vhost's {@code vhost_discard_vq_desc}. Only the most recent pop can be undone, and
     * only before it is pushed.
     *
     * @throws IllegalArgumentException if {@code head} is not the most recent pop still in flight — a device bug
     */
    public void undoPop(int head) {
        if (head < 0 || head != lastPopped || !inFlight[head]) {
            throw new IllegalArgumentException("head " + head + " is not the chain just popped (last pop: "
                    + lastPopped + ")");
        }
        nextAvail = (nextAvail - 1) & 0xFFFF;
        inFlight[head] = false;
        numInFlight--;
        counters.chains--;
        lastPopped = -1;
    }

    /** Follows a chain from {@code head}; every descriptor is read once into locals, then checked. */
    private int walk(int head, DescChain chain) {
        chain.reset(head);
        int id = head;
        for (int ttl = size; ; ttl--) {
            if (ttl == 0) {
                return violation(Violation.CHAIN_TOO_LONG, "chain from head " + head + " has more than " + size
                        + " descriptors");
            }
            long d = descOff + (long) DESC_SIZE * id;
            long addr = mem.get(LE64, d + DESC_ADDR);
            long len = Integer.toUnsignedLong(mem.get(LE32, d + DESC_LEN));
            int flags = Short.toUnsignedInt(mem.get(LE16, d + DESC_FLAGS));
            int next = Short.toUnsignedInt(mem.get(LE16, d + DESC_NEXT));
            if ((flags & DESC_F_INDIRECT) != 0) {
                // §2.7.5.3.2: zero or more direct descriptors followed by a single INDIRECT one.
                if (maxIndirect == 0) {
                    return violation(Violation.INDIRECT_NOT_NEGOTIATED, "descriptor " + id + " of head " + head);
                }
                if ((flags & DESC_F_NEXT) != 0) {
                    return violation(Violation.INDIRECT_WITH_NEXT, "descriptor " + id + " of head " + head);
                }
                return walkIndirect(head, id, addr, len, chain);
            }
            int r = append(chain, head, id, addr, len, flags);
            if (r < 0) {
                return r;
            }
            if ((flags & DESC_F_NEXT) == 0) {
                return head;
            }
            if (next >= size) {
                return violation(Violation.NEXT_OUT_OF_RANGE, "descriptor " + id + " of head " + head
                        + " has next " + next + " >= queue size " + size);
            }
            id = next;
        }
    }

    private int walkIndirect(int head, int id, long tableAddr, long tableLen, DescChain chain) {
        if (tableLen == 0 || tableLen % DESC_SIZE != 0) {
            return violation(Violation.INDIRECT_BAD_LENGTH, "descriptor " + id + " of head " + head
                    + " has an indirect table of " + tableLen + " bytes");
        }
        long entries = tableLen / DESC_SIZE;
        if (entries > maxIndirect) {
            return violation(Violation.INDIRECT_TOO_LARGE, "descriptor " + id + " of head " + head + ": "
                    + entries + " entries > " + maxIndirect);
        }
        long table = guest.translate(tableAddr, tableLen);
        if (table == GuestMemory.INVALID) {
            return violation(Violation.ADDRESS_OUT_OF_RANGE, "indirect table of descriptor " + id + " of head "
                    + head + " at 0x" + Long.toHexString(tableAddr) + " len " + tableLen);
        }
        int i = 0;
        for (long ttl = entries; ; ttl--) {
            if (ttl == 0) {
                return violation(Violation.CHAIN_TOO_LONG, "indirect table of head " + head + " loops ("
                        + entries + " entries)");
            }
            long d = table + (long) DESC_SIZE * i;
            long addr = mem.get(LE64_UNALIGNED, d + DESC_ADDR);
            long len = Integer.toUnsignedLong(mem.get(LE32_UNALIGNED, d + DESC_LEN));
            int flags = Short.toUnsignedInt(mem.get(LE16_UNALIGNED, d + DESC_FLAGS));
            int next = Short.toUnsignedInt(mem.get(LE16_UNALIGNED, d + DESC_NEXT));
            if ((flags & DESC_F_INDIRECT) != 0) {
                return violation(Violation.INDIRECT_NESTED, "entry " + i + " of the indirect table of head "
                        + head);
            }
            int r = append(chain, head, i, addr, len, flags);
            if (r < 0) {
                return r;
            }
            if ((flags & DESC_F_NEXT) == 0) {
                return head;
            }
            if (next >= entries) {
                return violation(Violation.NEXT_OUT_OF_RANGE, "entry " + i + " of the indirect table of head "
                        + head + " has next " + next + " >= " + entries + " entries");
            }
            i = next;
        }
    }

    private int append(DescChain chain, int head, int id, long addr, long len, int flags) {
        if (len == 0) {
            return violation(Violation.ZERO_LENGTH, "descriptor " + id + " of head " + head);
        }
        if (len > Integer.MAX_VALUE) {
            return violation(Violation.CHAIN_LENGTH_OVERFLOW, "descriptor " + id + " of head " + head
                    + " is " + len + " bytes long");
        }
        long off = guest.translate(addr, len);
        if (off == GuestMemory.INVALID) {
            return violation(Violation.ADDRESS_OUT_OF_RANGE, "descriptor " + id + " of head " + head + ": addr 0x"
                    + Long.toHexString(addr) + " len " + len);
        }
        boolean writable = (flags & DESC_F_WRITE) != 0;
        if (!writable && chain.writableCount() > 0) {
            return violation(Violation.READABLE_AFTER_WRITABLE, "descriptor " + id + " of head " + head);
        }
        if (chain.readableBytes() + chain.writableBytes() + len > 0xFFFF_FFFFL) {
            return violation(Violation.CHAIN_LENGTH_OVERFLOW, "chain of head " + head + " exceeds 2^32 - 1 bytes");
        }
        if (!chain.append(off, len, writable)) {
            return violation(Violation.CHAIN_TOO_LONG, "chain of head " + head + " has more than "
                    + chain.capacity() + " buffers");
        }
        return 0;
    }

    /** True iff the driver published chains not yet popped (an acquire load, no side effect). */
    public boolean hasAvailable() {
        return brokenRule == null
                && Short.toUnsignedInt((short) U16.getAcquire(mem, availOff + AVAIL_IDX)) != nextAvail;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Returning used chains

    /**
     * Records chain {@code head} as used with {@code len} bytes written into its writable buffers; visible to the
     * driver at the next {@link #publishUsed()}. Chains may be pushed in any order.
     *
     * @return false if the queue is broken (the push is dropped: the driver will reset)
     * @throws IllegalArgumentException if {@code head} is not in flight — a bug in the device code, not the driver
     */
    public boolean pushUsed(int head, int len) {
        if (brokenRule != null) {
            return false;
        }
        if (head < 0 || head >= size || !inFlight[head]) {
            throw new IllegalArgumentException("head " + head + " is not in flight");
        }
        long elem = usedOff + SplitQueueLayout.usedElemOffset(nextUsed & mask);
        // Unchanged fields are not rewritten: an in-order device returning the same heads with the same lengths
        // then leaves the driver's cached copy of the used ring valid.
        if (mem.get(LE32, elem + USED_ELEM_ID) != head) {
            mem.set(LE32, elem + USED_ELEM_ID, head);
        }
        if (mem.get(LE32, elem + USED_ELEM_LEN) != len) {
            mem.set(LE32, elem + USED_ELEM_LEN, len);
        }
        nextUsed = (nextUsed + 1) & 0xFFFF;
        inFlight[head] = false;
        numInFlight--;
        if (head == lastPopped) {
            lastPopped = -1;
        }
        counters.bytes += Integer.toUnsignedLong(len);
        return true;
    }

    /**
     * Makes every chain pushed since the last publish visible with one release store of {@code used.idx}, then
     * rings the interrupt doorbell if the driver asked for it (§2.7.7.2, §2.7.10).
     *
     * @return true iff the driver was notified
     */
    public boolean publishUsed() {
        if (brokenRule != null || nextUsed == publishedUsed) {
            return false;
        }
        int old = publishedUsed;
        int now = nextUsed;
        // Release: a driver that acquires used.idx must also see the elements and buffer bytes written before.
        U16.setRelease(mem, usedOff + USED_IDX, (short) now);
        publishedUsed = now;
        // Full fence: the idx store must be visible before we read used_event/flags (the mirror of the kick race).
        VarHandle.fullFence();
        boolean notify;
        if (eventIdx) {
            notify = SplitQueueLayout.needsEvent(Short.toUnsignedInt(mem.get(LE16, usedEventOff)), now, old);
        } else {
            notify = (mem.get(LE16, availOff + AVAIL_FLAGS) & AVAIL_F_NO_INTERRUPT) == 0;
        }
        if (notify) {
            counters.notificationsSent++;
            interrupt.ring();
        } else {
            counters.notificationsSuppressed++;
        }
        return notify;
    }

    /** Asks the driver not to kick: NO_NOTIFY, or with EVENT_IDX an {@code avail_event} already passed. */
    public void disableNotifications() {
        notificationsEnabled = false;
        if (eventIdx) {
            mem.set(LE16, availEventOff, (short) (nextAvail - 1));
        } else {
            mem.set(LE16, usedOff + USED_FLAGS, (short) USED_F_NO_NOTIFY);
        }
    }

    /**
     * Asks for a kick at the next available chain, then re-checks the ring.
     *
     * @return true iff chains are already available — pop them instead of waiting for a kick
     */
    public boolean enableNotifications() {
        notificationsEnabled = true;
        if (eventIdx) {
            mem.set(LE16, availEventOff, (short) nextAvail);
        } else {
            mem.set(LE16, usedOff + USED_FLAGS, (short) 0);
        }
        // Full fence: the event/flags store must be visible before we re-read avail.idx, or the driver could
        // publish in between, read the old value and never kick (§2.7.10).
        VarHandle.fullFence();
        return hasAvailable();
    }

    public boolean notificationsEnabled() {
        return notificationsEnabled;
    }

    // ---------------------------------------------------------------------------------------------------------
    // State

    private int violation(Violation rule, String detail) {
        brokenRule = rule;
        brokenReason = rule.name() + ": " + detail;
        counters.violations[rule.ordinal()]++;
        return QueueStatus.BROKEN;
    }

    public boolean isBroken() {
        return brokenRule != null;
    }

    public Violation brokenRule() {
        return brokenRule;
    }

    /** Which rule, which index: e.g. "HEAD_OUT_OF_RANGE: head 300 in avail slot 5 >= queue size 256". */
    public String brokenReason() {
        return brokenReason;
    }

    public int size() {
        return size;
    }

    /** Chains popped and not yet pushed back. */
    public int inFlight() {
        return numInFlight;
    }

    public boolean eventIdx() {
        return eventIdx;
    }

    public QueueCounters counters() {
        return counters;
    }
}
