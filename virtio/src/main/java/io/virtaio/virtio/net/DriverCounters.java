package io.virtaio.virtio.net;

import io.virtaio.virtio.queue.QueueCounters;
import io.virtaio.virtio.queue.Violation;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a {@link VirtioNetDriver} did. Written only by the driver's thread; other threads may read at any time and
 * see recent values, with no ordering promised.
 */
public final class DriverCounters {
    /** Why the driver dropped something. */
    public enum Drop {
        /** Used length shorter than header + Ethernet header (§5.1.6.4: the driver trusts no byte beyond len). */
        RX_RUNT,
        /** Used length longer than the buffer posted (caught here even under UsedLenPolicy.CLAMP). */
        RX_TOO_LONG,
        /** No free transmit buffer when the stack asked for one. */
        TX_NO_BUFFER;

        /** Lower-case name for maps and logs, e.g. "rx_runt". */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    long rxFrames;
    long rxBytes;
    long txFrames;
    long txBytes;
    long txCompleted;
    long kicks;
    long resets;
    long rxFlagsIgnored;
    final long[] drops = new long[Drop.values().length];
    /** The driver's two queues (reset in place, never replaced): they count what the device broke. */
    private final QueueCounters rxQueue;
    private final QueueCounters txQueue;

    DriverCounters(QueueCounters rxQueue, QueueCounters txQueue) {
        this.rxQueue = rxQueue;
        this.txQueue = txQueue;
    }

    /** Frames handed to the receive handler. */
    public long rxFrames() {
        return rxFrames;
    }

    /** Frame bytes handed to the receive handler (headers not counted). */
    public long rxBytes() {
        return rxBytes;
    }

    /** Frames submitted for transmission. */
    public long txFrames() {
        return txFrames;
    }

    /** Frame bytes submitted for transmission (headers not counted). */
    public long txBytes() {
        return txBytes;
    }

    /** Transmit buffers the device completed and the driver reclaimed. */
    public long txCompleted() {
        return txCompleted;
    }

    /** Flushes that notified the device. */
    public long kicks() {
        return kicks;
    }

    /** Re-initializations after a device error. */
    public long resets() {
        return resets;
    }

    /** Receive headers carrying checksum flags without GUEST_CSUM negotiated; the flags were not believed. */
    public long rxFlagsIgnored() {
        return rxFlagsIgnored;
    }

    public long drops(Drop reason) {
        return drops[reason.ordinal()];
    }

    /**
     * Queues the driver found broken by the device breaking {@code rule} (one of those not
     * {@link Violation#checkedByDevice checked by the device}), both queues; each called for a reset.
     */
    public long violations(Violation rule) {
        return rxQueue.violations(rule) + txQueue.violations(rule);
    }

    /** Every counter by name, zeros included; drops as "drop_" + reason, broken queues as "violation_" + rule. */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("rx_frames", rxFrames);
        m.put("rx_bytes", rxBytes);
        m.put("tx_frames", txFrames);
        m.put("tx_bytes", txBytes);
        m.put("tx_completed", txCompleted);
        m.put("kicks", kicks);
        m.put("resets", resets);
        m.put("rx_flags_ignored", rxFlagsIgnored);
        for (Drop d : Drop.values()) {
            m.put("drop_" + d.key(), drops[d.ordinal()]);
        }
        for (Violation v : Violation.values()) {
            if (!v.checkedByDevice()) {
                m.put("violation_" + v.key(), violations(v));
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
