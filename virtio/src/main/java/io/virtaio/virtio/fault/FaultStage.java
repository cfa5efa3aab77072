package io.virtaio.virtio.fault;

import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.backend.PcapWriter;
import io.virtaio.virtio.queue.Doorbell;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A backend that injects network faults into the frames of the backend it wraps, in both directions
 * independently: {@code new FaultStage(wire.a(), FaultPlan.parse("loss=2%,delay=1ms~300us"), seed)} is given to a
 * device in place of {@code wire.a()}. What it does is described by a {@link FaultPlan} (per-direction
 * {@link Impairments} and targeting {@link FaultRule}s), changed while running with {@link #setPlan} or on a
 * {@link FaultSchedule}.
 *
 * <pre>{@code
 * Wire wire = Wire.create(LinkModel.DEFAULT);
 * FaultStage stage = new FaultStage(wire.a(), FaultPlan.parse("tx.loss=2%,[tcp sport=80 nth=3]{drop}"), seed,
 *         FaultStage.Options.defaults().withSchedule(FaultSchedule.parse("at 2s set rx.down; at 3s heal")));
 * stage.capture(PcapWriter.open(Path.of("faults.pcapng"), PcapWriter.Format.PCAPNG));
 * VirtioHost a = sim.add(new VirtioHost(deviceConfig, driverConfig, stackConfig, stage, 0));
 * }</pre>
 *
 * <h2>Directions</h2>
 * {@link Direction#EGRESS}: frames the device transmits ({@link #accept}), handed to the wrapped backend.
 * {@link Direction#INGRESS}: frames the wrapped backend delivers, handed to the device. Each has its own
 * counters, random streams, hold store and rate limiter.
 *
 * <h2>Determinism</h2>
 * Every random choice comes from the {@code seed}, through one stream per (direction, rule, impairment) —
 * {@link Streams} — and every time from the {@code nowNs} of the calls. The same seed, plan, schedule and calls
 * give the same frames out, byte for byte, at the same times, the same counters and events ({@link #digest()}) and
 * the same capture; a change to one impairment leaves the decisions of the others as they were.
 *
 * <h2>Threads and memory</h2>
 * Confined to one thread: its methods, and the wrapped backend's deliveries to it, must all happen on the thread
 * that polls the device — as in the simulator, or a loop that owns both ends of a wire. (Impairing the frames a
 * peer on another thread sends? Put the stage on that peer's side, as its egress.) The per-frame path allocates
 * nothing, with or without a capture; memory is bounded by the {@link Options}: a frame that would need more (hold
 * store full, frame larger than a slot) is dropped and counted {@link FaultKind#STORE_FULL}. Frames that no
 * impairment touches pass through without a copy.
 *
 * <h2>Seeing the faults</h2>
 * Per-direction {@link FaultCounters}; an event log of the last {@link Options#eventLogSize()} faults with a digest
 * of all ({@link #events()}, {@link #digest()}); and with {@link #capture} a pcapng of every frame as it leaves the
 * stage — at the time it leaves — where each frame a fault touched carries a comment naming its direction and
 * number ("tx#12 fault: delayed 1.200 ms", "tx#13 fault: duplicate of tx#13", "rx#4 fault: corrupt byte 37 bit 2").
 * Dropped frames are recorded too, at the moment they are dropped, with a comment starting
 * "… fault: DROPPED (reason)"; a frame dropped for a bad FCS shows its damaged bytes and the pcapng CRC-error flag.
 * Filter them out in Wireshark with {@code !(frame.comment contains "DROPPED")}.
 */
public final class FaultStage implements Backend {
    /**
     * Set-up of a stage.
     *
     * @param startNs       the stage's time origin: {@link FaultSchedule} entries and the first plan count from it
     * @param schedule      plan changes over time
     * @param holdSlots     frames each direction can hold at once (delayed, queued, reordered, late duplicates)
     * @param maxFrameBytes largest frame a slot holds (Ethernet header included, no FCS): cover the device's MTU + 14
     * @param flowTableSize TCP connections each direction counts data segments of (a power of two ≥ 16)
     * @param eventLogSize  fault events kept (a power of two)
     */
    public record Options(long startNs, FaultSchedule schedule, int holdSlots, int maxFrameBytes, int flowTableSize,
                          int eventLogSize) {
        public Options {
            if (schedule == null) {
                throw new IllegalArgumentException("schedule is required (FaultSchedule.NONE)");
            }
            if (holdSlots < 1 || holdSlots > 1 << 20 || maxFrameBytes < 60 || maxFrameBytes > 65535 + 14) {
                throw new IllegalArgumentException("holdSlots must be 1..2^20 and maxFrameBytes 60..65549: "
                        + holdSlots + ", " + maxFrameBytes);
            }
            if (flowTableSize < FlowCounter.PROBES || Integer.bitCount(flowTableSize) != 1
                    || eventLogSize < 1 || Integer.bitCount(eventLogSize) != 1) {
                throw new IllegalArgumentException("flowTableSize (>= 16) and eventLogSize must be powers of two: "
                        + flowTableSize + ", " + eventLogSize);
            }
        }

        /** Start 0, no schedule, 512 slots of 1514 bytes, 1024 flows, 4096 events. */
        public static Options defaults() {
            return new Options(0, FaultSchedule.NONE, 512, 1514, 1024, 4096);
        }

        public Options withStartNs(long ns) {
            return new Options(ns, schedule, holdSlots, maxFrameBytes, flowTableSize, eventLogSize);
        }

        public Options withSchedule(FaultSchedule s) {
            return new Options(startNs, s, holdSlots, maxFrameBytes, flowTableSize, eventLogSize);
        }

        public Options withHoldSlots(int n) {
            return new Options(startNs, schedule, n, maxFrameBytes, flowTableSize, eventLogSize);
        }

        public Options withMaxFrameBytes(int n) {
            return new Options(startNs, schedule, holdSlots, n, flowTableSize, eventLogSize);
        }

        public Options withFlowTableSize(int n) {
            return new Options(startNs, schedule, holdSlots, maxFrameBytes, n, eventLogSize);
        }

        public Options withEventLogSize(int n) {
            return new Options(startNs, schedule, holdSlots, maxFrameBytes, flowTableSize, n);
        }
    }

    private final Backend inner;
    private final long seed;
    private final Options options;
    private final FaultEventLog log;
    private final FaultCapture capture = new FaultCapture();
    private final Lane egress;
    private final Lane ingress;
    private final FrameSink inbound = new Inbound();
    private boolean connected;
    private FaultPlan plan;
    private FaultSchedule schedule;
    private int nextChange;

    /** A stage with {@link Options#defaults()}. */
    public FaultStage(Backend inner, FaultPlan plan, long seed) {
        this(inner, plan, seed, Options.defaults());
    }

    /**
     * A stage around {@code inner} with {@code plan} in force from {@code options.startNs()}, and its schedule.
     * The hold stores and tables are allocated here.
     */
    public FaultStage(Backend inner, FaultPlan plan, long seed, Options options) {
        if (inner == null || plan == null || options == null) {
            throw new IllegalArgumentException("inner backend, plan and options are required");
        }
        this.inner = inner;
        this.seed = seed;
        this.options = options;
        this.log = new FaultEventLog(options.eventLogSize());
        this.egress = new Lane(Direction.EGRESS, seed, options, log, capture);
        this.ingress = new Lane(Direction.INGRESS, seed, options, log, capture);
        this.schedule = options.schedule();
        install(plan, options.startNs());
    }

    private void install(FaultPlan p, long nowNs) {
        plan = p;
        egress.install(p, nowNs);
        ingress.install(p, nowNs);
    }

    /** Applies the schedule's entries due at {@code nowNs}, each from its own time. */
    private void advance(long nowNs) {
        List<FaultSchedule.Change> changes = schedule.changes();
        while (nextChange < changes.size() && options.startNs() + changes.get(nextChange).atNs() <= nowNs) {
            FaultSchedule.Change c = changes.get(nextChange++);
            install(c.plan(), options.startNs() + c.atNs());
        }
    }

    private long nextChangeNs() {
        List<FaultSchedule.Change> changes = schedule.changes();
        return nextChange < changes.size() ? options.startNs() + changes.get(nextChange).atNs() : Long.MAX_VALUE;
    }

    // =============================================================================================================
    // Control (the stage's thread)

    /** Puts {@code p} in force from {@code nowNs} (its windows count from then); frames already held keep their times. */
    public void setPlan(FaultPlan p, long nowNs) {
        if (p == null) {
            throw new IllegalArgumentException("plan is required (FaultPlan.NONE)");
        }
        install(p, nowNs);
    }

    /** The plan in force (as of the last call that carried a time). */
    public FaultPlan plan() {
        return plan;
    }

    /** Replaces the schedule; entries whose time has passed apply at the next call, in order. */
    public void setSchedule(FaultSchedule s) {
        if (s == null) {
            throw new IllegalArgumentException("schedule is required (FaultSchedule.NONE)");
        }
        schedule = s;
        nextChange = 0;
    }

    public FaultSchedule schedule() {
        return schedule;
    }

    /**
     * Records every frame leaving the stage, and every frame it drops, to {@code writer} (pcapng shows comments,
     * directions and CRC errors; libpcap only the frames); null stops recording. The writer may be shared with other
     * stages. A write error stops the capture ({@link #captureFailure()}), never the traffic.
     */
    public void capture(PcapWriter writer) {
        capture.attach(writer);
    }

    /** The write error that stopped the capture, or null. */
    public IOException captureFailure() {
        return capture.failure();
    }

    public FaultCounters counters(Direction d) {
        return lane(d).counters();
    }

    /** Frames held in direction {@code d} (delayed, queued, reordered, late duplicates). */
    public int held(Direction d) {
        return lane(d).held();
    }

    /**
     * Every counter by name: each direction's ({@link FaultCounters#toMap()}) prefixed {@code tx.} or {@code rx.},
     * then {@code held.tx}, {@code held.rx}, {@code predicate_errors} and {@code events}. A snapshot; allocates.
     */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        egress.counters().toMap().forEach((k, v) -> m.put("tx." + k, v));
        ingress.counters().toMap().forEach((k, v) -> m.put("rx." + k, v));
        m.put("held.tx", (long) egress.held());
        m.put("held.rx", (long) ingress.held());
        m.put("predicate_errors", predicateErrors());
        m.put("events", log.total());
        return m;
    }

    /** Times a rule's predicate threw (counted as no match), both directions. */
    public long predicateErrors() {
        return egress.predicateErrors() + ingress.predicateErrors();
    }

    /** The last {@link Options#eventLogSize()} fault events, oldest first. A copy; allocates. */
    public List<FaultEvent> events() {
        return log.events();
    }

    /** Fault events since creation. */
    public long eventCount() {
        return log.total();
    }

    /** A 64-bit digest of every fault event since creation: equal runs have equal digests. */
    public long digest() {
        return log.digest();
    }

    public long seed() {
        return seed;
    }

    public Options options() {
        return options;
    }

    public Backend inner() {
        return inner;
    }

    private Lane lane(Direction d) {
        return d == Direction.EGRESS ? egress : ingress;
    }

    // =============================================================================================================
    // Backend

    @Override
    public void connect(FrameSink toDevice) {
        if (connected) {
            throw new IllegalStateException("fault stage already connected");
        }
        connected = true;
        ingress.connect(toDevice);
        egress.connect(inner);
        inner.connect(inbound);
    }

    @Override
    public void setWakeup(Doorbell wakeup) {
        Doorbell d = wakeup == null ? Doorbell.NONE : wakeup;
        ingress.setWakeup(d);
        inner.setWakeup(d);
    }

    /** A frame the device transmits. OK unless the stage's own capacity refused it; network faults are silent. */
    @Override
    public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
        advance(nowNs);
        return egress.accept(hdr, frame, frameOff, frameLen, nowNs);
    }

    @Override
    public void flush(long nowNs) {
        egress.flush(nowNs);
    }

    @Override
    public long txReadyAt(long nowNs) {
        return inner.txReadyAt(nowNs);
    }

    /** Passed on: a TAP behind the stage enables the checksum offloads the driver's receive path takes. */
    @Override
    public void featuresNegotiated(long features) {
        inner.featuresNegotiated(features);
    }

    /**
     * Applies due schedule entries, hands on the frames due in both directions (one flush each), polls the wrapped
     * backend, and returns the earliest of its deadline, the next held frame and the next schedule entry.
     */
    @Override
    public long poll(long nowNs) {
        advance(nowNs);
        egress.releaseDue(nowNs);
        egress.flush(nowNs);
        long next = inner.poll(nowNs);
        ingress.releaseDue(nowNs);
        ingress.flush(nowNs);
        next = Math.min(next, egress.nextRelease());
        next = Math.min(next, ingress.nextRelease());
        return Math.min(next, nextChangeNs());
    }

    /** Closes the wrapped backend (not a capture writer: its owner closes it). */
    @Override
    public void close() {
        inner.close();
    }

    @Override
    public String toString() {
        return "FaultStage[" + plan + ", seed " + seed + "]";
    }

    /** Frames the wrapped backend delivers towards the device. */
    private final class Inbound implements FrameSink {
        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            advance(nowNs);
            return ingress.accept(hdr, frame, frameOff, frameLen, nowNs);
        }

        @Override
        public void flush(long nowNs) {
            ingress.flush(nowNs);
        }
    }
}
