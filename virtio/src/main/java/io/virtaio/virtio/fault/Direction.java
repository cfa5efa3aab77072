package io.virtaio.virtio.fault;

import io.virtaio.virtio.backend.PcapWriter;

/** The two independent directions of a {@link FaultStage}, named from the device's side. */
public enum Direction {
    /** Frames the device transmits, on their way to the wrapped backend. SPEC prefix {@code tx.}. */
    EGRESS("tx", PcapWriter.OUTBOUND),
    /** Frames the wrapped backend delivers to the device. SPEC prefix {@code rx.}. */
    INGRESS("rx", PcapWriter.INBOUND);

    private final String prefix;
    private final int pcapDirection;

    Direction(String prefix, int pcapDirection) {
        this.prefix = prefix;
        this.pcapDirection = pcapDirection;
    }

    /** {@code tx} or {@code rx}: the SPEC prefix and the tag in frame names ({@code tx#12}). */
    public String prefix() {
        return prefix;
    }

    /** pcapng epb_flags direction of this direction's frames. */
    int pcapDirection() {
        return pcapDirection;
    }
}
