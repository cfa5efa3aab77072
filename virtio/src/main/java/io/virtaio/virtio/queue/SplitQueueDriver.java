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
import java.lang.invoke.VarHandle;
import java.util.function.IntConsumer;

/**
 * The driver's view of a split virtqueue (virtio 1.2 §2.7): it offers buffers through the available ring and takes
 * them back from the used ring.
 *
 * <p>Confined to one thread. Allocation-free after construction. The device is untrusted: everything read from the
 * used ring is checked ({@link Violation}), a violation breaks the queue until {@link #reset()}, and the free list
 * is walked through a private copy of each descriptor's {@code next}, never the shared table.
 *
 * <p>Protocol:
 * <ol>
 *   <li>{@link #add} / {@link #addOne} any number of chains (written to the table and ring, not yet visible);</li>
 *   <li>{@link #publish()}: one release store of {@code avail.idx} for the batch, then kick through the doorbell
 *       if the device asked for it;</li>
 *   <li>{@link #reap()} until {@link QueueStatus#EMPTY}; {@link #lastLen()} gives each chain's used length;</li>
 *   <li>before waiting for an interrupt, {@link #enableInterrupts()}; if it returns true, reap again instead.</li>
 * </ol>
 */
public final class SplitQueueDriver {
    private final GuestMemory guest;
    private final MemorySegment mem;
    private final int size;
    private final int mask;
    private final long descAddress;
    private final long availAddress;
    private final long usedAddress;
    private final long descOff;
    private final long availOff;
    private final long usedOff;
    private final long usedEventOff;
    private final long availEventOff;
    private final boolean eventIdx;
    private final int indirectEntries;
    private final long indirectAddress;
    private final long indirectOff;
    private final UsedLenPolicy lenPolicy;
    private final Doorbell kick;
    private final QueueCounters counters = new QueueCounters();

    // Private shadow state: the device can read the rings but never these.
    private final int[] privNext;
    private final int[] chainDescs;
    private final int[] tokens;
    private final long[] writableBytes;
    /** Free descriptors form a FIFO list through {@code privNext}: taken at the head, returned at the tail. */
    private int freeHead;
    private int freeTail;
    private int numFree;
    private int nextAvail;
    private int publishedAvail;
    private int lastUsed;
    /** The last used.idx acquired and validated: chains up to it are reaped without touching the idx line. */
    private int usedShadow;
    private int outstanding;
    private int lastLen;
    private boolean interruptsEnabled = true;
    private Violation brokenRule;
    private String brokenReason;

    private SplitQueueDriver(GuestMemory guest, int size, boolean eventIdx, int indirectEntries,
                             UsedLenPolicy lenPolicy, Doorbell kick) {
        this.guest = guest;
        this.mem = guest.region();
        this.size = size;
        this.mask = size - 1;
        this.eventIdx = eventIdx;
        this.indirectEntries = indirectEntries;
        this.lenPolicy = lenPolicy;
        this.kick = kick;
        // Three separate areas, each on its own 64-byte line(s): driver-written and device-written fields apart.
        this.descAddress = guest.reserve(SplitQueueLayout.descTableSize(size), 64);
        this.availAddress = guest.reserve(SplitQueueLayout.availSize(size), 64);
        this.usedAddress = guest.reserve(SplitQueueLayout.usedSize(size), 64);
        this.descOff = guest.offsetOf(descAddress);
        this.availOff = guest.offsetOf(availAddress);
        this.usedOff = guest.offsetOf(usedAddress);
        this.usedEventOff = availOff + SplitQueueLayout.usedEventOffset(size);
        this.availEventOff = usedOff + SplitQueueLayout.availEventOffset(size);
        if (indirectEntries > 0) {
            // One table per possible head: a head is unique while its chain is outstanding.
            this.indirectAddress = guest.reserve((long) size * indirectEntries * DESC_SIZE, 64);
            this.indirectOff = guest.offsetOf(indirectAddress);
        } else {
            this.indirectAddress = 0;
            this.indirectOff = 0;
        }
        this.privNext = new int[size];
        this.chainDescs = new int[size];
        this.tokens = new int[size];
        this.writableBytes = new long[size];
        initState();
    }

    /**
     * Allocates the rings (and, when {@code indirectEntries > 0}, one indirect table of that many entries per head)
     * in {@code guest} and returns the driver view.
     *
     * @param size            queue size, a power of two in 1…32768
     * @param eventIdx        VIRTIO_F_EVENT_IDX negotiated
     * @param indirectEntries entries per indirect table, 0 when VIRTIO_F_INDIRECT_DESC is not negotiated
     * @param lenPolicy       what to do with a used len above the writable space posted
     * @param kick            rung when the device asked to be notified of new buffers
     */
    public static SplitQueueDriver create(GuestMemory guest, int size, boolean eventIdx, int indirectEntries,
                                          UsedLenPolicy lenPolicy, Doorbell kick) {
        if (!SplitQueueLayout.isValidSize(size)) {
            throw new IllegalArgumentException("queue size must be a power of two in 1..32768: " + size);
        }
        if (indirectEntries < 0 || indirectEntries > 65536) {
            throw new IllegalArgumentException("indirect table entries must be in 0..65536: " + indirectEntries);
        }
        if (lenPolicy == null || kick == null) {
            throw new IllegalArgumentException("lenPolicy and kick are required");
        }
        return new SplitQueueDriver(guest, size, eventIdx, indirectEntries, lenPolicy, kick);
    }

    private void initState() {
        mem.asSlice(descOff, SplitQueueLayout.descTableSize(size)).fill((byte) 0);
        mem.asSlice(availOff, SplitQueueLayout.availSize(size)).fill((byte) 0);
        mem.asSlice(usedOff, SplitQueueLayout.usedSize(size)).fill((byte) 0);
        for (int i = 0; i < size; i++) {
            privNext[i] = (i + 1) & mask;
            tokens[i] = -1;
        }
        freeHead = 0;
        freeTail = size - 1;
        numFree = size;
        nextAvail = 0;
        publishedAvail = 0;
        lastUsed = 0;
        usedShadow = 0;
        outstanding = 0;
        lastLen = 0;
        interruptsEnabled = true;
        brokenRule = null;
        brokenReason = null;
    }

    /**
     * Forgets every outstanding chain and re-initializes the rings (zeroed) and the free list, as after a device
     * reset (§2.1, §3.1). Call {@link #forEachOutstanding} first to recover the tokens of abandoned chains.
     */
    public void reset() {
        initState();
        counters.resets++;
    }

    /** Calls {@code action} with the token of every chain added but not yet reaped. */
    public void forEachOutstanding(IntConsumer action) {
        for (int i = 0; i < size; i++) {
            if (tokens[i] >= 0) {
                action.accept(tokens[i]);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Adding buffers

    /**
     * Adds one chain: {@code readable} device-readable buffers followed by {@code writable} device-writable ones,
     * described by {@code addrs[0..n)} and {@code lens[0..n)}. With indirect descriptors negotiated, a chain of
     * more than one buffer that fits a table takes a single ring descriptor (as Linux does).
     *
     * @return the chain's head (≥ 0), {@link QueueStatus#NO_SPACE} or {@link QueueStatus#BROKEN}; the chain
     *     becomes visible to the device at the next {@link #publish()}
     * @throws IllegalArgumentException for an empty chain, a negative token, a non-positive length, or a buffer
     *     outside guest memory (the driver never hands out memory outside the region)
     */
    public int add(long[] addrs, int[] lens, int readable, int writable, int token) {
        int n = readable + writable;
        checkChain(addrs, lens, readable, writable, token);
        if (brokenRule != null) {
            return QueueStatus.BROKEN;
        }
        if (n > 1 && n <= indirectEntries && numFree > 0) {
            return addIndirect(addrs, lens, readable, n, token);
        }
        if (numFree < n) {
            return QueueStatus.NO_SPACE;
        }
        int head = freeHead;
        int id = head;
        long writableSum = 0;
        for (int i = 0; i < n; i++) {
            boolean isWritable = i >= readable;
            int flags = (isWritable ? DESC_F_WRITE : 0) | (i < n - 1 ? DESC_F_NEXT : 0);
            writeDesc(descOff + (long) DESC_SIZE * id, addrs[i], lens[i], flags, privNext[id]);
            if (isWritable) {
                writableSum += lens[i];
            }
            id = privNext[id];
        }
        freeHead = id;
        numFree -= n;
        return enqueue(head, n, writableSum, token);
    }

    /** Adds a chain of one buffer: the fast path for network rx and tx. Same results as {@link #add}. */
    public int addOne(long addr, int len, boolean writable, int token) {
        if (token < 0 || len <= 0 || !guest.contains(addr, len)) {
            throw new IllegalArgumentException("bad buffer: addr 0x" + Long.toHexString(addr) + " len " + len
                    + " token " + token);
        }
        if (brokenRule != null) {
            return QueueStatus.BROKEN;
        }
        if (numFree == 0) {
            return QueueStatus.NO_SPACE;
        }
        int head = freeHead;
        writeDesc(descOff + (long) DESC_SIZE * head, addr, len, writable ? DESC_F_WRITE : 0, privNext[head]);
        freeHead = privNext[head];
        numFree--;
        return enqueue(head, 1, writable ? len : 0, token);
    }

    private int addIndirect(long[] addrs, int[] lens, int readable, int n, int token) {
        int head = freeHead;
        long table = indirectOff + (long) head * indirectEntries * DESC_SIZE;
        long writableSum = 0;
        for (int i = 0; i < n; i++) {
            boolean isWritable = i >= readable;
            int flags = (isWritable ? DESC_F_WRITE : 0) | (i < n - 1 ? DESC_F_NEXT : 0);
            writeDesc(table + (long) DESC_SIZE * i, addrs[i], lens[i], flags, i + 1);
            if (isWritable) {
                writableSum += lens[i];
            }
        }
        long tableAddress = indirectAddress + (long) head * indirectEntries * DESC_SIZE;
        // §2.7.5.3.1: the descriptor pointing at the table carries INDIRECT only (no NEXT, WRITE ignored).
        writeDesc(descOff + (long) DESC_SIZE * head, tableAddress, n * DESC_SIZE, DESC_F_INDIRECT, privNext[head]);
        freeHead = privNext[head];
        numFree--;
        return enqueue(head, 1, writableSum, token);
    }

    /**
     * Writes a descriptor, skipping fields that already hold the value: a store invalidates the device's cached copy
     * of the line even when it changes nothing, and re-posted buffers usually land in the descriptor they had. The
     * device may have scribbled on the table (it is untrusted), so the comparison reads the shared value, never a
     * shadow. {@code next} is only meaningful with NEXT (§2.7.5); without it the field is left as it is.
     */
    private void writeDesc(long d, long addr, int len, int flags, int next) {
        if (mem.get(LE64, d + DESC_ADDR) != addr) {
            mem.set(LE64, d + DESC_ADDR, addr);
        }
        if (mem.get(LE32, d + DESC_LEN) != len) {
            mem.set(LE32, d + DESC_LEN, len);
        }
        if (mem.get(LE16, d + DESC_FLAGS) != (short) flags) {
            mem.set(LE16, d + DESC_FLAGS, (short) flags);
        }
        if ((flags & DESC_F_NEXT) != 0 && mem.get(LE16, d + DESC_NEXT) != (short) next) {
            mem.set(LE16, d + DESC_NEXT, (short) next);
        }
    }

    private int enqueue(int head, int descs, long writableSum, int token) {
        chainDescs[head] = descs;
        tokens[head] = token;
        writableBytes[head] = writableSum;
        long slot = availOff + SplitQueueLayout.availRingOffset(nextAvail & mask);
        if (mem.get(LE16, slot) != (short) head) {
            mem.set(LE16, slot, (short) head);
        }
        nextAvail = (nextAvail + 1) & 0xFFFF;
        outstanding++;
        counters.chains++;
        return head;
    }

    private void checkChain(long[] addrs, int[] lens, int readable, int writable, int token) {
        int n = readable + writable;
        if (readable < 0 || writable < 0 || n == 0 || n > addrs.length || n > lens.length) {
            throw new IllegalArgumentException("bad chain shape: " + readable + " readable + " + writable
                    + " writable, arrays of " + addrs.length + "/" + lens.length);
        }
        if (n > size && n > indirectEntries) {
            throw new IllegalArgumentException("chain of " + n + " buffers exceeds queue size " + size
                    + " and indirect table size " + indirectEntries);
        }
        if (token < 0) {
            throw new IllegalArgumentException("token must be >= 0: " + token);
        }
        for (int i = 0; i < n; i++) {
            if (lens[i] <= 0 || !guest.contains(addrs[i], lens[i])) {
                throw new IllegalArgumentException("buffer " + i + " outside guest memory or empty: addr 0x"
                        + Long.toHexString(addrs[i]) + " len " + lens[i]);
            }
        }
    }

    /**
     * Makes every chain added since the last publish visible with one release store of {@code avail.idx}, then
     * rings the kick doorbell if the device asked for it (§2.7.13.3–4).
     *
     * @return true iff the device was notified
     */
    public boolean publish() {
        if (brokenRule != null || nextAvail == publishedAvail) {
            return false;
        }
        int old = publishedAvail;
        int now = nextAvail;
        // Release: a device that acquires avail.idx must also see the ring slots and descriptors written before.
        U16.setRelease(mem, availOff + AVAIL_IDX, (short) now);
        publishedAvail = now;
        // Full fence: the idx store must be visible before we read the device's avail_event/flags, or a device
        // going idle at this moment could miss both the new buffers and the kick (§2.7.13.4, Linux kick_prepare).
        VarHandle.fullFence();
        boolean notify;
        if (eventIdx) {
            notify = SplitQueueLayout.needsEvent(Short.toUnsignedInt(mem.get(LE16, availEventOff)), now, old);
        } else {
            notify = (mem.get(LE16, usedOff + USED_FLAGS) & USED_F_NO_NOTIFY) == 0;
        }
        if (notify) {
            counters.notificationsSent++;
            kick.ring();
        } else {
            counters.notificationsSuppressed++;
        }
        return notify;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Taking used buffers back

    /**
     * Takes the next used chain, frees its descriptors and returns its token; {@link #lastLen()} then gives the
     * bytes the device wrote. Returns {@link QueueStatus#EMPTY} or {@link QueueStatus#BROKEN} otherwise.
     */
    public int reap() {
        if (brokenRule != null) {
            return QueueStatus.BROKEN;
        }
        if (lastUsed == usedShadow) {
            // Read used.idx only when the chains it last announced are all reaped: once per batch, not per chain.
            // Acquire: the used element (and the buffer bytes) the device wrote before its release of used.idx.
            int usedIdx = Short.toUnsignedInt((short) U16.getAcquire(mem, usedOff + USED_IDX));
            int pending = (usedIdx - lastUsed) & 0xFFFF;
            if (pending == 0) {
                return QueueStatus.EMPTY;
            }
            // The device can only have used chains it was shown: published ones not yet reaped, not those still
            // waiting for publish() (it could read their ring slots, but must not act on them).
            int published = (publishedAvail - lastUsed) & 0xFFFF;
            if (pending > published) {
                return violation(Violation.USED_IDX_JUMP, "used.idx moved from " + lastUsed + " to " + usedIdx
                        + " with only " + published + " chains published and outstanding");
            }
            usedShadow = usedIdx;
        }
        long elem = usedOff + SplitQueueLayout.usedElemOffset(lastUsed & mask);
        long id = Integer.toUnsignedLong(mem.get(LE32, elem + USED_ELEM_ID));
        long len = Integer.toUnsignedLong(mem.get(LE32, elem + USED_ELEM_LEN));
        if (id >= size) {
            return violation(Violation.USED_ID_OUT_OF_RANGE, "used id " + id + " at used slot " + (lastUsed & mask)
                    + " >= queue size " + size);
        }
        int head = (int) id;
        int token = tokens[head];
        if (token < 0) {
            return violation(Violation.USED_ID_NOT_OUTSTANDING, "used id " + head + " at used slot "
                    + (lastUsed & mask) + " is not the head of an outstanding chain");
        }
        if (len > writableBytes[head]) {
            if (lenPolicy == UsedLenPolicy.STRICT) {
                return violation(Violation.USED_LEN_TOO_LARGE, "used len " + len + " for head " + head
                        + " exceeds the " + writableBytes[head] + " writable bytes posted");
            }
            len = writableBytes[head];
            counters.lenClamped++;
        }
        lastUsed = (lastUsed + 1) & 0xFFFF;
        tokens[head] = -1;
        outstanding--;
        freeChain(head);
        lastLen = (int) len;
        counters.bytes += len;
        return token;
    }

    /**
     * Returns a reaped chain's descriptors to the tail of the free list, walking the private copy of the links.
     * FIFO on purpose: a driver that re-posts its buffers in completion order (a NIC's receive ring, an in-order
     * device) then puts each buffer back into the descriptor it had, which {@link #writeDesc} need not rewrite.
     */
    private void freeChain(int head) {
        int tail = head;
        for (int i = chainDescs[head] - 1; i > 0; i--) {
            tail = privNext[tail];
        }
        if (numFree == 0) {
            freeHead = head;
        } else {
            privNext[freeTail] = head;
        }
        freeTail = tail;
        numFree += chainDescs[head];
    }

    /** Used length of the chain returned by the last successful {@link #reap()}. */
    public int lastLen() {
        return lastLen;
    }

    /** True iff a used chain is waiting to be reaped (an acquire load, no side effect). */
    public boolean hasUsed() {
        return brokenRule == null
                && Short.toUnsignedInt((short) U16.getAcquire(mem, usedOff + USED_IDX)) != lastUsed;
    }

    /**
     * Asks the device not to interrupt: NO_INTERRUPT without EVENT_IDX; with EVENT_IDX, {@code used_event} is set
     * to an index the device has already passed, so it is not crossed again for 65535 completions (Linux writes 0
     * here; a just-passed index is further away). Interrupts may still arrive; the driver tolerates them (§2.7.7).
     */
    public void disableInterrupts() {
        interruptsEnabled = false;
        if (eventIdx) {
            mem.set(LE16, usedEventOff, (short) (lastUsed - 1));
        } else {
            mem.set(LE16, availOff + AVAIL_FLAGS, (short) AVAIL_F_NO_INTERRUPT);
        }
    }

    /**
     * Asks for an interrupt at the next used chain, then re-checks the ring.
     *
     * @return true iff used chains are already waiting — reap them instead of waiting, since their interrupt may
     *     have been decided before this request became visible
     */
    public boolean enableInterrupts() {
        interruptsEnabled = true;
        if (eventIdx) {
            mem.set(LE16, usedEventOff, (short) lastUsed);
        } else {
            mem.set(LE16, availOff + AVAIL_FLAGS, (short) 0);
        }
        // Full fence: the event/flags store must be visible before we re-read used.idx; otherwise the device can
        // publish in between, read the old value, skip the interrupt, and we would wait forever (§2.7.7.2).
        VarHandle.fullFence();
        return hasUsed();
    }

    public boolean interruptsEnabled() {
        return interruptsEnabled;
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

    /** The rule that broke the queue, or null. */
    public Violation brokenRule() {
        return brokenRule;
    }

    /** Which rule, which index: e.g. "USED_ID_OUT_OF_RANGE: used id 300 at used slot 5 >= queue size 256". */
    public String brokenReason() {
        return brokenReason;
    }

    public int size() {
        return size;
    }

    /** Free descriptors in the table. */
    public int numFree() {
        return numFree;
    }

    /** Chains added and not yet reaped. */
    public int outstanding() {
        return outstanding;
    }

    /** Chains added since the last {@link #publish()}. */
    public int unpublished() {
        return (nextAvail - publishedAvail) & 0xFFFF;
    }

    public boolean eventIdx() {
        return eventIdx;
    }

    /** Entries per indirect table, 0 without indirect descriptors. */
    public int indirectEntries() {
        return indirectEntries;
    }

    public long descAddress() {
        return descAddress;
    }

    public long availAddress() {
        return availAddress;
    }

    public long usedAddress() {
        return usedAddress;
    }

    public QueueCounters counters() {
        return counters;
    }
}
