package io.virtaio.netstack.host;

import io.virtaio.netstack.Stack;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.link.VirtioNetLink;
import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.mem.GuestMemory;
import io.virtaio.virtio.net.DriverCounters;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import io.virtaio.virtio.queue.Doorbell;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One complete host: guest memory, a virtio-net device on a backend, the driver, and a {@link Stack} on top.
 *
 * <p>Both sides of the device are stepped by whoever owns the host — a loop thread, or the simulator — through
 * {@link #poll}: the stack (receive, timers, output, kick), then the device's transmit side (pop the driver's
 * chains, hand frames to the backend) and the backend's timed work. That is how in-process backends run without
 * threads of their own (DESIGN.md, "Threads at run time"). Frames the backend delivers to this device may come from
 * another thread (a peer's loop); the device handles that.
 *
 * <p>{@link #setWakeup} registers what to ring when the host has new work: the driver's interrupt (frames received,
 * transmit buffers completed), the device's kick and the backend's own wake-ups ({@link Backend#setWakeup}) all go
 * there. Before sleeping, an owner calls
 * {@link #prepareToWait}: it re-enables notifications and says whether work arrived meanwhile.
 */
public final class VirtioHost implements AutoCloseable {
    /** Frames the device's transmit side takes per poll. */
    public static final int TX_BUDGET = 256;
    /** The interrupt watchdog's first look after the last frame; each look that finds nothing doubles the wait. */
    public static final long WATCHDOG_FIRST_NS = 1_000_000L;
    /** The longest wait between the watchdog's looks; past it the watchdog stops until the next frame. */
    public static final long WATCHDOG_LAST_NS = 1_000_000_000L;

    private final GuestMemory memory;
    private final VirtioNetDevice device;
    private final VirtioNetDriver driver;
    private final VirtioNetLink link;
    private final Stack stack;
    private final Backend backend;
    private volatile Doorbell wakeup = Doorbell.NONE;
    // The interrupt watchdog (poll thread only): frames the driver had handled at the last poll, the next look.
    private long framesSeen;
    private long watchdogWaitNs;
    private long watchdogAtNs = Long.MAX_VALUE;

    /**
     * Builds and initializes the host.
     *
     * @param deviceConfig device model configuration (MAC, MTU, offered features, queue size)
     * @param driverConfig driver configuration (features wanted, queue sizes); its interrupt doorbell is replaced
     * @param stackConfig  the stack's addresses and limits
     * @param backend      where the device's frames go (a wire end, loopback, TAP, wrapped in pcap or faults)
     * @param startNs      the owner's clock at creation
     */
    public VirtioHost(VirtioNetDevice.Config deviceConfig, VirtioNetDriver.Config driverConfig, StackConfig stackConfig,
                      Backend backend, long startNs) {
        this.backend = backend;
        this.memory = GuestMemory.allocate(guestMemoryBytes(deviceConfig, driverConfig));
        try {
            this.device = new VirtioNetDevice(memory, deviceConfig, backend);
            Doorbell ring = () -> wakeup.ring();
            device.setKickListener(ring);
            // A backend that holds frames for later (a fault stage's delay) rings this when one arrives.
            backend.setWakeup(ring);
            this.driver = VirtioNetDriver.attach(device, memory, driverConfig.withOnInterrupt(ring));
            this.link = new VirtioNetLink(driver);
            this.stack = new Stack(link, stackConfig, startNs);
        } catch (RuntimeException | Error e) {
            memory.close();
            throw e;
        }
    }

    private static long guestMemoryBytes(VirtioNetDevice.Config dev, VirtioNetDriver.Config drv) {
        return VirtioNetDriver.guestMemoryBytes(dev.mtu(), drv);
    }

    /** What to ring when the host has new work (may be rung from any thread). */
    public void setWakeup(Doorbell doorbell) {
        this.wakeup = doorbell == null ? Doorbell.NONE : doorbell;
    }

    /**
     * Steps the host at {@code nowNs}: the stack, then the device's transmit side and the backend.
     *
     * @return when it next needs a poll: {@code nowNs} if more work is ready now, a later time for timers, links,
     *     delays and the interrupt watchdog ({@link #watchdog}), or {@link Long#MAX_VALUE} when only a notification
     *     can bring work
     */
    public long poll(long nowNs) {
        long next = stack.poll(nowNs);
        int sent = device.pollTx(nowNs, TX_BUDGET);
        next = Math.min(next, backend.poll(nowNs));
        next = Math.min(next, device.txReadyAt(nowNs));
        if (sent == TX_BUDGET) {
            next = Math.min(next, nowNs);
        }
        return Math.min(next, watchdog(nowNs));
    }

    /**
     * The interrupt watchdog: after traffic the host looks at its rings now and then, interrupt or not — first
     * {@link #WATCHDOG_FIRST_NS} after the last frame, then at doubling intervals up to {@link #WATCHDOG_LAST_NS},
     * then no more until the next frame. An interrupt can be lost (a fault of the device or of the platform), and
     * with EVENT_IDX a device interrupts once per crossing of used_event (virtio 1.2 §2.7.10), so one lost interrupt
     * silences it until the driver runs again: a host that only receives, with no timer of its own, would sleep for
     * good while its peer retransmits into the ring. With the watchdog, frames behind a lost interrupt wait about
     * as long as the quiet before them. A quiet host stops looking after a second or so: idle, it costs nothing, and
     * a simulation can still tell that nothing can happen any more. (e1000e's watchdog raises a receive interrupt
     * every 2 s for the same reason.)
     *
     * @return when to look next, {@link Long#MAX_VALUE} if not before the next frame
     */
    private long watchdog(long nowNs) {
        DriverCounters c = driver.counters();
        long frames = c.rxFrames() + c.txFrames();
        if (frames != framesSeen) {
            framesSeen = frames;
            watchdogWaitNs = WATCHDOG_FIRST_NS;
            watchdogAtNs = nowNs + WATCHDOG_FIRST_NS;
        } else if (nowNs >= watchdogAtNs) {
            watchdogWaitNs *= 2;
            watchdogAtNs = watchdogWaitNs > WATCHDOG_LAST_NS ? Long.MAX_VALUE : nowNs + watchdogWaitNs;
        }
        return watchdogAtNs;
    }

    /**
     * Re-enables the driver's interrupts and the device's kicks before the owner sleeps, then re-checks.
     *
     * @return true if work arrived meanwhile or is due at {@code nowNs} (poll again instead of sleeping). Transmit
     *     chains held back by a busy link are not work now: {@link #poll} reported when the link frees up.
     */
    public boolean prepareToWait(long nowNs) {
        boolean pending = driver.enableInterrupts();
        if (device.enableTxNotifications() && device.txReadyAt(nowNs) <= nowNs) {
            pending = true;
        }
        return pending || stack.hasPendingWork();
    }

    /** While polling busily, notifications are unnecessary. */
    public void busy() {
        driver.disableInterrupts();
        device.disableTxNotifications();
    }

    public Stack stack() {
        return stack;
    }

    public VirtioNetDevice device() {
        return device;
    }

    public VirtioNetDriver driver() {
        return driver;
    }

    public Backend backend() {
        return backend;
    }

    public GuestMemory memory() {
        return memory;
    }

    /** The stack's counters (which include the driver's and the device's). */
    public Map<String, Long> counters() {
        return new LinkedHashMap<>(stack.counters());
    }

    /** Closes the stack and the backend, then frees guest memory. */
    @Override
    public void close() {
        try {
            stack.close();
        } finally {
            try {
                backend.close();
            } finally {
                memory.close();
            }
        }
    }
}
