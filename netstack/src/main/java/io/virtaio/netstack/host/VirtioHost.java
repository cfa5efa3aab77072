package io.virtaio.netstack.host;

import io.virtaio.netstack.Stack;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.link.VirtioNetLink;
import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.mem.GuestMemory;
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
 * transmit buffers completed) and the device's kick both go there. Before sleeping, an owner calls
 * {@link #prepareToWait}: it re-enables notifications and says whether work arrived meanwhile.
 */
public final class VirtioHost implements AutoCloseable {
    /** Frames the device's transmit side takes per poll. */
    public static final int TX_BUDGET = 256;

    private final GuestMemory memory;
    private final VirtioNetDevice device;
    private final VirtioNetDriver driver;
    private final VirtioNetLink link;
    private final Stack stack;
    private final Backend backend;
    private volatile Doorbell wakeup = Doorbell.NONE;

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
            this.driver = VirtioNetDriver.attach(device, memory, driverConfig.withOnInterrupt(ring));
            this.link = new VirtioNetLink(driver);
            this.stack = new Stack(link, stackConfig, startNs);
        } catch (RuntimeException | Error e) {
            memory.close();
            throw e;
        }
    }

    /** Guest memory for rings, buffers and indirect tables, with room for a re-initialization's rings. */
    private static long guestMemoryBytes(VirtioNetDevice.Config dev, VirtioNetDriver.Config drv) {
        long frame = align64(12L + dev.mtu() + 14);
        long rxBuffer = drv.rxBufferSize() > 0 ? align64(drv.rxBufferSize()) : frame;
        // txBuffers 0 means one per transmit descriptor (the driver's default), not none.
        long txBuffers = drv.txBuffers() > 0 ? drv.txBuffers() : drv.txQueueSize();
        long buffers = drv.rxQueueSize() * rxBuffer + txBuffers * frame;
        long rings = 2L * (drv.rxQueueSize() + drv.txQueueSize()) * (16 + 2 + 8 + 16L * VirtioNetDriver.INDIRECT_ENTRIES);
        return buffers + 2 * rings + (1 << 20);
    }

    private static long align64(long n) {
        return (n + 63) & ~63L;
    }

    /** What to ring when the host has new work (may be rung from any thread). */
    public void setWakeup(Doorbell doorbell) {
        this.wakeup = doorbell == null ? Doorbell.NONE : doorbell;
    }

    /**
     * Steps the host at {@code nowNs}: the stack, then the device's transmit side and the backend.
     *
     * @return when it next needs a poll: {@code nowNs} if more work is ready now, a later time for timers, links
     *     and delays, or {@link Long#MAX_VALUE} when only a notification can bring work
     */
    public long poll(long nowNs) {
        long next = stack.poll(nowNs);
        int sent = device.pollTx(nowNs, TX_BUDGET);
        next = Math.min(next, backend.poll(nowNs));
        next = Math.min(next, device.txReadyAt(nowNs));
        if (sent == TX_BUDGET) {
            next = Math.min(next, nowNs);
        }
        return next;
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
