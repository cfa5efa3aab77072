package io.virtaio.virtio.net;

import static io.virtaio.virtio.Virtio.STATUS_ACKNOWLEDGE;
import static io.virtaio.virtio.Virtio.STATUS_DEVICE_NEEDS_RESET;
import static io.virtaio.virtio.Virtio.STATUS_DRIVER;
import static io.virtaio.virtio.Virtio.STATUS_DRIVER_OK;
import static io.virtaio.virtio.Virtio.STATUS_FAILED;
import static io.virtaio.virtio.Virtio.STATUS_FEATURES_OK;
import static io.virtaio.virtio.Virtio.bit;
import static io.virtaio.virtio.net.VirtioNet.HDR_SIZE;

import io.virtaio.virtio.Virtio;
import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.mem.GuestMemory;
import io.virtaio.virtio.net.DeviceCounters.Drop;
import io.virtaio.virtio.queue.DescChain;
import io.virtaio.virtio.queue.Doorbell;
import io.virtaio.virtio.queue.QueueStatus;
import io.virtaio.virtio.queue.SplitQueueDevice;
import io.virtaio.virtio.queue.SplitQueueLayout;
import io.virtaio.virtio.queue.UsedDeferral;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The virtio-net device model (virtio 1.2 §5.1) over split virtqueues in {@link GuestMemory}: one receive queue
 * (0) and one transmit queue (1), frames to and from a {@link Backend}.
 *
 * <h2>Three kinds of caller</h2>
 * <ul>
 *   <li><b>Transport</b> (the driver, as through virtio-mmio registers): status, features, configuration space,
 *       queue addresses, notifications. Any thread; serialized by the device's lock, which the data paths never
 *       take.</li>
 *   <li><b>Transmit path</b>: {@link #pollTx}, {@link #txReadyAt}, {@link #enableTxNotifications},
 *       {@link #disableTxNotifications} — one thread at a time (the loop that owns the device's transmit work, woken
 *       by the {@linkplain #setKickListener kick listener}).</li>
 *   <li><b>Receive path</b>: {@link #accept} and {@link #flush}, this device's {@link FrameSink} — one thread at a
 *       time (whoever drives the backend: the peer's loop for a wire, our own transmit loop for loopback).</li>
 * </ul>
 * The data paths allocate nothing, take no lock and never throw: errors are counted drops or, for a driver that
 * broke the protocol, DEVICE_NEEDS_RESET with a reason (as QEMU's {@code virtio_error}). Doorbells are rung from
 * the data paths and must only wake someone: a doorbell that resets this device from inside a data path is
 * rejected with {@link IllegalStateException}.
 *
 * <h2>Status (§2.1, §3.1)</h2>
 * The driver moves the status through ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK; writing 0 resets. Choices where
 * the spec leaves the device free: a write that clears a set bit, sets an unknown bit, or skips a step (e.g.
 * DRIVER_OK without FEATURES_OK) is ignored whole, counted and explained by {@link #refusalReason()} — a register
 * cannot throw at a guest, and the driver sees the refusal when it re-reads the status. After FAILED only a reset is
 * accepted. FEATURES_OK is refused per §3.1.1 step 6 (the bit stays clear) when the accepted features are not a
 * consistent subset of the offered ones ({@link NetFeatures#refusal}).
 */
public final class VirtioNetDevice implements FrameSink {
    /**
     * Static device configuration.
     *
     * @param mac          MAC address in the low 48 bits, first octet most significant
     * @param mtu          maximum MTU reported with VIRTIO_NET_F_MTU (68…65535, §5.1.4.1); also the largest frame
     *                     payload the device transmits or delivers
     * @param maxQueueSize largest queue size the driver may choose (a power of two ≤ 32768)
     * @param features     feature bits offered; a subset of {@link #SUPPORTED} including VERSION_1
     * @param maxIndirect  largest indirect table accepted, in entries (needed with INDIRECT_DESC)
     * @param linkUp       initial link state
     */
    public record Config(long mac, int mtu, int maxQueueSize, long features, int maxIndirect, boolean linkUp) {
        /** Every feature this device implements. */
        public static final long SUPPORTED = bit(Virtio.F_VERSION_1) | bit(VirtioNet.F_MAC) | bit(VirtioNet.F_MTU)
                | bit(VirtioNet.F_STATUS) | bit(VirtioNet.F_CSUM) | bit(VirtioNet.F_GUEST_CSUM)
                | bit(Virtio.F_EVENT_IDX) | bit(Virtio.F_INDIRECT_DESC);

        /** A locally administered unicast address, 02:00:00:00:00:01. */
        public static final long DEFAULT_MAC = 0x02_00_00_00_00_01L;

        public Config {
            if ((mac & ~0xFFFF_FFFF_FFFFL) != 0) {
                throw new IllegalArgumentException("mac must fit in 48 bits: 0x" + Long.toHexString(mac));
            }
            if (mtu < VirtioNet.MIN_MTU || mtu > VirtioNet.MAX_MTU) {
                throw new IllegalArgumentException("mtu must be in 68..65535 (§5.1.4.1): " + mtu);
            }
            if (!SplitQueueLayout.isValidSize(maxQueueSize)) {
                throw new IllegalArgumentException("maxQueueSize must be a power of two in 1..32768: "
                        + maxQueueSize);
            }
            if ((features & ~SUPPORTED) != 0) {
                throw new IllegalArgumentException("features not implemented by this device: "
                        + NetFeatures.names(features & ~SUPPORTED));
            }
            if (!Virtio.has(features, Virtio.F_VERSION_1)) {
                throw new IllegalArgumentException("VERSION_1 must be offered: this device has no legacy interface");
            }
            if (maxIndirect < 0 || maxIndirect > 65536
                    || (Virtio.has(features, Virtio.F_INDIRECT_DESC) && maxIndirect == 0)) {
                throw new IllegalArgumentException("maxIndirect must be in 1..65536 with INDIRECT_DESC (0..65536 "
                        + "without): " + maxIndirect);
            }
        }

        /** MTU 1500, queues up to 256, every supported feature, link up. */
        public static Config defaults() {
            return new Config(DEFAULT_MAC, 1500, 256, SUPPORTED, SplitQueueDevice.DEFAULT_MAX_INDIRECT, true);
        }

        public Config withMac(long newMac) {
            return new Config(newMac, mtu, maxQueueSize, features, maxIndirect, linkUp);
        }

        public Config withMtu(int newMtu) {
            return new Config(mac, newMtu, maxQueueSize, features, maxIndirect, linkUp);
        }

        public Config withMaxQueueSize(int newMaxQueueSize) {
            return new Config(mac, mtu, newMaxQueueSize, features, maxIndirect, linkUp);
        }

        public Config withFeatures(long newFeatures) {
            return new Config(mac, mtu, maxQueueSize, newFeatures, maxIndirect, linkUp);
        }

        public Config withMaxIndirect(int newMaxIndirect) {
            return new Config(mac, mtu, maxQueueSize, features, newMaxIndirect, linkUp);
        }

        public Config withLinkUp(boolean newLinkUp) {
            return new Config(mac, mtu, maxQueueSize, features, maxIndirect, newLinkUp);
        }
    }

    /** One receive queue and one transmit queue (no MQ, no control queue yet). */
    private static final int QUEUE_PAIRS = 1;
    private static final int NUM_QUEUES = 2 * QUEUE_PAIRS;
    private static final int RX = VirtioNet.RX_QUEUE;
    private static final int TX = VirtioNet.TX_QUEUE;
    private static final int READY_MASK = STATUS_DRIVER_OK | STATUS_DEVICE_NEEDS_RESET | STATUS_FAILED;
    private static final int KNOWN_STATUS = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK
            | STATUS_DRIVER_OK | STATUS_DEVICE_NEEDS_RESET | STATUS_FAILED;

    private static final VarHandle STATUS;
    private static final VarHandle NEEDS_RESET_REASON;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATUS = lookup.findVarHandle(VirtioNetDevice.class, "status", int.class);
            NEEDS_RESET_REASON = lookup.findVarHandle(VirtioNetDevice.class, "needsResetReason", String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final GuestMemory guest;
    private final Config config;
    private final Backend backend;
    private final DeviceCounters counters = new DeviceCounters();

    // Transport state. Written under the lock; the volatile fields are also read lock-free by the data paths.
    /** Device status; besides the lock, signalNeedsReset ORs DEVICE_NEEDS_RESET in with a CAS. */
    private volatile int status;
    private long driverFeatures;
    private volatile long negotiated;
    private final int[] queueSize = new int[NUM_QUEUES];
    private final long[] queueDesc = new long[NUM_QUEUES];
    private final long[] queueAvail = new long[NUM_QUEUES];
    private final long[] queueUsed = new long[NUM_QUEUES];
    private String refusalReason;
    private volatile String needsResetReason;
    private volatile boolean linkUp;
    private volatile int configGeneration;
    private volatile Doorbell usedBuffersDoorbell = Doorbell.NONE;
    private volatile Doorbell configChangeDoorbell = Doorbell.NONE;
    private volatile Doorbell kickListener = Doorbell.NONE;

    /** What a receive-queue kick rings: a sender waiting for receive buffers ({@link #notifyWhenRoom}). */
    private volatile Doorbell rxRoomDoorbell;

    // Fault-injection seams (see setRxStarved, setTxUsedDeferral); read once per data-path call.
    private volatile boolean rxStarved;
    private volatile UsedDeferral txUsedDeferral;

    // Data-path state. Created at DRIVER_OK before the status store that publishes it, dropped at reset only after
    // both data paths are out (see reset()). Plain fields: the volatile status orders them.
    private SplitQueueDevice rxQueue;
    private SplitQueueDevice txQueue;
    /** Receive path: kicks were asked for by notifyWhenRoom and are still on. */
    private boolean rxKicksWanted;
    private DescChain rxChain;
    private DescChain txChain;
    private final Doorbell rxInterrupt;
    private final Doorbell txInterrupt;

    // Device-private memory, allocated once: the transmit path's header copy and gather buffer, the receive path's
    // header and completed checksum. Each is touched by its own path only.
    private final MemorySegment txHdr;
    private final MemorySegment txScratch;
    private final MemorySegment rxHdr;
    private final MemorySegment rxChecksum;

    /** The thread inside the transmit path, or null: the busy flag of the reset handshake. */
    private volatile Thread txOwner;
    /** The thread inside the receive path, or null. */
    private volatile Thread rxOwner;

    /**
     * A device over {@code guest}, attached to {@code backend} ({@link Backend#connect} is called with this device as
     * the sink for received frames). The device starts in status 0 (reset).
     */
    public VirtioNetDevice(GuestMemory guest, Config config, Backend backend) {
        if (guest == null || config == null || backend == null) {
            throw new IllegalArgumentException("guest, config and backend are required");
        }
        this.guest = guest;
        this.config = config;
        this.backend = backend;
        this.linkUp = config.linkUp();
        Arena arena = Arena.ofAuto();
        this.txHdr = arena.allocate(HDR_SIZE, 8);
        this.txScratch = arena.allocate(VirtioNet.maxFrame(config.mtu()), 64);
        this.rxHdr = arena.allocate(HDR_SIZE, 8);
        this.rxChecksum = arena.allocate(2, 8);
        this.rxInterrupt = () -> {
            counters.rxInterrupts++;
            usedBuffersDoorbell.ring();
        };
        this.txInterrupt = () -> {
            counters.txInterrupts++;
            usedBuffersDoorbell.ring();
        };
        backend.connect(this);
    }

    // =============================================================================================================
    // Transport: features, status, configuration space, queues, notifications

    /** Feature bits the device offers (§2.2). */
    public long deviceFeatures() {
        return config.features();
    }

    /**
     * The driver's accepted feature bits (§3.1.1 step 4), checked when it sets FEATURES_OK.
     *
     * @throws IllegalStateException unless DRIVER is set and FEATURES_OK is not (features are fixed from then on)
     */
    public synchronized void setDriverFeatures(long features) {
        int s = status;
        if ((s & STATUS_DRIVER) == 0 || (s & (STATUS_FEATURES_OK | STATUS_FAILED)) != 0) {
            throw new IllegalStateException("driver features may be written only after DRIVER and before "
                    + "FEATURES_OK (§3.1.1); status is " + Virtio.statusName(s));
        }
        driverFeatures = features;
    }

    /** The negotiated features: the driver's choice once FEATURES_OK was accepted, else 0. */
    public long negotiatedFeatures() {
        return negotiated;
    }

    /** The device status byte (§2.1). Lock-free. */
    public int status() {
        return status;
    }

    /**
     * Writes the device status (§2.1, §3.1.1). 0 resets the device (§2.4): status, features and queues are forgotten,
     * after waiting for the data paths to leave. Out-of-order writes are ignored (see the class comment); setting
     * FEATURES_OK checks the driver's features and leaves the bit clear if they are refused; setting DRIVER_OK
     * brings up the queues, and a queue the device cannot use (outside guest memory, misaligned) sets
     * DEVICE_NEEDS_RESET with the reason.
     *
     * @throws IllegalStateException for a reset requested from inside this device's own data path (a doorbell
     *                               that does work instead of waking someone)
     */
    public synchronized void setStatus(int value) {
        if (value == 0) {
            reset();
            return;
        }
        int current = status;
        // DEVICE_NEEDS_RESET belongs to the device (§2.1.2): the driver's copy of it is ignored.
        int want = value & ~STATUS_DEVICE_NEEDS_RESET;
        int have = current & ~STATUS_DEVICE_NEEDS_RESET;
        int added = want & ~have;
        String why = null;
        if ((have & STATUS_FAILED) != 0) {
            why = "status is FAILED: only a reset (0) is accepted";
        } else if ((have & ~want) != 0) {
            why = "write clears " + Virtio.statusName(have & ~want)
                    + " (§2.1.1: the driver MUST NOT clear a status bit; write 0 to reset)";
        } else if ((want & ~KNOWN_STATUS) != 0) {
            why = "unknown status bits 0x" + Integer.toHexString(want & ~KNOWN_STATUS);
        } else if ((added & STATUS_FAILED) == 0) {
            why = outOfOrder(want);
        }
        if (why != null) {
            counters.statusWritesIgnored++;
            refusalReason = why;
            return;
        }
        if ((added & STATUS_FAILED) != 0) {
            // The driver gave up (§2.1): record that and nothing else it wrote alongside.
            STATUS.getAndBitwiseOr(this, STATUS_FAILED);
            return;
        }
        if ((added & STATUS_FEATURES_OK) != 0) {
            String refused = NetFeatures.refusal(driverFeatures, config.features());
            if (refused != null) {
                // §3.1.1 step 5-6: FEATURES_OK stays clear; the driver re-reads, sees it and gives up.
                counters.featuresRefused++;
                refusalReason = refused;
                added &= ~(STATUS_FEATURES_OK | STATUS_DRIVER_OK);
            } else {
                negotiated = driverFeatures;
                // Before DRIVER_OK, so no frame crosses with offloads the driver cannot take (QEMU does the same in
                // virtio_net_set_features).
                try {
                    backend.featuresNegotiated(negotiated);
                } catch (RuntimeException e) {
                    // The contract says it does not throw; a backend that does keeps its defaults, and we go on.
                    counters.internalErrors.incrementAndGet();
                }
            }
        }
        if ((added & STATUS_DRIVER_OK) != 0) {
            String broken = activate();
            if (broken != null) {
                NEEDS_RESET_REASON.compareAndSet(this, (String) null, broken);
                counters.needsReset.incrementAndGet();
                added |= STATUS_DEVICE_NEEDS_RESET;
            }
        }
        // Release (volatile): the queues and features set above are visible to a data path that sees DRIVER_OK.
        STATUS.getAndBitwiseOr(this, added);
        Doorbell waiting = rxRoomDoorbell;
        if ((added & STATUS_DRIVER_OK) != 0 && waiting != null) {
            // A sender that waited for buffers across a reset: the new queues start without receive kicks, so no
            // kick would tell it; this does, and it offers again.
            waiting.ring();
        }
    }

    /** Why a status write that sets the bits of {@code want} skips a step of §3.1.1, or null. */
    private static String outOfOrder(int want) {
        if ((want & STATUS_DRIVER) != 0 && (want & STATUS_ACKNOWLEDGE) == 0) {
            return "DRIVER without ACKNOWLEDGE (§3.1.1 steps 2-3)";
        }
        if ((want & STATUS_FEATURES_OK) != 0 && (want & STATUS_DRIVER) == 0) {
            return "FEATURES_OK without DRIVER (§3.1.1 steps 3-5)";
        }
        if ((want & STATUS_DRIVER_OK) != 0 && (want & STATUS_FEATURES_OK) == 0) {
            return "DRIVER_OK without FEATURES_OK (§3.1.1 steps 5-8)";
        }
        return null;
    }

    /**
     * Why the last status write was ignored or FEATURES_OK refused, or null. Cleared by a reset.
     */
    public synchronized String refusalReason() {
        return refusalReason;
    }

    /** §2.4 device reset: called with the lock held. */
    private void reset() {
        Thread me = Thread.currentThread();
        if (txOwner == me || rxOwner == me) {
            throw new IllegalStateException("device reset requested from inside its own data path: a doorbell must "
                    + "only wake the driver's loop, which then resets");
        }
        // Handshake with the data paths, lock-free on their side (Dekker): each path stores its busy flag, then
        // loads the status; we store the status, then load the flags. Volatile accesses are sequentially
        // consistent, so either the path sees status 0 and leaves without touching a queue, or we see its flag and
        // wait until it is out. After the loop no path is using the queues we are about to drop, and none can
        // start: they all see status 0 until DRIVER_OK republishes new queues.
        status = 0;
        while (txOwner != null || rxOwner != null) {
            Thread.onSpinWait();
        }
        driverFeatures = 0;
        negotiated = 0;
        for (int q = 0; q < NUM_QUEUES; q++) {
            queueSize[q] = 0;
            queueDesc[q] = 0;
            queueAvail[q] = 0;
            queueUsed[q] = 0;
        }
        rxQueue = null;
        txQueue = null;
        rxChain = null;
        txChain = null;
        rxKicksWanted = false;
        UsedDeferral deferral = txUsedDeferral;
        if (deferral != null) {
            // The held chains belonged to the queues just dropped (§2.4: a reset forgets in-flight buffers).
            deferral.clear();
        }
        refusalReason = null;
        needsResetReason = null;
        counters.resets++;
    }

    /** Creates the device views of the queues the driver set up; returns why they are unusable, or null. */
    private String activate() {
        needsResetReason = null;
        boolean eventIdx = Virtio.has(negotiated, Virtio.F_EVENT_IDX);
        int maxIndirect = Virtio.has(negotiated, Virtio.F_INDIRECT_DESC) ? config.maxIndirect() : 0;
        try {
            if (queueSize[RX] != 0) {
                rxQueue = new SplitQueueDevice(guest, queueSize[RX], queueDesc[RX], queueAvail[RX], queueUsed[RX],
                        eventIdx, maxIndirect, rxInterrupt);
                rxChain = rxQueue.newChain();
                // The receive path never waits for buffers (without one it drops, as a NIC does), so it does not
                // want kicks for them (§2.7.10).
                rxQueue.disableNotifications();
            }
        } catch (IllegalArgumentException e) {
            rxQueue = null;
            return "receiveq1: " + e.getMessage();
        }
        try {
            if (queueSize[TX] != 0) {
                txQueue = new SplitQueueDevice(guest, queueSize[TX], queueDesc[TX], queueAvail[TX], queueUsed[TX],
                        eventIdx, maxIndirect, txInterrupt);
                txChain = txQueue.newChain();
            }
        } catch (IllegalArgumentException e) {
            rxQueue = null;
            txQueue = null;
            return "transmitq1: " + e.getMessage();
        }
        return null;
    }

    /**
     * Sets DEVICE_NEEDS_RESET (§2.1.2) and remembers why; notifies a configuration change when DRIVER_OK is set.
     * The first reason since the last reset wins. Any thread, lock-free (the data paths call it). Has no effect on
     * a device in reset (status 0).
     */
    public void signalNeedsReset(String reason) {
        boolean mine = NEEDS_RESET_REASON.compareAndSet(this, (String) null, reason);
        int s;
        do {
            s = status;
            if (s == 0 || (s & STATUS_DEVICE_NEEDS_RESET) != 0) {
                if (mine && s == 0) {
                    NEEDS_RESET_REASON.compareAndSet(this, reason, (String) null);
                }
                return;
            }
        } while (!STATUS.compareAndSet(this, s, s | STATUS_DEVICE_NEEDS_RESET));
        counters.needsReset.incrementAndGet();
        if ((s & STATUS_DRIVER_OK) != 0) {
            // §2.1.2: "If DRIVER_OK is set, after it sets DEVICE_NEEDS_RESET, the device MUST send a device
            // configuration change notification to the driver."
            counters.configChanges.incrementAndGet();
            configChangeDoorbell.ring();
        }
    }

    /** Why DEVICE_NEEDS_RESET is set, or null when it is not. */
    public String needsResetReason() {
        return (status & STATUS_DEVICE_NEEDS_RESET) != 0 ? needsResetReason : null;
    }

    /** Number of virtqueues: receiveq1 = 0 and transmitq1 = 1 (§5.1.2). */
    public int numQueues() {
        return NUM_QUEUES;
    }

    /** Largest size the driver may give queue {@code q}; 0 if there is no such queue (virtio-mmio QueueNumMax). */
    public int queueMaxSize(int q) {
        return q >= 0 && q < NUM_QUEUES ? config.maxQueueSize() : 0;
    }

    /**
     * Sets up queue {@code q} (§3.1.1 step 7, §4.2.3.2): its size and the guest addresses of its three parts.
     * Addresses are checked when DRIVER_OK is set (an unusable ring then sets DEVICE_NEEDS_RESET).
     *
     * @throws IllegalStateException    unless FEATURES_OK is set and DRIVER_OK is not
     * @throws IllegalArgumentException for a queue index out of range, or a size that is not a power of two up to
     *                                  {@link #queueMaxSize}
     */
    public synchronized void setQueue(int q, int size, long desc, long avail, long used) {
        int s = status;
        if ((s & STATUS_FEATURES_OK) == 0 || (s & (STATUS_DRIVER_OK | STATUS_FAILED)) != 0) {
            throw new IllegalStateException("queues may be set up only between FEATURES_OK and DRIVER_OK (§3.1.1 "
                    + "step 7); status is " + Virtio.statusName(s));
        }
        if (q < 0 || q >= NUM_QUEUES) {
            throw new IllegalArgumentException("queue " + q + " does not exist (this device has " + NUM_QUEUES
                    + ")");
        }
        if (!SplitQueueLayout.isValidSize(size) || size > config.maxQueueSize()) {
            throw new IllegalArgumentException("queue " + q + " size " + size + " must be a power of two up to "
                    + config.maxQueueSize() + " (§2.7)");
        }
        queueSize[q] = size;
        queueDesc[q] = desc;
        queueAvail[q] = avail;
        queueUsed[q] = used;
    }

    /** Where used-buffer notifications (interrupts) and configuration change notifications go. */
    public void setInterruptHandlers(Doorbell usedBuffers, Doorbell configChange) {
        if (usedBuffers == null || configChange == null) {
            throw new IllegalArgumentException("doorbells are required (use Doorbell.NONE)");
        }
        this.usedBuffersDoorbell = usedBuffers;
        this.configChangeDoorbell = configChange;
    }

    /** Rung when the driver notifies the transmit queue: it wakes whoever runs {@link #pollTx}. */
    public void setKickListener(Doorbell listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener is required (use Doorbell.NONE)");
        }
        this.kickListener = listener;
    }

    /** The doorbell used-buffer notifications ring now, so that a wrapper (a fault injector) can interpose. */
    public Doorbell usedBuffersDoorbell() {
        return usedBuffersDoorbell;
    }

    /** The doorbell configuration change notifications ring now. */
    public Doorbell configChangeDoorbell() {
        return configChangeDoorbell;
    }

    /** The doorbell a transmit-queue kick rings now. */
    public Doorbell kickListener() {
        return kickListener;
    }

    /**
     * Fault injection: while {@code starved}, the receive path behaves as if the driver had posted no receive
     * buffer — every frame is dropped as {@link DeviceCounters.Drop#RX_NO_BUFFER} and the ring is not touched, as
     * when a driver falls behind reposting buffers. Any thread; takes effect at the next frame.
     */
    public void setRxStarved(boolean starved) {
        this.rxStarved = starved;
    }

    public boolean rxStarved() {
        return rxStarved;
    }

    /**
     * Fault injection: completed transmit chains go to {@code deferral} instead of straight to the used ring, so
     * that they come back late and out of order (§2.7.8). Frames are handed to the backend at once either way: only
     * the completion is deferred. Install it before traffic and keep it: to stop deferring, let it decline new
     * chains ({@link UsedDeferral#defer} false) while it releases those it holds — chains held by a deferral that
     * is replaced stay unreturned until the next reset. Null removes it.
     */
    public void setTxUsedDeferral(UsedDeferral deferral) {
        this.txUsedDeferral = deferral;
    }

    /**
     * The guest memory the queues live in: for tools that play the other side of a ring (a saboteur writing what a
     * misbehaving driver or device would).
     */
    public GuestMemory memory() {
        return guest;
    }

    /** Size of queue {@code q} as the driver set it up, 0 if not set up (or reset). */
    public synchronized int queueSize(int q) {
        return q >= 0 && q < NUM_QUEUES ? queueSize[q] : 0;
    }

    /** Guest address of queue {@code q}'s descriptor table (as virtio-pci's {@code queue_desc} reads back). */
    public synchronized long queueDescAddress(int q) {
        return q >= 0 && q < NUM_QUEUES ? queueDesc[q] : 0;
    }

    /** Guest address of queue {@code q}'s available ring ({@code queue_driver}). */
    public synchronized long queueAvailAddress(int q) {
        return q >= 0 && q < NUM_QUEUES ? queueAvail[q] : 0;
    }

    /** Guest address of queue {@code q}'s used ring ({@code queue_device}). */
    public synchronized long queueUsedAddress(int q) {
        return q >= 0 && q < NUM_QUEUES ? queueUsed[q] : 0;
    }

    /**
     * The driver's available-buffer notification for queue {@code q} (§2.7.13.4, virtio-mmio QueueNotify). Ignored
     * before DRIVER_OK. A transmit kick rings the kick listener; a receive kick — which comes only while a sender
     * waits for buffers ({@link #notifyWhenRoom}) — rings that sender's doorbell.
     *
     * @throws IllegalArgumentException for a queue index out of range
     */
    public void notifyQueue(int q) {
        if (q < 0 || q >= NUM_QUEUES) {
            throw new IllegalArgumentException("queue " + q + " does not exist (this device has " + NUM_QUEUES
                    + ")");
        }
        if ((status & STATUS_DRIVER_OK) == 0) {
            return;
        }
        counters.kicks++;
        if ((q & 1) == 1) {
            kickListener.ring();
            return;
        }
        // The receive queue asks for kicks only while a sender waits for buffers (notifyWhenRoom).
        Doorbell waiting = rxRoomDoorbell;
        if (waiting != null) {
            waiting.ring();
        }
    }

    /** The MAC address (low 48 bits). */
    public long mac() {
        return config.mac();
    }

    /** The MTU the device reports and enforces. */
    public int mtu() {
        return config.mtu();
    }

    /** The configuration space {@code status} field: {@link VirtioNet#S_LINK_UP} or 0. */
    public int configStatus() {
        return linkUp ? VirtioNet.S_LINK_UP : 0;
    }

    /** Changes whenever the configuration space does (§2.5.1, virtio-mmio ConfigGeneration). */
    public int configGeneration() {
        return configGeneration;
    }

    /** Reads {@code width} (1, 2 or 4) bytes of the configuration space at {@code offset}, little-endian. */
    public int readConfig(int offset, int width) {
        if ((width != 1 && width != 2 && width != 4) || offset < 0 || offset + width > VirtioNet.CONFIG_SIZE) {
            throw new IllegalArgumentException("config read of " + width + " bytes at " + offset
                    + " outside struct virtio_net_config (" + VirtioNet.CONFIG_SIZE + " bytes)");
        }
        int value = 0;
        for (int i = 0; i < width; i++) {
            value |= configByte(offset + i) << (8 * i);
        }
        return value;
    }

    /**
     * One byte of {@code struct virtio_net_config} (§5.1.4). A field exists only if its feature is offered; absent
     * fields read 0. Multi-byte fields are little-endian (VERSION_1, §2.5); mac is a byte array.
     */
    private int configByte(int i) {
        long f = config.features();
        if (i < VirtioNet.CONFIG_STATUS) {
            return Virtio.has(f, VirtioNet.F_MAC) ? (int) (config.mac() >>> (8 * (5 - i))) & 0xFF : 0;
        }
        if (i < VirtioNet.CONFIG_MAX_VIRTQUEUE_PAIRS) {
            return Virtio.has(f, VirtioNet.F_STATUS) ? (configStatus() >>> (8 * (i - VirtioNet.CONFIG_STATUS))) & 0xFF
                    : 0;
        }
        if (i < VirtioNet.CONFIG_MTU) {
            // max_virtqueue_pairs exists with MQ or RSS only, neither offered.
            return 0;
        }
        if (i < VirtioNet.CONFIG_SPEED) {
            return Virtio.has(f, VirtioNet.F_MTU) ? (config.mtu() >>> (8 * (i - VirtioNet.CONFIG_MTU))) & 0xFF : 0;
        }
        // speed and duplex exist with SPEED_DUPLEX only, not offered.
        return 0;
    }

    /**
     * Sets the link state (the configuration {@code status} field's LINK_UP) and notifies a configuration change
     * (§5.1.4.2) when the driver is running. While down, received frames are dropped and transmitted ones are
     * completed unsent.
     */
    public synchronized void setLinkUp(boolean up) {
        if (linkUp == up) {
            return;
        }
        linkUp = up;
        configGeneration++;
        if ((status & STATUS_DRIVER_OK) != 0 && Virtio.has(config.features(), VirtioNet.F_STATUS)) {
            counters.configChanges.incrementAndGet();
            configChangeDoorbell.ring();
        }
    }

    public Config config() {
        return config;
    }

    public Backend backend() {
        return backend;
    }

    public DeviceCounters counters() {
        return counters;
    }

    private static boolean ready(int s) {
        return (s & READY_MASK) == STATUS_DRIVER_OK;
    }

    private void internalError(String path, RuntimeException e) {
        counters.internalErrors.incrementAndGet();
        signalNeedsReset("internal error on the " + path + " path: " + e);
    }

    // =============================================================================================================
    // Transmit path: one thread at a time

    /**
     * Takes up to {@code budget} chains from the transmit queue while the backend accepts frames
     * ({@link Backend#txReadyAt} ≤ {@code nowNs}), hands each valid frame to the backend and completes every chain
     * taken with used length 0. Publishes the used ring once and flushes the backend once per call.
     *
     * <p>Each chain's 12-byte header is copied once into device memory and only the copy is checked and forwarded
     * (the driver could change the shared bytes underneath). A chain with device-writable buffers or shorter than
     * the header breaks the protocol: DEVICE_NEEDS_RESET, processing stops. Frames that are merely wrong are counted
     * drops ({@link DeviceCounters.Drop}). A frame in one buffer (header + frame, or a 12-byte header buffer followed
     * by the frame) goes to the backend in place; others are gathered into a device buffer first.
     *
     * @return the number of chains taken from the ring (sent or dropped)
     */
    public int pollTx(long nowNs, int budget) {
        txOwner = Thread.currentThread();
        try {
            // Volatile load after the volatile store of txOwner: our half of the reset handshake.
            int s = status;
            SplitQueueDevice q = txQueue;
            if (!ready(s) || q == null) {
                return 0;
            }
            return transmit(q, txChain, nowNs, budget);
        } catch (RuntimeException e) {
            internalError("transmit", e);
            return 0;
        } finally {
            txOwner = null;
        }
    }

    private int transmit(SplitQueueDevice q, DescChain chain, long nowNs, int budget) {
        int taken = 0;
        boolean handed = false;
        UsedDeferral deferral = txUsedDeferral;
        if (deferral != null) {
            deferral.release(q, nowNs);
        }
        while (taken < budget && backend.txReadyAt(nowNs) <= nowNs) {
            int head = q.pop(chain);
            if (head < 0) {
                if (head == QueueStatus.BROKEN) {
                    // Once per break: with DEVICE_NEEDS_RESET set this path does not run again before a reset.
                    counters.violations.incrementAndGet(q.brokenRule().ordinal());
                    signalNeedsReset("transmitq1 broken: " + q.brokenReason());
                }
                break;
            }
            taken++;
            counters.txChains++;
            int verdict = transmitChain(chain, nowNs);
            if (verdict == CHAIN_INVALID) {
                break;
            }
            if (deferral == null || !deferral.defer(head, 0, nowNs)) {
                q.pushUsed(head, 0);
            }
            handed |= verdict == FrameSink.OK;
        }
        q.publishUsed();
        if (handed) {
            backend.flush(nowNs);
        }
        return taken;
    }

    /** {@link #transmitChain} result: the chain broke the protocol; the device needs a reset. */
    private static final int CHAIN_INVALID = Integer.MIN_VALUE;
    /** {@link #transmitChain} result: the frame was dropped by the device and counted. */
    private static final int DROPPED = Integer.MIN_VALUE + 1;

    private int transmitChain(DescChain chain, long nowNs) {
        if (chain.writableCount() != 0) {
            // §2.7.4.2 / §5.1.6.2: a transmit buffer is device-readable only; QEMU calls this a virtio_error.
            signalNeedsReset("transmitq1 chain " + chain.head() + " has " + chain.writableCount()
                    + " device-writable buffer(s)");
            return CHAIN_INVALID;
        }
        long readable = chain.readableBytes();
        if (readable < HDR_SIZE) {
            // §5.1.6: every packet is preceded by a struct virtio_net_hdr (12 bytes with VERSION_1).
            signalNeedsReset("transmitq1 chain " + chain.head() + " has " + readable
                    + " bytes, less than the 12-byte virtio_net_hdr (§5.1.6)");
            return CHAIN_INVALID;
        }
        long frameLength = readable - HDR_SIZE;
        MemorySegment hdr = txHdr;
        chain.copyFromReadable(0, hdr, 0, HDR_SIZE);
        Drop drop = NetHeaders.checkTransmit(hdr, frameLength, negotiated, config.mtu());
        if (drop == null && !linkUp) {
            drop = Drop.TX_LINK_DOWN;
        }
        if (drop != null) {
            counters.drops[drop.ordinal()]++;
            return DROPPED;
        }
        int len = (int) frameLength;
        MemorySegment frame;
        long frameOffset;
        if (chain.readableCount() == 1) {
            frame = chain.region();
            frameOffset = chain.offset(0) + HDR_SIZE;
        } else if (chain.readableCount() == 2 && chain.length(0) == HDR_SIZE) {
            frame = chain.region();
            frameOffset = chain.offset(1);
        } else {
            frame = txScratch;
            frameOffset = 0;
            chain.copyFromReadable(HDR_SIZE, frame, 0, len);
        }
        int result = backend.accept(hdr, frame, frameOffset, len, nowNs);
        if (result != FrameSink.OK) {
            counters.drops[Drop.TX_BACKEND.ordinal()]++;
            return DROPPED;
        }
        counters.txFrames++;
        counters.txBytes += len;
        return FrameSink.OK;
    }

    /**
     * When {@link #pollTx} can next make progress: {@code nowNs} or earlier if chains wait and the backend takes
     * frames now; the backend's ready time if chains wait on a busy backend; {@link Long#MAX_VALUE} if no chain
     * waits (wait for a kick) or the device is not running. With a {@linkplain #setTxUsedDeferral used deferral},
     * also when the next held completion is due. Transmit-path thread.
     */
    public long txReadyAt(long nowNs) {
        txOwner = Thread.currentThread();
        try {
            int s = status;
            SplitQueueDevice q = txQueue;
            if (!ready(s) || q == null) {
                return Long.MAX_VALUE;
            }
            UsedDeferral deferral = txUsedDeferral;
            long held = deferral == null ? Long.MAX_VALUE : deferral.nextReleaseNs();
            if (!q.hasAvailable()) {
                return held;
            }
            return Math.min(held, backend.txReadyAt(nowNs));
        } catch (RuntimeException e) {
            internalError("transmit", e);
            return Long.MAX_VALUE;
        } finally {
            txOwner = null;
        }
    }

    /**
     * Asks the driver for kicks on the transmit queue, then re-checks it (§2.7.10). Call before parking.
     *
     * @return true iff chains are already waiting: poll instead of parking
     */
    public boolean enableTxNotifications() {
        txOwner = Thread.currentThread();
        try {
            int s = status;
            SplitQueueDevice q = txQueue;
            return ready(s) && q != null && q.enableNotifications();
        } finally {
            txOwner = null;
        }
    }

    /** Asks the driver not to kick the transmit queue: the caller is polling it anyway. */
    public void disableTxNotifications() {
        txOwner = Thread.currentThread();
        try {
            int s = status;
            SplitQueueDevice q = txQueue;
            if (ready(s) && q != null) {
                q.disableNotifications();
            }
        } finally {
            txOwner = null;
        }
    }

    // =============================================================================================================
    // Receive path (this device's FrameSink): one thread at a time

    /**
     * Writes one frame into the next receive buffer (§5.1.6.4), or drops it with a FrameSink code and counts it:
     * not running or link down ({@link #DROP_NOT_READY}), no buffer ({@link #DROP_NO_BUFFER}; never blocks), frame
     * larger than the buffer — which stays in the ring for the next frame — or than the negotiated MTU
     * ({@link #DROP_TOO_BIG}), GSO not negotiated or bad checksum offsets ({@link #DROP_BAD_HEADER}), receive queue
     * broken ({@link #DROP_BROKEN}, and DEVICE_NEEDS_RESET).
     *
     * <p>Checksums: NEEDS_CSUM is passed on with its offsets when the driver negotiated GUEST_CSUM; otherwise the
     * device completes the checksum in the copy and clears the flag (§5.1.6.3.1: without GUEST_CSUM "the device
     * MUST set flags to zero and SHOULD supply a fully checksummed packet"). DATA_VALID is passed on only if the
     * incoming header carries it: the device never claims a validation it did not do.
     */
    @Override
    public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
        rxOwner = Thread.currentThread();
        try {
            // Volatile load after the volatile store of rxOwner: our half of the reset handshake.
            int s = status;
            SplitQueueDevice q = rxQueue;
            if (!ready(s) || q == null) {
                return rxDrop(Drop.RX_NOT_READY, DROP_NOT_READY);
            }
            if (!linkUp) {
                return rxDrop(Drop.RX_LINK_DOWN, DROP_NOT_READY);
            }
            if (rxStarved) {
                return rxDrop(Drop.RX_NO_BUFFER, DROP_NO_BUFFER);
            }
            return receive(q, rxChain, hdr, frame, frameOff, frameLen);
        } catch (RuntimeException e) {
            internalError("receive", e);
            return rxDrop(Drop.RX_BROKEN, DROP_BROKEN);
        } finally {
            rxOwner = null;
        }
    }

    private int receive(SplitQueueDevice q, DescChain chain, MemorySegment hdr, MemorySegment frame, long frameOff,
                        int frameLen) {
        long features = negotiated;
        if (!NetHeaders.checkReceive(hdr, frameLen)) {
            return rxDrop(Drop.RX_BAD_HEADER, DROP_BAD_HEADER);
        }
        // §5.1.4.1: with MTU negotiated the device "MUST NOT pass received packets that exceed mtu (plus low level
        // ethernet header length) size with gso_type NONE".
        if (frameLen > VirtioNet.maxFrame(config.mtu()) && Virtio.has(features, VirtioNet.F_MTU)) {
            return rxDrop(Drop.RX_TOO_BIG, DROP_TOO_BIG);
        }
        int head = q.pop(chain);
        if (head == QueueStatus.EMPTY) {
            return rxDrop(Drop.RX_NO_BUFFER, DROP_NO_BUFFER);
        }
        if (rxKicksWanted) {
            // The wait for buffers is over: back to a receive path that wants no kicks (see activate()).
            rxKicksWanted = false;
            q.disableNotifications();
        }
        if (head == QueueStatus.BROKEN) {
            // Once per break: with DEVICE_NEEDS_RESET set this path does not run again before a reset.
            counters.violations.incrementAndGet(q.brokenRule().ordinal());
            signalNeedsReset("receiveq1 broken: " + q.brokenReason());
            return rxDrop(Drop.RX_BROKEN, DROP_BROKEN);
        }
        if (chain.readableCount() != 0) {
            // §5.1.6.3: receive buffers are device-writable; QEMU: "receive queue contains no in buffers".
            signalNeedsReset("receiveq1 chain " + head + " has " + chain.readableCount()
                    + " device-readable buffer(s)");
            return rxDrop(Drop.RX_BROKEN, DROP_BROKEN);
        }
        long needed = (long) HDR_SIZE + frameLen;
        if (needed > chain.writableBytes()) {
            // Without MRG_RXBUF one frame takes one chain (§5.1.6.3.1); this one is too small, so leave it for the
            // next, smaller frame rather than complete it empty.
            q.undoPop(head);
            return rxDrop(Drop.RX_TOO_BIG, DROP_TOO_BIG);
        }
        NetHeaders.writeReceiveHeader(rxHdr, hdr, features);
        chain.copyToWritable(0, rxHdr, 0, HDR_SIZE);
        chain.copyToWritable(HDR_SIZE, frame, frameOff, frameLen);
        if (NetHeaders.needsCompletion(hdr, features)) {
            // Summed from the sender's frame, not from the copy in the driver's buffer, which it could change.
            NetHeaders.completeChecksum(hdr, frame, frameOff, frameLen, rxChecksum);
            chain.copyToWritable(HDR_SIZE + NetHeaders.checksumPosition(hdr), rxChecksum, 0, 2);
            counters.rxChecksumsCompleted++;
        }
        q.pushUsed(head, (int) needed);
        counters.rxFrames++;
        counters.rxBytes += frameLen;
        return OK;
    }

    private int rxDrop(Drop reason, int code) {
        counters.drops[reason.ordinal()]++;
        return code;
    }

    /** Publishes the frames accepted since the last flush with one used-index store, and interrupts if asked. */
    @Override
    public void flush(long nowNs) {
        rxOwner = Thread.currentThread();
        try {
            int s = status;
            SplitQueueDevice q = rxQueue;
            if ((s & STATUS_DRIVER_OK) != 0 && q != null) {
                q.publishUsed();
            }
        } catch (RuntimeException e) {
            internalError("receive", e);
        } finally {
            rxOwner = null;
        }
    }

    /**
     * Backpressure for a sender that can hold frames (a TAP): when a frame found no receive buffer, asks the driver
     * for a kick when it posts more (§2.7.10: avail_event, or clearing NO_NOTIFY), then re-checks the ring; the kick
     * ({@link #notifyQueue}) rings {@code doorbell}. The next frame received turns the kicks off again. Receive
     * path. Only a lack of buffers is waited for: a device that is not running, has its link down or is starved
     * answers true, and the sender drops as it would have.
     *
     * @return true iff buffers are there already (offer again now; no kick will come for them)
     */
    @Override
    public boolean notifyWhenRoom(Doorbell doorbell) {
        if (doorbell == null) {
            throw new IllegalArgumentException("doorbell is required");
        }
        rxOwner = Thread.currentThread();
        try {
            // Volatile load after the volatile store of rxOwner: our half of the reset handshake.
            int s = status;
            SplitQueueDevice q = rxQueue;
            if (!ready(s) || q == null || !linkUp || rxStarved) {
                return true;
            }
            rxRoomDoorbell = doorbell;
            rxKicksWanted = true;
            counters.rxRoomWaits++;
            return q.enableNotifications();
        } catch (RuntimeException e) {
            internalError("receive", e);
            return true;
        } finally {
            rxOwner = null;
        }
    }

    @Override
    public String toString() {
        return "VirtioNetDevice[" + Virtio.statusName(status) + ", features " + NetFeatures.names(negotiated) + "]";
    }
}
