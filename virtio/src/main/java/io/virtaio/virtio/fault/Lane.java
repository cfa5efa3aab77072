package io.virtaio.virtio.fault;

import static io.virtaio.virtio.fault.Streams.BURST_LOSS;
import static io.virtaio.virtio.fault.Streams.BURST_STATE;
import static io.virtaio.virtio.fault.Streams.CORRUPT;
import static io.virtaio.virtio.fault.Streams.CORRUPT_POSITION;
import static io.virtaio.virtio.fault.Streams.DUPLICATE;
import static io.virtaio.virtio.fault.Streams.JITTER;
import static io.virtaio.virtio.fault.Streams.LOSS;
import static io.virtaio.virtio.fault.Streams.REORDER;

import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.backend.PcapWriter;
import io.virtaio.virtio.net.VirtioNet;
import io.virtaio.virtio.queue.Doorbell;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * One direction of a {@link FaultStage}: classifies each frame (rules, else the direction's impairments), draws
 * its random decisions, drops, corrupts, duplicates, shapes, delays and reorders it, and hands it on now or holds
 * it in the {@link HoldStore} until its release time.
 *
 * <p>Every decision of a frame is drawn from its slot's streams before any is acted on, and each use has its own
 * stream: whether frame 12 is duplicated does not depend on whether frame 11 was lost. Confined to the stage's
 * thread; allocation-free per frame (the capture's comment is built in a reused buffer).
 */
final class Lane {
    /** What was done to a frame, for the capture's comment. */
    static final int M_DELAY = 1;
    static final int M_QUEUED = 2;
    static final int M_REORDER = 4;
    static final int M_DUPLICATE = 8;
    static final int M_CORRUPT = 16;

    private static final int SLOTS = FaultPlan.MAX_RULES + 1;

    private static final FrameSink NOT_CONNECTED = new FrameSink() {
        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            return DROP_NOT_READY;
        }

        @Override
        public void flush(long nowNs) {
        }
    };

    private final Direction dir;
    private final FaultCounters counters = new FaultCounters();
    private final FaultEventLog log;
    private final FaultCapture capture;
    private final HoldStore store;
    private final FlowCounter flows;
    private final FrameView view = new FrameView();
    private final Corruptor corruptor = new Corruptor();
    private final CommentBuffer comment = new CommentBuffer();
    private final int[] positions = new int[Corruption.MAX_FLIPS];

    private final SplittableRandom[][] rng = new SplittableRandom[SLOTS][];
    private final boolean[] badState = new boolean[SLOTS];
    private final TokenBucket[] buckets = new TokenBucket[SLOTS];
    private final long[] lastRelease = new long[SLOTS];
    private final int[] gapHeld;
    private int gapCount;

    private final MemorySegment outHdr;
    private final MemorySegment scratchHdr;
    private final MemorySegment scratch;

    // The plan in force.
    private final Impairments[] bySlot = new Impairments[SLOTS];
    private final boolean[] passThrough = new boolean[SLOTS];
    private final FramePredicate[] predicates = new FramePredicate[FaultPlan.MAX_RULES];
    private int ruleCount;
    private boolean countFlows;
    private long planStartNs;

    private FrameSink out = NOT_CONNECTED;
    private Doorbell wakeup = Doorbell.NONE;
    private boolean forwardedSinceFlush;
    private long predicateErrors;

    Lane(Direction dir, long seed, FaultStage.Options options, FaultEventLog log, FaultCapture capture) {
        this.dir = dir;
        this.log = log;
        this.capture = capture;
        this.store = new HoldStore(options.holdSlots(), options.maxFrameBytes());
        this.flows = new FlowCounter(options.flowTableSize());
        this.gapHeld = new int[options.holdSlots()];
        for (int slot = 0; slot < SLOTS; slot++) {
            rng[slot] = new SplittableRandom[Streams.USES];
            for (int use = 0; use < Streams.USES; use++) {
                rng[slot][use] = Streams.stream(seed, dir, slot, use);
            }
            buckets[slot] = new TokenBucket(options.holdSlots() + 1);
            bySlot[slot] = Impairments.NONE;
            passThrough[slot] = true;
        }
        Arena arena = Arena.ofAuto();
        this.outHdr = arena.allocate(VirtioNet.HDR_SIZE, 8);
        this.scratchHdr = arena.allocate(VirtioNet.HDR_SIZE, 8);
        this.scratch = arena.allocate(options.maxFrameBytes(), 16);
    }

    void connect(FrameSink sink) {
        out = sink;
    }

    void setWakeup(Doorbell d) {
        wakeup = d;
    }

    FaultCounters counters() {
        return counters;
    }

    int held() {
        return store.size();
    }

    long predicateErrors() {
        return predicateErrors;
    }

    long nextRelease() {
        return store.nextRelease();
    }

    /** Puts {@code plan} in force from {@code nowNs}; per-rule state (streams, bursts, buckets) carries over. */
    void install(FaultPlan plan, long nowNs) {
        bySlot[0] = plan.impairments(dir);
        ruleCount = plan.rules().size();
        countFlows = false;
        for (int i = 0; i < ruleCount; i++) {
            FaultRule rule = plan.rules().get(i);
            bySlot[i + 1] = rule.impairments();
            predicates[i] = rule.predicate();
            countFlows |= rule.countsSegments();
        }
        for (int slot = 0; slot <= ruleCount; slot++) {
            RateLimit limit = bySlot[slot].rate();
            if (limit != null && !limit.equals(buckets[slot].config())) {
                buckets[slot].configure(limit, nowNs);
            }
            passThrough[slot] = bySlot[slot].isNone();
        }
        planStartNs = nowNs;
    }

    // =============================================================================================================
    // Frames in

    /** One frame offered to this direction at {@code nowNs}. */
    int accept(MemorySegment hdr, MemorySegment frame, long off, int len, long now) {
        releaseDue(now);
        long no = ++counters.framesIn;
        counters.bytesIn += len;
        view.wrap(frame, off, len).setContext(dir, no);
        if (countFlows) {
            int n = flows.count(view);
            if (n == FlowCounter.UNTRACKED) {
                counters.untrackedFlows++;
                n = 0;
            }
            view.setDataSegment(n);
        }
        int slot = classify();
        int result;
        if (passThrough[slot]) {
            result = forward(hdr, frame, off, len, now, null);
            tickFollowers(now);
        } else {
            result = impair(hdr, frame, off, len, now, no, slot);
        }
        // A frame waiting for followers may just have been freed by this one.
        releaseDue(now);
        return result;
    }

    private int classify() {
        for (int i = 0; i < ruleCount; i++) {
            boolean match;
            try {
                match = predicates[i].test(view);
            } catch (RuntimeException e) {
                // A predicate is user code: it must not take the data path down with it.
                predicateErrors++;
                match = false;
            }
            if (match) {
                return i + 1;
            }
        }
        return 0;
    }

    private int impair(MemorySegment hdr, MemorySegment frame, long off, int len, long now, long no, int slot) {
        Impairments imp = bySlot[slot];
        SplittableRandom[] r = rng[slot];
        // Draw every decision first, whatever becomes of the frame: each stream advances once per frame of its
        // slot, so changing one impairment never shifts the draws of another.
        boolean lost = imp.loss() > 0 && r[LOSS].nextDouble() < imp.loss();
        boolean burstLost = imp.burst() != null && gilbertElliott(slot, imp.burst(), r);
        Corruption corruption = imp.corruption();
        // (A frame with no byte has no bit to flip: the draw is made, the frame left alone.)
        boolean corrupt = corruption != null && r[CORRUPT].nextDouble() < corruption.probability() && len > 0;
        boolean dup = imp.duplication() != null && r[DUPLICATE].nextDouble() < imp.duplication().probability();
        long jitter = imp.delay() != null ? jitter(imp.delay(), r[JITTER]) : 0;
        boolean reorder = imp.reordering() != null && r[REORDER].nextDouble() < imp.reordering().probability();
        int flips = 0;
        boolean fcs = false;
        if (corrupt) {
            int hdrFlags = hdr.get(ValueLayout.JAVA_BYTE, VirtioNet.HDR_FLAGS) & 0xFF;
            flips = corruption.mode() == Corruption.Mode.PAYLOAD
                    ? corruptor.choosePayload(view, hdrFlags, r[CORRUPT_POSITION], corruption.flips(), positions)
                    : -1;
            if (flips < 0) {
                flips = Corruptor.chooseAnywhere(len, r[CORRUPT_POSITION], corruption.flips(), positions);
                fcs = true;
            }
        }
        if (imp.down() != null && imp.down().contains(planStartNs, now)) {
            return drop(FaultKind.DOWN, frame, off, len, now, no);
        }
        if (imp.mtu() > 0 && len - VirtioNet.ETH_HEADER > imp.mtu()) {
            return drop(FaultKind.OVERSIZE, frame, off, len, now, no);
        }
        if (lost) {
            return drop(FaultKind.LOSS, frame, off, len, now, no);
        }
        if (burstLost) {
            return drop(FaultKind.BURST_LOSS, frame, off, len, now, no);
        }
        if (corrupt) {
            counters.faults[FaultKind.CORRUPT.ordinal()]++;
            for (int i = 0; i < flips; i++) {
                log.append(now, dir, no, FaultKind.CORRUPT, positions[i] >>> 3, positions[i] & 7);
            }
            if (fcs) {
                return fcsDrop(hdr, frame, off, len, now, no, flips);
            }
        }
        Gap gap = reorder ? imp.reordering().gap() : null;
        int result = emit(hdr, frame, off, len, now, no, slot, imp, jitter, gap, corrupt ? flips : 0, 0);
        if (dup) {
            Gap lag = imp.duplication().gap();
            counters.faults[FaultKind.DUPLICATE.ordinal()]++;
            log.append(now, dir, no, FaultKind.DUPLICATE, lag.frames() > 0 ? 0 : lag.ns(), lag.frames());
            emit(hdr, frame, off, len, now, no, slot, imp, jitter, lag.isNone() ? null : lag, 0, M_DUPLICATE);
        }
        return result;
    }

    /**
     * Gilbert–Elliott: the frame is lost with the loss probability of the state it finds, then the chain steps
     * (netem's {@code loss_gilb_ell} order).
     */
    private boolean gilbertElliott(int slot, GilbertElliott ge, SplittableRandom[] r) {
        double step = r[BURST_STATE].nextDouble();
        double loss = r[BURST_LOSS].nextDouble();
        boolean bad = badState[slot];
        boolean lost = loss < (bad ? ge.lossInBad() : ge.lossInGood());
        badState[slot] = bad ? !(step < ge.r()) : step < ge.p();
        return lost;
    }

    private static long jitter(Delay d, SplittableRandom r) {
        if (d.jitterNs() == 0) {
            return 0;
        }
        double x = d.distribution() == Delay.Distribution.UNIFORM ? 2 * r.nextDouble() - 1 : r.nextGaussian();
        return Math.round(x * d.jitterNs());
    }

    /**
     * Shapes, delays and (with {@code gap}) holds back one frame, then hands it on now or stores it.
     *
     * @param gap   for an original, its reordering hold; for a duplicate ({@code marks} has M_DUPLICATE), its lag
     * @param flips payload-mode bit flips in {@link #positions} to apply to the frame's copy
     */
    private int emit(MemorySegment hdr, MemorySegment frame, long off, int len, long now, long no, int slot,
                     Impairments imp, long jitter, Gap gap, int flips, int marks) {
        TokenBucket bucket = null;
        long depart = now;
        if (imp.rate() != null) {
            bucket = buckets[slot];
            depart = bucket.quote(now, len);
            if (depart < 0) {
                return drop(FaultKind.RATE_DROP, frame, off, len, now, no);
            }
        }
        long delay = imp.delay() == null ? 0 : Math.max(0, imp.delay().baseNs() + jitter);
        long natural = depart + delay;
        if ((imp.delay() == null || !imp.delay().mayReorder()) && natural < lastRelease[slot]) {
            // One path, one queue: a frame does not leave before the one ahead of it.
            natural = lastRelease[slot];
        }
        int countdown = gap != null ? gap.frames() : 0;
        long release = gap != null ? natural + gap.ns() : natural;
        if (release <= now && countdown == 0) {
            if (flips > 0 && len > scratch.byteSize()) {
                // The damaged copy needs a buffer, and this frame is larger than the stage's.
                return drop(FaultKind.STORE_FULL, frame, off, len, now, no);
            }
            if (bucket != null) {
                bucket.commit(len);
            }
            lastRelease[slot] = natural;
            int result;
            if (flips > 0) {
                MemorySegment.copy(hdr, 0, scratchHdr, 0, VirtioNet.HDR_SIZE);
                MemorySegment.copy(frame, off, scratch, 0, len);
                Corruptor.settleChecksum(scratchHdr, 0, scratch, 0, len);
                Corruptor.apply(scratch, 0, positions, 0, flips);
                result = forward(scratchHdr, scratch, 0, len, now, describe(no, marks | M_CORRUPT, 0, 0, 0, 0,
                        positions, 0, flips));
            } else {
                result = forward(hdr, frame, off, len, now, marks == 0 ? null
                        : describe(no, marks, 0, 0, 0, 0, positions, 0, 0));
            }
            tickFollowers(now);
            return result;
        }
        int s = len <= store.maxFrame() ? store.allocate() : -1;
        if (s < 0) {
            return drop(FaultKind.STORE_FULL, frame, off, len, now, no);
        }
        if (bucket != null) {
            bucket.commit(len);
        }
        lastRelease[slot] = natural;
        MemorySegment mem = store.memory();
        MemorySegment.copy(hdr, 0, mem, store.hdrOffset(s), VirtioNet.HDR_SIZE);
        MemorySegment.copy(frame, off, mem, store.frameOffset(s), len);
        if (flips > 0) {
            Corruptor.settleChecksum(mem, store.hdrOffset(s), mem, store.frameOffset(s), len);
            Corruptor.apply(mem, store.frameOffset(s), positions, 0, flips);
            System.arraycopy(positions, 0, store.flips, s * Corruption.MAX_FLIPS, flips);
            store.flipCount[s] = flips;
            marks |= M_CORRUPT;
        }
        if (depart > now) {
            marks |= M_QUEUED;
            counters.faults[FaultKind.RATE_QUEUED.ordinal()]++;
            log.append(now, dir, no, FaultKind.RATE_QUEUED, depart - now, 0);
        }
        if (delay > 0) {
            marks |= M_DELAY;
            counters.faults[FaultKind.DELAY.ordinal()]++;
            log.append(now, dir, no, FaultKind.DELAY, delay, 0);
        }
        if (gap != null && (marks & M_DUPLICATE) == 0) {
            marks |= M_REORDER;
            counters.faults[FaultKind.REORDER.ordinal()]++;
            log.append(now, dir, no, FaultKind.REORDER, gap.ns(), gap.frames());
        }
        store.frameNo[s] = no;
        store.length[s] = len;
        store.slotClass[s] = slot;
        store.marks[s] = marks;
        store.delayNs[s] = delay;
        store.queuedNs[s] = depart - now;
        store.holdNs[s] = gap != null && gap.frames() == 0 ? gap.ns() : 0;
        store.holdFrames[s] = countdown;
        store.naturalRelease[s] = natural;
        if (countdown == 0) {
            // It overtakes the frames waiting for followers, leaving at its release time. (A frame itself waiting
            // for followers overtakes no one: "N later frames" are frames that were not held back that way.)
            tickFollowers(release);
        }
        store.schedule(s, release);
        if (countdown > 0) {
            store.countdown[s] = countdown;
            gapHeld[gapCount++] = s;
        }
        if (dir == Direction.INGRESS) {
            // Held on the peer's side of the call: our poller's last deadline does not know about it.
            wakeup.ring();
        }
        return FrameSink.OK;
    }

    /** A frame left (or will leave at {@code leaveNs}): frames waiting for followers count it. */
    private void tickFollowers(long leaveNs) {
        for (int i = 0; i < gapCount; ) {
            int h = gapHeld[i];
            if (--store.countdown[h] == 0) {
                // Its last follower leaves at leaveNs: it goes right behind (a later sequence at the same time).
                store.reschedule(h, Math.max(store.naturalRelease[h], leaveNs));
                gapHeld[i] = gapHeld[--gapCount];
            } else {
                i++;
            }
        }
    }

    // =============================================================================================================
    // Frames out

    /** Hands on every held frame due at {@code nowNs}, in release order. */
    int releaseDue(long now) {
        int n = 0;
        while (store.nextRelease() <= now) {
            int s = store.pop();
            if (store.countdown[s] > 0) {
                // Its time limit came before its followers.
                store.countdown[s] = 0;
                for (int i = 0; i < gapCount; i++) {
                    if (gapHeld[i] == s) {
                        gapHeld[i] = gapHeld[--gapCount];
                        break;
                    }
                }
            }
            MemorySegment mem = store.memory();
            int cls = store.slotClass[s];
            Window down = bySlot[cls <= ruleCount ? cls : 0].down();
            if (down != null && down.contains(planStartNs, now)) {
                // In flight when the partition began: lost with it.
                drop(FaultKind.DOWN, mem, store.frameOffset(s), store.length[s], now, store.frameNo[s]);
            } else {
                MemorySegment.copy(mem, store.hdrOffset(s), outHdr, 0, VirtioNet.HDR_SIZE);
                forward(outHdr, mem, store.frameOffset(s), store.length[s], now, store.marks[s] == 0 ? null
                        : describe(store.frameNo[s], store.marks[s], store.delayNs[s], store.queuedNs[s],
                        store.holdNs[s], store.holdFrames[s], store.flips, s * Corruption.MAX_FLIPS,
                        store.flipCount[s]));
            }
            store.free(s);
            n++;
        }
        return n;
    }

    private int forward(MemorySegment hdr, MemorySegment frame, long off, int len, long now, CommentBuffer note) {
        if (capture.active()) {
            capture.write(now, frame, off, len, dir.pcapDirection(), note);
        }
        int result = out.accept(hdr, frame, off, len, now);
        counters.framesOut++;
        counters.bytesOut += len;
        if (result != FrameSink.OK) {
            counters.refused++;
        }
        forwardedSinceFlush = true;
        return result;
    }

    /** Ends a batch towards the receiver if anything was handed on since the last one. */
    void flush(long now) {
        if (forwardedSinceFlush) {
            forwardedSinceFlush = false;
            out.flush(now);
        }
    }

    private int drop(FaultKind kind, MemorySegment frame, long off, int len, long now, long no) {
        counters.faults[kind.ordinal()]++;
        log.append(now, dir, no, kind, len, 0);
        if (capture.active()) {
            comment.clear().frame(dir, no).append(" fault: DROPPED (").append(kind.key()).append(")");
            capture.write(now, frame, off, len, dir.pcapDirection(), comment);
        }
        // The stage's own capacity is the only drop the sender hears of; the network's are silent.
        return kind == FaultKind.STORE_FULL ? FrameSink.DROP_BACKEND : FrameSink.OK;
    }

    /** Corrupted on the wire: the receiving NIC's FCS check drops it. The capture shows the damaged bytes. */
    private int fcsDrop(MemorySegment hdr, MemorySegment frame, long off, int len, long now, long no, int flips) {
        counters.faults[FaultKind.FCS_DROP.ordinal()]++;
        log.append(now, dir, no, FaultKind.FCS_DROP, len, 0);
        if (capture.active() && len <= scratch.byteSize()) {
            MemorySegment.copy(hdr, 0, scratchHdr, 0, VirtioNet.HDR_SIZE);
            MemorySegment.copy(frame, off, scratch, 0, len);
            Corruptor.settleChecksum(scratchHdr, 0, scratch, 0, len);
            Corruptor.apply(scratch, 0, positions, 0, flips);
            describe(no, M_CORRUPT, 0, 0, 0, 0, positions, 0, flips).append("; DROPPED (bad FCS)");
            capture.write(now, scratch, 0, len, dir.pcapDirection() | PcapWriter.FLAG_CRC_ERROR, comment);
        }
        return FrameSink.OK;
    }

    /** The capture's comment for a frame handed on, or null without a capture. */
    private CommentBuffer describe(long no, int marks, long delay, long queued, long hold, int holdFrames,
                                   int[] flipsAt, int from, int flips) {
        if (!capture.active()) {
            return null;
        }
        CommentBuffer c = comment.clear().frame(dir, no).append(" fault: ");
        boolean first = true;
        if ((marks & M_CORRUPT) != 0) {
            c.append("corrupt");
            for (int i = from; i < from + flips; i++) {
                c.append(i == from ? " byte " : ", byte ").append(flipsAt[i] >>> 3).append(" bit ")
                        .append(flipsAt[i] & 7);
            }
            first = false;
        }
        if ((marks & M_DUPLICATE) != 0) {
            c.separator(first).append("duplicate of ").frame(dir, no);
            first = false;
        }
        if ((marks & M_QUEUED) != 0) {
            c.separator(first).append("queued ").appendMs(queued).append(" (rate)");
            first = false;
        }
        if ((marks & M_DELAY) != 0) {
            c.separator(first).append("delayed ").appendMs(delay);
            first = false;
        }
        if ((marks & M_REORDER) != 0) {
            c.separator(first).append("reordered (held ");
            if (holdFrames > 0) {
                c.append("for ").append(holdFrames).append(" frames)");
            } else {
                c.appendMs(hold).append(")");
            }
        }
        return c;
    }
}
