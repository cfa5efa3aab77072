package io.virtaio.virtio.net;

import io.virtaio.virtio.queue.Violation;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a {@link VirtioNetDevice} did. Transmit counters are written only by the thread running
 * {@link VirtioNetDevice#pollTx}, receive counters only by the thread delivering frames, control counters only under
 * the device's lock; events any thread may raise (needs-reset, configuration changes, internal errors) are atomic. Any thread may read at
 * any time and sees recent values, with no ordering promised between counters.
 */
public final class DeviceCounters {
    /** Why a frame was dropped; transmit reasons start with TX, receive reasons with RX. */
    public enum Drop {
        /** Transmitted frame shorter than an Ethernet header. */
        TX_RUNT,
        /** Transmitted frame longer than MTU + 14 without GSO. */
        TX_OVERSIZE,
        /** DATA_VALID or RSC_INFO set on transmit: receive-only flags (§5.1.6.2.1). */
        TX_BAD_FLAGS,
        /** NEEDS_CSUM without VIRTIO_NET_F_CSUM negotiated (§5.1.6.2.1). */
        TX_CSUM_NOT_NEGOTIATED,
        /** NEEDS_CSUM with csum_start + csum_offset + 2 beyond the frame. */
        TX_BAD_CSUM_OFFSETS,
        /** A gso_type other than NONE without the matching HOST_TSO/UFO feature. */
        TX_GSO_NOT_NEGOTIATED,
        /** Transmitted while the link was down (the chain is completed, the frame goes nowhere, as in QEMU). */
        TX_LINK_DOWN,
        /** The backend refused the frame (its own counters say why). */
        TX_BACKEND,
        /** Frame arrived while the device was not DRIVER_OK, needed a reset or had failed. */
        RX_NOT_READY,
        /** Frame arrived while the link was down. */
        RX_LINK_DOWN,
        /** No receive buffer posted. */
        RX_NO_BUFFER,
        /** Frame larger than the posted buffer or than the negotiated MTU. */
        RX_TOO_BIG,
        /** The receive queue is broken. */
        RX_BROKEN,
        /** A header the driver cannot be given (GSO not negotiated, bad checksum offsets) or a runt. */
        RX_BAD_HEADER;

        /** Lower-case name for maps and logs, e.g. "tx_runt". */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    long txFrames;
    long txBytes;
    long txChains;
    long txInterrupts;
    long rxFrames;
    long rxBytes;
    long rxInterrupts;
    long rxChecksumsCompleted;
    long rxRoomWaits;
    long kicks;
    long resets;
    long statusWritesIgnored;
    long featuresRefused;
    final AtomicLong configChanges = new AtomicLong();
    final AtomicLong needsReset = new AtomicLong();
    final AtomicLong internalErrors = new AtomicLong();
    final long[] drops = new long[Drop.values().length];
    /** By {@link Violation} ordinal; either data path may break its queue, so atomic (they are rare). */
    final AtomicLongArray violations = new AtomicLongArray(Violation.values().length);

    /** Frames handed to the backend. */
    public long txFrames() {
        return txFrames;
    }

    /** Frame bytes handed to the backend (virtio-net headers not counted). */
    public long txBytes() {
        return txBytes;
    }

    /** Transmit chains taken from the ring, whatever became of them. */
    public long txChains() {
        return txChains;
    }

    /** Frames written into receive buffers. */
    public long rxFrames() {
        return rxFrames;
    }

    /** Frame bytes written into receive buffers (headers not counted). */
    public long rxBytes() {
        return rxBytes;
    }

    /** Partial checksums the device completed for a driver without GUEST_CSUM. */
    public long rxChecksumsCompleted() {
        return rxChecksumsCompleted;
    }

    /** Used-buffer notifications sent to the driver: transmit queue. */
    public long txInterrupts() {
        return txInterrupts;
    }

    /** Used-buffer notifications sent to the driver: receive queue. */
    public long rxInterrupts() {
        return rxInterrupts;
    }

    /** Times a sender that found no receive buffer waited for the driver to post some (backpressure). */
    public long rxRoomWaits() {
        return rxRoomWaits;
    }

    /** Available-buffer notifications (kicks) received from the driver. */
    public long kicks() {
        return kicks;
    }

    /** Configuration change notifications sent. */
    public long configChanges() {
        return configChanges.get();
    }

    /** Device resets (status written 0). */
    public long resets() {
        return resets;
    }

    /** Status writes ignored as out of order (see {@link VirtioNetDevice#setStatus}). */
    public long statusWritesIgnored() {
        return statusWritesIgnored;
    }

    /** FEATURES_OK writes refused. */
    public long featuresRefused() {
        return featuresRefused;
    }

    /** Times DEVICE_NEEDS_RESET was set. */
    public long needsReset() {
        return needsReset.get();
    }

    /** Unexpected exceptions caught on a data path (each also sets DEVICE_NEEDS_RESET). */
    public long internalErrors() {
        return internalErrors.get();
    }

    public long drops(Drop reason) {
        return drops[reason.ordinal()];
    }

    /**
     * Queues broken by the driver breaking {@code rule} (one of those {@link Violation#checkedByDevice checked by the
     * device}); each also set DEVICE_NEEDS_RESET. Kept across resets, which replace the queues.
     */
    public long violations(Violation rule) {
        return violations.get(rule.ordinal());
    }

    /** All drops, both directions. */
    public long drops() {
        long sum = 0;
        for (long d : drops) {
            sum += d;
        }
        return sum;
    }

    /**
     * Every counter by name (zeros included, so the key set is stable), drops as "drop_" + reason, queues broken by
     * the driver as "violation_" + rule.
     */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("tx_frames", txFrames);
        m.put("tx_bytes", txBytes);
        m.put("tx_chains", txChains);
        m.put("tx_interrupts", txInterrupts);
        m.put("rx_frames", rxFrames);
        m.put("rx_bytes", rxBytes);
        m.put("rx_interrupts", rxInterrupts);
        m.put("rx_checksums_completed", rxChecksumsCompleted);
        m.put("rx_room_waits", rxRoomWaits);
        m.put("kicks", kicks);
        m.put("config_changes", configChanges.get());
        m.put("resets", resets);
        m.put("status_writes_ignored", statusWritesIgnored);
        m.put("features_refused", featuresRefused);
        m.put("needs_reset", needsReset.get());
        m.put("internal_errors", internalErrors.get());
        for (Drop d : Drop.values()) {
            m.put("drop_" + d.key(), drops[d.ordinal()]);
        }
        for (Violation v : Violation.values()) {
            if (v.checkedByDevice()) {
                m.put("violation_" + v.key(), violations.get(v.ordinal()));
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
