package io.virtaio.virtio.net;

import static io.virtaio.virtio.Virtio.STATUS_ACKNOWLEDGE;
import static io.virtaio.virtio.Virtio.STATUS_DEVICE_NEEDS_RESET;
import static io.virtaio.virtio.Virtio.STATUS_DRIVER;
import static io.virtaio.virtio.Virtio.STATUS_DRIVER_OK;
import static io.virtaio.virtio.Virtio.STATUS_FAILED;
import static io.virtaio.virtio.Virtio.STATUS_FEATURES_OK;
import static io.virtaio.virtio.Virtio.bit;
import static io.virtaio.virtio.net.VirtioNet.ETH_HEADER;
import static io.virtaio.virtio.net.VirtioNet.HDR_CSUM_OFFSET;
import static io.virtaio.virtio.net.VirtioNet.HDR_CSUM_START;
import static io.virtaio.virtio.net.VirtioNet.HDR_FLAGS;
import static io.virtaio.virtio.net.VirtioNet.HDR_F_DATA_VALID;
import static io.virtaio.virtio.net.VirtioNet.HDR_F_NEEDS_CSUM;
import static io.virtaio.virtio.net.VirtioNet.HDR_GSO_SIZE;
import static io.virtaio.virtio.net.VirtioNet.HDR_GSO_TYPE;
import static io.virtaio.virtio.net.VirtioNet.HDR_HDR_LEN;
import static io.virtaio.virtio.net.VirtioNet.HDR_NUM_BUFFERS;
import static io.virtaio.virtio.net.VirtioNet.HDR_SIZE;
import static io.virtaio.virtio.net.VirtioNet.LE16;

import io.virtaio.virtio.Virtio;
import io.virtaio.virtio.mem.BufferPool;
import io.virtaio.virtio.mem.GuestMemory;
import io.virtaio.virtio.queue.Doorbell;
import io.virtaio.virtio.queue.QueueStatus;
import io.virtaio.virtio.queue.SplitQueueDriver;
import io.virtaio.virtio.queue.SplitQueueLayout;
import io.virtaio.virtio.queue.UsedLenPolicy;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The driver side of a {@link VirtioNetDevice}, as a network stack uses it: negotiation and initialization
 * (virtio 1.2 §3.1.1, §5.1.5), zero-copy receive and transmit with one buffer per frame, notification control and
 * recovery from device errors.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Confined to one thread (the stack's loop). Nothing here blocks.</li>
 *   <li>{@link #attach} and {@link #reinitialize} allocate (rings, buffer pools, all from {@link GuestMemory}, and a
 *       few Java arrays once); {@link #receive}, {@link #txAcquire}, {@link #txSubmit}, {@link #flush},
 *       {@link #reclaimTx} and the interrupt calls allocate nothing.</li>
 *   <li>The device is untrusted: the queues check what it writes to the used rings, and this class checks each
 *       received length and ignores checksum flags the driver did not negotiate. A device error shows as
 *       {@link #needsReset()}; the stack then calls {@link #reinitialize()}.</li>
 *   <li>Frames stay in guest memory: the receive handler sees the frame in place in {@link #region()}, and the
 *       stack writes a frame to send at {@link #txFrameOffset} in the same region.</li>
 * </ul>
 *
 * <p>Every receive buffer holds one whole frame (no MRG_RXBUF): {@code 12 + MTU + 14} bytes rounded up to 64 by
 * default.
 */
public final class VirtioNetDriver {
    /**
     * Driver configuration.
     *
     * @param features      features wanted; the driver accepts {@code features ∩ offered}, minus any whose
     *                      dependencies are missing (§5.1.3.1)
     * @param rxQueueSize   receive queue size (a power of two; capped by the device's maximum); also the number of
     *                      receive buffers
     * @param txQueueSize   transmit queue size (a power of two; capped by the device's maximum)
     * @param rxBufferSize  bytes per receive buffer, header included; 0 = {@code 12 + MTU + 14} rounded up to 64
     * @param txBuffers     number of transmit buffers, at most the transmit queue size; 0 = the queue size
     * @param usedLenPolicy what the queues do with an over-reported used length
     * @param onInterrupt   rung on used-buffer and configuration-change notifications (wakes the stack's loop);
     *                      called on the device's threads, it must not block or call into the driver
     */
    public record Config(long features, int rxQueueSize, int txQueueSize, int rxBufferSize, int txBuffers,
                         UsedLenPolicy usedLenPolicy, Doorbell onInterrupt) {
        /** VERSION_1, MAC, MTU, STATUS, CSUM, GUEST_CSUM, EVENT_IDX, INDIRECT_DESC. */
        public static final long DEFAULT_FEATURES = bit(Virtio.F_VERSION_1) | bit(VirtioNet.F_MAC)
                | bit(VirtioNet.F_MTU) | bit(VirtioNet.F_STATUS) | bit(VirtioNet.F_CSUM)
                | bit(VirtioNet.F_GUEST_CSUM) | bit(Virtio.F_EVENT_IDX) | bit(Virtio.F_INDIRECT_DESC);

        public Config {
            if (!SplitQueueLayout.isValidSize(rxQueueSize) || !SplitQueueLayout.isValidSize(txQueueSize)) {
                throw new IllegalArgumentException("queue sizes must be powers of two in 1..32768: rx "
                        + rxQueueSize + ", tx " + txQueueSize);
            }
            if (rxBufferSize != 0 && rxBufferSize < HDR_SIZE + ETH_HEADER) {
                throw new IllegalArgumentException("rxBufferSize must be 0 (automatic) or at least 26: "
                        + rxBufferSize);
            }
            if (txBuffers < 0) {
                throw new IllegalArgumentException("txBuffers must be >= 0: " + txBuffers);
            }
            if (usedLenPolicy == null || onInterrupt == null) {
                throw new IllegalArgumentException("usedLenPolicy and onInterrupt are required");
            }
        }

        /** Default features, queues of 256, automatic buffer sizes, strict used lengths, no interrupt handler. */
        public static Config defaults() {
            return new Config(DEFAULT_FEATURES, 256, 256, 0, 0, UsedLenPolicy.STRICT, Doorbell.NONE);
        }

        public Config withFeatures(long newFeatures) {
            return new Config(newFeatures, rxQueueSize, txQueueSize, rxBufferSize, txBuffers, usedLenPolicy,
                    onInterrupt);
        }

        public Config withQueueSizes(int rx, int tx) {
            return new Config(features, rx, tx, rxBufferSize, txBuffers, usedLenPolicy, onInterrupt);
        }

        public Config withRxBufferSize(int bytes) {
            return new Config(features, rxQueueSize, txQueueSize, bytes, txBuffers, usedLenPolicy, onInterrupt);
        }

        public Config withTxBuffers(int count) {
            return new Config(features, rxQueueSize, txQueueSize, rxBufferSize, count, usedLenPolicy, onInterrupt);
        }

        public Config withUsedLenPolicy(UsedLenPolicy policy) {
            return new Config(features, rxQueueSize, txQueueSize, rxBufferSize, txBuffers, policy, onInterrupt);
        }

        public Config withOnInterrupt(Doorbell doorbell) {
            return new Config(features, rxQueueSize, txQueueSize, rxBufferSize, txBuffers, usedLenPolicy, doorbell);
        }
    }

    /** Receives frames in place. */
    @FunctionalInterface
    public interface RxHandler {
        /**
         * One received frame, valid only during the call (its buffer is re-posted right after).
         *
         * @param region      guest memory holding the frame
         * @param frameOffset offset of the Ethernet header in {@code region}
         * @param frameLength frame length (no virtio-net header, no FCS)
         * @param hdrFlags    {@link VirtioNet#HDR_F_NEEDS_CSUM} and/or {@link VirtioNet#HDR_F_DATA_VALID} as the
         *                    device set them (0 without GUEST_CSUM): either means the checksum need not be checked
         */
        void onFrame(MemorySegment region, long frameOffset, int frameLength, int hdrFlags);
    }

    /** Entries per indirect table when INDIRECT_DESC is negotiated. */
    public static final int INDIRECT_ENTRIES = 16;
    /** MTU assumed without VIRTIO_NET_F_MTU. */
    public static final int DEFAULT_MTU = 1500;

    private final VirtioNetDevice device;
    private final Config config;
    private final MemorySegment region;
    private final long features;
    private final int mtu;
    private final SplitQueueDriver rxq;
    private final SplitQueueDriver txq;
    private final BufferPool rxPool;
    private final BufferPool txPool;
    private final int rxBufferSize;
    private final int txFrameCapacity;
    private final boolean[] txSubmitted;
    private final DriverCounters counters;

    private VirtioNetDriver(VirtioNetDevice device, GuestMemory guest, Config config, long features) {
        this.device = device;
        this.config = config;
        this.region = guest.region();
        this.features = features;
        this.mtu = Virtio.has(features, VirtioNet.F_MTU)
                ? device.readConfig(VirtioNet.CONFIG_MTU, 2) : DEFAULT_MTU;
        int rxSize = Math.min(config.rxQueueSize(), device.queueMaxSize(VirtioNet.RX_QUEUE));
        int txSize = Math.min(config.txQueueSize(), device.queueMaxSize(VirtioNet.TX_QUEUE));
        int minRxBuffer = HDR_SIZE + VirtioNet.maxFrame(mtu);
        this.rxBufferSize = config.rxBufferSize() == 0 ? align64(minRxBuffer) : config.rxBufferSize();
        if (Virtio.has(features, VirtioNet.F_MTU) && rxBufferSize < minRxBuffer) {
            // §5.1.4.2: with MTU negotiated the driver "MUST supply enough receive buffers to receive at least one
            // receive packet of size mtu (plus low level ethernet header length)".
            throw new IllegalArgumentException("rxBufferSize " + rxBufferSize + " cannot hold a frame of MTU "
                    + mtu + " (" + minRxBuffer + " bytes with the header)");
        }
        int txCount = config.txBuffers() == 0 ? txSize : config.txBuffers();
        if (txCount > txSize) {
            throw new IllegalArgumentException("txBuffers " + txCount + " exceeds the transmit queue size " + txSize
                    + ": a submitted frame could find no descriptor");
        }
        this.txFrameCapacity = VirtioNet.maxFrame(mtu);
        int indirect = Virtio.has(features, Virtio.F_INDIRECT_DESC) ? INDIRECT_ENTRIES : 0;
        boolean eventIdx = Virtio.has(features, Virtio.F_EVENT_IDX);
        this.rxq = SplitQueueDriver.create(guest, rxSize, eventIdx, indirect, config.usedLenPolicy(),
                () -> device.notifyQueue(VirtioNet.RX_QUEUE));
        this.txq = SplitQueueDriver.create(guest, txSize, eventIdx, indirect, config.usedLenPolicy(),
                () -> device.notifyQueue(VirtioNet.TX_QUEUE));
        this.counters = new DriverCounters(rxq.counters(), txq.counters());
        this.rxPool = new BufferPool(guest, rxSize, rxBufferSize);
        this.txPool = new BufferPool(guest, txCount, HDR_SIZE + txFrameCapacity);
        this.txSubmitted = new boolean[txCount];
    }

    /**
     * Guest memory {@link #attach} needs for a device of {@code mtu} with {@code config}: both queues' rings and
     * indirect tables, and the receive and transmit buffer pools, with alignment slack.
     */
    public static long guestMemoryBytes(int mtu, Config config) {
        int frame = HDR_SIZE + VirtioNet.maxFrame(mtu);
        long rxBuffer = align64(config.rxBufferSize() == 0 ? frame : config.rxBufferSize());
        long txCount = config.txBuffers() == 0 ? config.txQueueSize() : config.txBuffers();
        long buffers = config.rxQueueSize() * rxBuffer + txCount * align64(frame);
        long rings = 0;
        for (int size : new int[] {config.rxQueueSize(), config.txQueueSize()}) {
            rings += SplitQueueLayout.descTableSize(size) + SplitQueueLayout.availSize(size)
                    + SplitQueueLayout.usedSize(size) + (long) size * INDIRECT_ENTRIES * SplitQueueLayout.DESC_SIZE
                    + 4 * 64;
        }
        return buffers + rings + 4096;
    }

    /**
     * Initializes {@code device} (§3.1.1) and returns its driver: reset, ACKNOWLEDGE, DRIVER, feature negotiation,
     * FEATURES_OK (checked), queues and buffers allocated in {@code guest}, receive queue stocked, DRIVER_OK.
     *
     * @throws IllegalStateException if the device refuses the features or fails to come up (the driver then sets
     *                               FAILED, §3.1.1 step 6), with the device's reason
     */
    public static VirtioNetDriver attach(VirtioNetDevice device, GuestMemory guest, Config config) {
        long features = negotiate(device, config.features());
        VirtioNetDriver driver;
        try {
            driver = new VirtioNetDriver(device, guest, config, features);
        } catch (RuntimeException e) {
            device.setStatus(device.status() | STATUS_FAILED);
            throw e;
        }
        device.setInterruptHandlers(config.onInterrupt(), config.onInterrupt());
        driver.start();
        return driver;
    }

    /** §3.1.1 steps 1-6; returns the accepted features. */
    private static long negotiate(VirtioNetDevice device, long wanted) {
        device.setStatus(0);
        device.setStatus(STATUS_ACKNOWLEDGE);
        device.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
        long offered = device.deviceFeatures();
        // §3.1.1 step 4 and §5.1.3.1: accept only what is offered, and nothing whose dependency is missing.
        long accepted = NetFeatures.closeUnderDependencies(wanted & offered);
        if (!Virtio.has(accepted, Virtio.F_VERSION_1)) {
            throw fail(device, "VERSION_1 not offered by the device or not wanted: this driver has no legacy mode");
        }
        device.setDriverFeatures(accepted);
        device.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
        // §3.1.1 step 6: re-read; FEATURES_OK still clear means the device refused this subset.
        if ((device.status() & STATUS_FEATURES_OK) == 0) {
            throw fail(device, "device refused features " + NetFeatures.names(accepted) + ": "
                    + device.refusalReason());
        }
        return accepted;
    }

    private static IllegalStateException fail(VirtioNetDevice device, String why) {
        device.setStatus(device.status() | STATUS_FAILED);
        return new IllegalStateException("virtio-net initialization failed: " + why);
    }

    /** §3.1.1 steps 7-8: queues, receive buffers, DRIVER_OK, then the first notification. */
    private void start() {
        device.setQueue(VirtioNet.RX_QUEUE, rxq.size(), rxq.descAddress(), rxq.availAddress(), rxq.usedAddress());
        device.setQueue(VirtioNet.TX_QUEUE, txq.size(), txq.descAddress(), txq.availAddress(), txq.usedAddress());
        for (int i = rxPool.available(); i > 0; i--) {
            int id = rxPool.acquire();
            rxq.addOne(rxPool.address(id), rxBufferSize, true, id);
        }
        device.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
        int s = device.status();
        if ((s & STATUS_DEVICE_NEEDS_RESET) != 0 || (s & STATUS_DRIVER_OK) == 0) {
            throw fail(device, "device did not come up (" + Virtio.statusName(s) + "): "
                    + (device.needsResetReason() != null ? device.needsResetReason() : device.refusalReason()));
        }
        // The buffers were added before DRIVER_OK (§3.1.1 step 7, "population of virtqueues"); publishing, and so
        // any notification, waits until now (§3.1.1: no notification before DRIVER_OK).
        rxq.publish();
    }

    private static int align64(int n) {
        return (n + 63) & ~63;
    }

    // =============================================================================================================
    // Accessors

    /** The negotiated features. */
    public long features() {
        return features;
    }

    public boolean has(int feature) {
        return Virtio.has(features, feature);
    }

    /** The device's MTU when VIRTIO_NET_F_MTU was negotiated, else {@value #DEFAULT_MTU}. */
    public int mtu() {
        return mtu;
    }

    /**
     * The device's MAC address (low 48 bits) when VIRTIO_NET_F_MAC was negotiated, else -1: the stack then picks a
     * locally administered address itself (§5.1.4.2).
     */
    public long mac() {
        if (!has(VirtioNet.F_MAC)) {
            return -1;
        }
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = (mac << 8) | device.readConfig(VirtioNet.CONFIG_MAC + i, 1);
        }
        return mac;
    }

    /** The guest memory region frames live in. */
    public MemorySegment region() {
        return region;
    }

    /** Bytes per receive buffer, header included. */
    public int rxBufferSize() {
        return rxBufferSize;
    }

    public DriverCounters counters() {
        return counters;
    }

    public VirtioNetDevice device() {
        return device;
    }

    // =============================================================================================================
    // Receive

    /**
     * Reaps up to {@code budget} used receive buffers. Each valid frame goes to {@code handler} in place; each
     * buffer is re-posted right after (even if the handler throws), and the re-posted buffers are published once
     * at the end. Used lengths below {@code 12 + 14} or above the buffer size are counted drops.
     *
     * @return buffers processed (frames delivered plus frames dropped); 0 when none was used or a queue is broken
     */
    public int receive(RxHandler handler, int budget) {
        int done = 0;
        while (done < budget) {
            int id = rxq.reap();
            if (id < 0) {
                break;
            }
            done++;
            try {
                deliver(handler, id, rxq.lastLen());
            } finally {
                repost(id);
            }
        }
        if (done > 0 && rxq.publish()) {
            counters.kicks++;
        }
        return done;
    }

    private void deliver(RxHandler handler, int id, int usedLen) {
        if (usedLen < HDR_SIZE + ETH_HEADER) {
            counters.drops[DriverCounters.Drop.RX_RUNT.ordinal()]++;
            return;
        }
        if (usedLen > rxBufferSize) {
            counters.drops[DriverCounters.Drop.RX_TOO_LONG.ordinal()]++;
            return;
        }
        long buffer = rxPool.offset(id);
        int flags = region.get(ValueLayout.JAVA_BYTE, buffer + HDR_FLAGS) & (HDR_F_NEEDS_CSUM | HDR_F_DATA_VALID);
        if (flags != 0 && !has(VirtioNet.F_GUEST_CSUM)) {
            // §5.1.6.3.1: without GUEST_CSUM the device must set flags to zero; do not let it vouch for a checksum.
            counters.rxFlagsIgnored++;
            flags = 0;
        }
        int frameLength = usedLen - HDR_SIZE;
        counters.rxFrames++;
        counters.rxBytes += frameLength;
        handler.onFrame(region, buffer + HDR_SIZE, frameLength, flags);
    }

    private void repost(int id) {
        if (rxq.addOne(rxPool.address(id), rxBufferSize, true, id) < 0) {
            // Broken queue: keep the buffer in the pool until reinitialize() re-stocks the ring.
            rxPool.release(id);
        }
    }

    // =============================================================================================================
    // Transmit

    /**
     * A free transmit buffer's id, reclaiming completed transmissions first if none is free; -1 (counted) if every
     * buffer is in flight or held.
     */
    public int txAcquire() {
        int id = txPool.acquire();
        if (id == BufferPool.NONE) {
            reclaimTx();
            id = txPool.acquire();
            if (id == BufferPool.NONE) {
                counters.drops[DriverCounters.Drop.TX_NO_BUFFER.ordinal()]++;
                return -1;
            }
        }
        return id;
    }

    /** Offset in {@link #region()} where the stack writes the frame for buffer {@code id}; the header precedes it. */
    public long txFrameOffset(int id) {
        return txPool.offset(id) + HDR_SIZE;
    }

    /** The largest frame a transmit buffer holds: MTU + 14. */
    public int txFrameCapacity() {
        return txFrameCapacity;
    }

    /**
     * Queues the frame written in buffer {@code id}; it becomes visible to the device at the next {@link #flush()}.
     * With {@code csumStart >= 0} the frame goes out with NEEDS_CSUM (§5.1.6.2): the checksum field at
     * {@code csumStart + csumOffset} holds the partial (pseudo-header) sum, and the device side completes the sum
     * from {@code csumStart} to the end.
     *
     * @param csumStart  where checksumming starts, or negative when the frame's checksums are complete
     * @param csumOffset offset of the checksum field from {@code csumStart} (TCP 16, UDP 6)
     * @return 0, or {@link QueueStatus#BROKEN} (the buffer then stays with the caller: {@link #txAbort} it)
     * @throws IllegalArgumentException if {@code id} is not acquired, the length is outside 14…capacity, or the
     *                                  checksum field does not lie inside the frame
     * @throws IllegalStateException    for NEEDS_CSUM without VIRTIO_NET_F_CSUM negotiated
     */
    public int txSubmit(int id, int frameLength, int csumStart, int csumOffset) {
        checkAcquired(id);
        if (frameLength < ETH_HEADER || frameLength > txFrameCapacity) {
            throw new IllegalArgumentException("frame length " + frameLength + " outside 14.." + txFrameCapacity);
        }
        int flags = 0;
        if (csumStart >= 0) {
            if (!has(VirtioNet.F_CSUM)) {
                throw new IllegalStateException("checksum offload requested but VIRTIO_NET_F_CSUM not negotiated "
                        + "(§5.1.6.2.1)");
            }
            if (csumOffset < 0 || csumStart > 0xFFFF || csumOffset > 0xFFFF
                    || (long) csumStart + csumOffset + 2 > frameLength) {
                throw new IllegalArgumentException("checksum field at " + csumStart + "+" + csumOffset
                        + " outside a frame of " + frameLength + " bytes");
            }
            flags = HDR_F_NEEDS_CSUM;
        }
        long hdr = txPool.offset(id);
        region.set(ValueLayout.JAVA_BYTE, hdr + HDR_FLAGS, (byte) flags);
        region.set(ValueLayout.JAVA_BYTE, hdr + HDR_GSO_TYPE, (byte) VirtioNet.GSO_NONE);
        region.set(LE16, hdr + HDR_HDR_LEN, (short) 0);
        region.set(LE16, hdr + HDR_GSO_SIZE, (short) 0);
        region.set(LE16, hdr + HDR_CSUM_START, (short) (flags != 0 ? csumStart : 0));
        region.set(LE16, hdr + HDR_CSUM_OFFSET, (short) (flags != 0 ? csumOffset : 0));
        region.set(LE16, hdr + HDR_NUM_BUFFERS, (short) 0);
        int head = txq.addOne(txPool.address(id), HDR_SIZE + frameLength, false, id);
        if (head < 0) {
            return head;
        }
        txSubmitted[id] = true;
        counters.txFrames++;
        counters.txBytes += frameLength;
        return 0;
    }

    /** Gives back an acquired buffer that will not be submitted. */
    public void txAbort(int id) {
        checkAcquired(id);
        txPool.release(id);
    }

    private void checkAcquired(int id) {
        if (id < 0 || id >= txSubmitted.length || !txPool.isInUse(id) || txSubmitted[id]) {
            throw new IllegalArgumentException("transmit buffer " + id + " is not acquired (free, or already "
                    + "submitted)");
        }
    }

    /** Returns the buffers of completed transmissions to the pool; the number reclaimed. */
    public int reclaimTx() {
        int n = 0;
        for (int id = txq.reap(); id >= 0; id = txq.reap()) {
            txSubmitted[id] = false;
            txPool.release(id);
            n++;
        }
        counters.txCompleted += n;
        return n;
    }

    /**
     * Publishes the frames submitted and buffers re-posted since the last publish, one index store per queue, and
     * notifies the device where it asked for it (§2.7.13.3-4).
     *
     * @return true iff the device was notified
     */
    public boolean flush() {
        boolean kicked = txq.publish();
        kicked |= rxq.publish();
        if (kicked) {
            counters.kicks++;
        }
        return kicked;
    }

    // =============================================================================================================
    // Waiting

    /**
     * Reclaims completed transmissions, then asks for interrupts on both queues and re-checks them (§2.7.7.2).
     * Call before parking.
     *
     * @return true iff received frames are waiting, transmit buffers were reclaimed (a stack that ran out of them
     *     can send again), or the device needs a reset ({@link #needsReset()}): poll instead of parking.
     *     Reclaiming empties the transmit ring, so the next call returns false unless the device completed more.
     */
    public boolean enableInterrupts() {
        int reclaimed = reclaimTx();
        boolean rx = rxq.enableInterrupts();
        boolean tx = txq.enableInterrupts();
        if (tx) {
            reclaimed += reclaimTx();
        }
        // A device that needs a reset is work too. Its config change notification (§2.1.2) may have been lost, and
        // a device reset behind our back sends none: a driver that slept on the rings alone would never wake, and
        // every frame for it would be dropped unseen by the broken device.
        return rx || reclaimed > 0 || needsReset();
    }

    /** Asks the device not to interrupt (the loop is polling); interrupts may still arrive (§2.7.7). */
    public void disableInterrupts() {
        rxq.disableInterrupts();
        txq.disableInterrupts();
    }

    /** True iff a used receive or transmit buffer is waiting. */
    public boolean hasWork() {
        return rxq.hasUsed() || txq.hasUsed();
    }

    // =============================================================================================================
    // Health

    /**
     * True iff the device set DEVICE_NEEDS_RESET, lost DRIVER_OK (it was reset behind the driver's back), or a queue
     * broke: {@link #reinitialize()} is due.
     */
    public boolean needsReset() {
        int s = device.status();
        // A device that lost DRIVER_OK takes no buffers and completes none: without this check every transmit
        // buffer would stay in flight and no frame would arrive, silently, forever.
        return (s & (STATUS_DEVICE_NEEDS_RESET | STATUS_DRIVER_OK)) != STATUS_DRIVER_OK
                || rxq.isBroken() || txq.isBroken();
    }

    /** Why a reset is needed, or null. */
    public String resetReason() {
        String reason = device.needsResetReason();
        if (reason != null) {
            return "device: " + reason;
        }
        int s = device.status();
        if ((s & STATUS_DRIVER_OK) == 0) {
            return "device: status " + Virtio.statusName(s) + " without DRIVER_OK (reset behind the driver's back)";
        }
        if (rxq.isBroken()) {
            return "receiveq1: " + rxq.brokenReason();
        }
        if (txq.isBroken()) {
            return "transmitq1: " + txq.brokenReason();
        }
        return null;
    }

    /**
     * Resets the device and initializes it again (§3.1, §2.4): features re-negotiated (they must come out the
     * same), rings zeroed, buffers of every outstanding chain back in their pools, receive queue re-stocked.
     * Transmit buffers the stack acquired but did not submit stay with it. Frames in flight are lost, as on any
     * NIC reset.
     *
     * @throws IllegalStateException if the device no longer comes up as before
     */
    public void reinitialize() {
        long again = negotiate(device, config.features());
        if (again != features) {
            throw fail(device, "features changed across reset: " + NetFeatures.names(features) + " then "
                    + NetFeatures.names(again));
        }
        rxq.forEachOutstanding(rxPool::release);
        txq.forEachOutstanding(id -> {
            txSubmitted[id] = false;
            txPool.release(id);
        });
        rxq.reset();
        txq.reset();
        counters.resets++;
        start();
    }

    /** The transmit queue, for tests that play a hostile driver. */
    SplitQueueDriver txQueue() {
        return txq;
    }

    /** The receive queue, for tests that play a hostile device. */
    SplitQueueDriver rxQueue() {
        return rxq;
    }

    @Override
    public String toString() {
        return "VirtioNetDriver[" + NetFeatures.names(features) + ", mtu " + mtu + ", rx " + rxq.size() + " x "
                + rxBufferSize + " B, tx " + txSubmitted.length + "]";
    }
}
