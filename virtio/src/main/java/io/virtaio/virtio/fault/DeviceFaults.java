package io.virtaio.virtio.fault;

import io.virtaio.virtio.Virtio;
import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.net.VirtioNet;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.queue.Doorbell;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Faults of the virtio device itself, injected on the device's own clock: give it to a {@link VirtioNetDevice} as
 * its backend, wrapping the real one ({@code new DeviceFaults(new FaultStage(wire.a(), plan, seed), devicePlan,
 * seed)}). Frames pass through untouched; what it does comes from a {@link DeviceFaultPlan}:
 * <ul>
 *   <li>DEVICE_NEEDS_RESET in the middle of traffic, a reset behind the driver's back, receive-buffer starvation
 *       and link flaps, at planned instants;</li>
 *   <li>transmit completions deferred and returned out of order ({@link CompletionShuffler}) in planned windows;</li>
 *   <li>kicks, interrupts and configuration change notifications lost, delayed, duplicated or made up
 *       ({@link FaultyDoorbell}s put in front of the device's doorbells once the driver has set them up);</li>
 *   <li>hostile ring contents written as a misbehaving driver or device ({@link RingSaboteur}); after an
 *       available-ring sabotage of the transmit queue the device takes a pass at once (so the driver cannot overwrite
 *       it first), and after a used-ring one it interrupts, as a device that wrote a used element would.</li>
 * </ul>
 * Planned actions happen in {@link #poll} at the first call at or after their time, which {@code poll} reports as its
 * deadline — so the host's loop runs them on time and outside the device's data paths.
 *
 * <p>It must be the device's own backend (the outermost wrapper): {@link #connect} needs the device. Confined to the
 * thread that polls the device; deterministic from the seed and the calls' {@code nowNs}.
 */
public final class DeviceFaults implements Backend {
    private enum Step { NEEDS_RESET, RESET, STARVE, FEED, LINK_DOWN, LINK_UP, SHUFFLE_ON, SHUFFLE_OFF, SABOTAGE }

    private record Event(long atNs, Step step, DeviceFaultPlan.Action action) {
    }

    /** How soon a transmit available-ring sabotage that has to wait looks again: about a frame at 1 Gbit/s. */
    static final long SABOTAGE_RETRY_NS = 10_000;

    private final Backend inner;
    private final DeviceFaultPlan plan;
    private final long startNs;
    private final List<Event> events = new ArrayList<>();
    private final FaultyDoorbell kicks;
    private final FaultyDoorbell interrupts;
    private final FaultyDoorbell configChanges;
    private final CompletionShuffler shuffler;
    private VirtioNetDevice device;
    private RingSaboteur saboteur;
    private int nextEvent;

    private long needsResets;
    private long resets;
    private long starvations;
    private long linkFlaps;
    private long shuffleWindows;
    private long sabotages;
    private long sabotagesSkipped;

    /** Device faults from time 0. */
    public DeviceFaults(Backend inner, DeviceFaultPlan plan, long seed) {
        this(inner, plan, seed, 0);
    }

    /** Device faults whose plan counts from {@code startNs}. */
    public DeviceFaults(Backend inner, DeviceFaultPlan plan, long seed, long startNs) {
        if (inner == null || plan == null) {
            throw new IllegalArgumentException("inner backend and plan are required");
        }
        this.inner = inner;
        this.plan = plan;
        this.startNs = startNs;
        this.kicks = new FaultyDoorbell("kick", Doorbell.NONE, plan.kicks(), seed);
        this.interrupts = new FaultyDoorbell("irq", Doorbell.NONE, plan.interrupts(), seed);
        this.configChanges = new FaultyDoorbell("config", Doorbell.NONE, plan.configChanges(), seed);
        DeviceFaultPlan.CompletionShuffle how = plan.completions();
        this.shuffler = how == null ? null : new CompletionShuffler(how.capacity(), how.maxHoldNs(), seed);
        if (shuffler != null) {
            shuffler.setActive(false);
        }
        for (DeviceFaultPlan.Action a : plan.actions()) {
            long at = startNs + a.atNs();
            switch (a) {
                case DeviceFaultPlan.Action.NeedsReset n -> events.add(new Event(at, Step.NEEDS_RESET, a));
                case DeviceFaultPlan.Action.Reset r -> events.add(new Event(at, Step.RESET, a));
                case DeviceFaultPlan.Action.RxStarvation s -> {
                    events.add(new Event(at, Step.STARVE, a));
                    events.add(new Event(at + s.durationNs(), Step.FEED, a));
                }
                case DeviceFaultPlan.Action.LinkDown l -> {
                    events.add(new Event(at, Step.LINK_DOWN, a));
                    events.add(new Event(at + l.durationNs(), Step.LINK_UP, a));
                }
                case DeviceFaultPlan.Action.ShuffleCompletions c -> {
                    events.add(new Event(at, Step.SHUFFLE_ON, a));
                    events.add(new Event(at + c.durationNs(), Step.SHUFFLE_OFF, a));
                }
                case DeviceFaultPlan.Action.Sabotage s -> events.add(new Event(at, Step.SABOTAGE, a));
            }
        }
        // Stable: at one instant, actions keep the plan's order, and a window's end comes after what started then.
        events.sort((x, y) -> Long.compare(x.atNs(), y.atNs()));
    }

    @Override
    public void connect(FrameSink toDevice) {
        if (!(toDevice instanceof VirtioNetDevice d)) {
            throw new IllegalArgumentException("DeviceFaults must be the device's own backend (outermost wrapper); "
                    + "got " + toDevice);
        }
        if (device != null) {
            throw new IllegalStateException("device faults already connected");
        }
        device = d;
        saboteur = new RingSaboteur(d);
        if (shuffler != null) {
            d.setTxUsedDeferral(shuffler);
        }
        inner.connect(toDevice);
    }

    /** Puts the faulty doorbells in front of the device's, once the driver has set those up (or replaced them). */
    private void interpose() {
        Doorbell used = device.usedBuffersDoorbell();
        Doorbell config = device.configChangeDoorbell();
        if (used != interrupts || config != configChanges) {
            if (used != interrupts) {
                interrupts.setTarget(used);
            }
            if (config != configChanges) {
                configChanges.setTarget(config);
            }
            device.setInterruptHandlers(interrupts, configChanges);
        }
        Doorbell kick = device.kickListener();
        if (kick != kicks) {
            kicks.setTarget(kick);
            device.setKickListener(kicks);
        }
    }

    /** Gives the doorbells the time, so that a delayed notification counts from the latest instant seen. */
    private void observe(long now) {
        kicks.observe(now);
        interrupts.observe(now);
        configChanges.observe(now);
    }

    @Override
    public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long now) {
        observe(now);
        return inner.accept(hdr, frame, frameOff, frameLen, now);
    }

    @Override
    public void flush(long now) {
        inner.flush(now);
    }

    @Override
    public long txReadyAt(long now) {
        observe(now);
        return inner.txReadyAt(now);
    }

    @Override
    public void setWakeup(Doorbell wakeup) {
        inner.setWakeup(wakeup);
    }

    /** Passed on: a TAP behind the faults enables the checksum offloads the driver's receive path takes. */
    @Override
    public void featuresNegotiated(long features) {
        inner.featuresNegotiated(features);
    }

    /**
     * Runs the planned actions due at {@code now}, delivers delayed and spurious notifications, polls the wrapped
     * backend, and returns the earliest of their deadlines.
     */
    @Override
    public long poll(long now) {
        observe(now);
        if (device != null && (device.status() & Virtio.STATUS_DRIVER_OK) != 0) {
            interpose();
        }
        long due = Long.MAX_VALUE;
        while (device != null && nextEvent < events.size() && events.get(nextEvent).atNs() <= now) {
            Event e = events.get(nextEvent);
            if (e.step() == Step.SABOTAGE && mustWait((DeviceFaultPlan.Action.Sabotage) e.action(), now)) {
                due = now + SABOTAGE_RETRY_NS;
                break;
            }
            nextEvent++;
            run(e, now);
        }
        if (due == Long.MAX_VALUE && nextEvent < events.size()) {
            due = events.get(nextEvent).atNs();
        }
        long next = inner.poll(now);
        next = Math.min(next, kicks.poll(now));
        next = Math.min(next, interrupts.poll(now));
        next = Math.min(next, configChanges.poll(now));
        next = Math.min(next, shuffler == null ? Long.MAX_VALUE : shuffler.nextReleaseNs());
        return Math.min(next, due);
    }

    /**
     * True if a driver's lie in the transmit available ring would not reach the device now: the device reads
     * avail.idx only once it has taken every chain announced before, and takes none while the backend is busy —
     * meanwhile the driver, who owns the index, publishes over the forgery, and the fault vanishes uncounted. It
     * waits until the device is caught up and the backend ready, then the device takes a pass at once.
     */
    private boolean mustWait(DeviceFaultPlan.Action.Sabotage s, long now) {
        return !s.kind().asDevice() && s.queue() == VirtioNet.TX_QUEUE
                && (inner.txReadyAt(now) > now || !saboteur.caughtUp(VirtioNet.TX_QUEUE));
    }

    private void run(Event e, long now) {
        switch (e.step()) {
            case NEEDS_RESET -> {
                needsResets++;
                device.signalNeedsReset("fault injection: DEVICE_NEEDS_RESET at " + (e.atNs() - startNs) + " ns");
            }
            case RESET -> {
                resets++;
                device.setStatus(0);
            }
            case STARVE -> {
                starvations++;
                device.setRxStarved(true);
            }
            case FEED -> device.setRxStarved(false);
            case LINK_DOWN -> {
                linkFlaps++;
                device.setLinkUp(false);
            }
            case LINK_UP -> device.setLinkUp(true);
            case SHUFFLE_ON -> {
                shuffleWindows++;
                shuffler.setActive(true);
            }
            case SHUFFLE_OFF -> shuffler.setActive(false);
            case SABOTAGE -> sabotage((DeviceFaultPlan.Action.Sabotage) e.action(), now);
            default -> throw new IllegalStateException(e.step().name());
        }
    }

    private void sabotage(DeviceFaultPlan.Action.Sabotage s, long now) {
        if (!saboteur.sabotage(s.queue(), s.kind())) {
            sabotagesSkipped++;
            return;
        }
        sabotages++;
        if (s.kind().asDevice()) {
            // A device that wrote a used element notifies the driver (through whatever faults the plan puts there).
            interrupts.ring();
        } else if (s.queue() == VirtioNet.TX_QUEUE) {
            // The device reads the ring before the driver, who owns avail.idx, can publish over the forgery.
            device.pollTx(now, 1);
        }
    }

    /** Closes the wrapped backend. */
    @Override
    public void close() {
        inner.close();
    }

    public Backend inner() {
        return inner;
    }

    public DeviceFaultPlan plan() {
        return plan;
    }

    /** The doorbell in front of the device's kick listener. */
    public FaultyDoorbell kicks() {
        return kicks;
    }

    /** The doorbell in front of the device's used-buffer notifications. */
    public FaultyDoorbell interrupts() {
        return interrupts;
    }

    /** The doorbell in front of the device's configuration change notifications. */
    public FaultyDoorbell configChanges() {
        return configChanges;
    }

    /** The completion shuffler, or null if the plan has no shuffle window. */
    public CompletionShuffler shuffler() {
        return shuffler;
    }

    public RingSaboteur saboteur() {
        return saboteur;
    }

    /**
     * Every fault injected, by name: needs_reset, reset, rx_starvation, link_flap, shuffle_window, sabotage,
     * sabotage_skipped (queue not set up), the shuffler's deferred/released/out_of_order/declined_full/dropped, and
     * each doorbell's counters.
     */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("needs_reset", needsResets);
        m.put("reset", resets);
        m.put("rx_starvation", starvations);
        m.put("link_flap", linkFlaps);
        m.put("shuffle_window", shuffleWindows);
        m.put("sabotage", sabotages);
        m.put("sabotage_skipped", sabotagesSkipped);
        if (shuffler != null) {
            m.put("completions.deferred", shuffler.deferred());
            m.put("completions.released", shuffler.released());
            m.put("completions.out_of_order", shuffler.outOfOrder());
            m.put("completions.declined_full", shuffler.declinedFull());
            m.put("completions.dropped", shuffler.dropped());
        }
        m.putAll(kicks.toMap());
        m.putAll(interrupts.toMap());
        m.putAll(configChanges.toMap());
        return m;
    }

    @Override
    public String toString() {
        return "DeviceFaults[" + plan.actions().size() + " actions]";
    }
}
