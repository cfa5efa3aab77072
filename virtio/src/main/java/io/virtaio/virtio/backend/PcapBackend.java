package io.virtaio.virtio.backend;

import io.virtaio.virtio.net.InternetChecksum;
import io.virtaio.virtio.net.VirtioNet;
import io.virtaio.virtio.queue.Doorbell;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Records every frame a device sends and receives to a {@link PcapWriter}, and otherwise is the backend it wraps:
 * {@code new PcapBackend(wire.a(), writer)}. The capture holds Ethernet frames only (no virtio-net header), with
 * the {@code nowNs} of each call as timestamp; in pcapng each frame is marked outbound or inbound. Frames are
 * recorded before the next stage sees them, so inbound frames the device then drops are in the capture too, as on
 * a real interface.
 *
 * <p>A frame handed over with NEEDS_CSUM carries only the pseudo-header sum in its checksum field until the next hop
 * completes it (virtio 1.2 §5.1.6.2). {@link Checksums#AS_HANDED} records it like that, as tcpdump shows offloaded
 * traffic on Linux; {@link Checksums#COMPLETED} records the frame as it will be on a wire, with the checksum
 * completed in the recorded copy, so that Wireshark's checksum validation reads a clean capture.
 *
 * <p>A write error stops the capture (counted in {@link #counters()} as dropped), never the traffic.
 * {@link #close()} closes the wrapped backend and the writer.
 *
 * <p>Threads: each direction is recorded on the thread that drives it (the device's transmit thread outbound, the
 * inner backend's delivering thread inbound — a TAP's reader); the writer serializes the records.
 */
public final class PcapBackend implements Backend {
    /** What the capture shows of a frame whose header says NEEDS_CSUM. */
    public enum Checksums {
        /** The frame as handed over: the checksum field holds the partial (pseudo-header) sum. */
        AS_HANDED,
        /** The frame as it leaves the next hop: the checksum completed in the recorded copy. */
        COMPLETED
    }

    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Backend inner;
    private final PcapWriter writer;
    /** Per direction (each used by one thread): where a frame is copied to complete its checksum; null if AS_HANDED. */
    private final MemorySegment outboundScratch;
    private final MemorySegment inboundScratch;
    /** Frames recorded: outbound (from the device) as frames, inbound as delivered; failed writes as dropped. */
    private final BackendCounters counters = new BackendCounters();
    private final FrameSink inbound = new Inbound();
    private FrameSink device = Sinks.NOT_CONNECTED;
    private volatile IOException failure;

    /** Records frames as handed over ({@link Checksums#AS_HANDED}). */
    public PcapBackend(Backend inner, PcapWriter writer) {
        this(inner, writer, Checksums.AS_HANDED);
    }

    /**
     * Records the frames of {@code inner} to {@code writer}; with {@link Checksums#COMPLETED}, two scratch buffers
     * of {@link PcapWriter#SNAPLEN} bytes are allocated here, once.
     */
    public PcapBackend(Backend inner, PcapWriter writer, Checksums checksums) {
        if (inner == null || writer == null || checksums == null) {
            throw new IllegalArgumentException("inner backend, writer and checksum mode are required");
        }
        this.inner = inner;
        this.writer = writer;
        if (checksums == Checksums.COMPLETED) {
            Arena arena = Arena.ofAuto();
            this.outboundScratch = arena.allocate(PcapWriter.SNAPLEN, 64);
            this.inboundScratch = arena.allocate(PcapWriter.SNAPLEN, 64);
        } else {
            this.outboundScratch = null;
            this.inboundScratch = null;
        }
    }

    @Override
    public void connect(FrameSink toDevice) {
        if (device != Sinks.NOT_CONNECTED) {
            throw new IllegalStateException("pcap backend already connected");
        }
        device = toDevice;
        inner.connect(inbound);
    }

    @Override
    public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
        if (record(hdr, frame, frameOff, frameLen, nowNs, PcapWriter.OUTBOUND, outboundScratch)) {
            counters.frames++;
            counters.bytes += frameLen;
        }
        return inner.accept(hdr, frame, frameOff, frameLen, nowNs);
    }

    @Override
    public void flush(long nowNs) {
        inner.flush(nowNs);
    }

    @Override
    public long txReadyAt(long nowNs) {
        return inner.txReadyAt(nowNs);
    }

    @Override
    public long poll(long nowNs) {
        return inner.poll(nowNs);
    }

    @Override
    public void featuresNegotiated(long features) {
        inner.featuresNegotiated(features);
    }

    @Override
    public void setWakeup(Doorbell wakeup) {
        inner.setWakeup(wakeup);
    }

    private boolean record(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs,
                           int direction, MemorySegment scratch) {
        if (failure != null) {
            return false;
        }
        MemorySegment recorded = frame;
        long recordedOff = frameOff;
        if (scratch != null && completeChecksum(hdr, frame, frameOff, frameLen, scratch)) {
            recorded = scratch;
            recordedOff = 0;
        }
        try {
            writer.write(nowNs, recorded, recordedOff, frameLen, direction, null);
            return true;
        } catch (IOException e) {
            failure = e;
            counters.dropped++;
            return false;
        }
    }

    /**
     * Copies a NEEDS_CSUM frame into {@code scratch} with its checksum completed (virtio 1.2 §5.1.6.2: the ones'
     * complement sum from csum_start to the end, stored at csum_start + csum_offset; 0 goes out as 0xFFFF for UDP
     * only: {@link InternetChecksum#completedField}). False, and nothing copied, for any other frame, or one whose
     * offsets do not fit (recorded as handed over; the receiver judges it).
     */
    private static boolean completeChecksum(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen,
                                            MemorySegment scratch) {
        if ((hdr.get(ValueLayout.JAVA_BYTE, VirtioNet.HDR_FLAGS) & VirtioNet.HDR_F_NEEDS_CSUM) == 0
                || frameLen > scratch.byteSize()) {
            return false;
        }
        int start = Short.toUnsignedInt(hdr.get(VirtioNet.LE16, VirtioNet.HDR_CSUM_START));
        int csumOffset = Short.toUnsignedInt(hdr.get(VirtioNet.LE16, VirtioNet.HDR_CSUM_OFFSET));
        int field = start + csumOffset;
        if (field + 2 > frameLen) {
            return false;
        }
        MemorySegment.copy(frame, frameOff, scratch, 0, frameLen);
        int sum = InternetChecksum.checksum(scratch, start, frameLen - start);
        scratch.set(BE16, field, (short) InternetChecksum.completedField(sum, csumOffset));
        return true;
    }

    /** The write error that stopped the capture, or null. */
    public IOException failure() {
        return failure;
    }

    /** frames/bytes: outbound frames recorded; delivered/deliveredBytes: inbound frames recorded. */
    public BackendCounters counters() {
        return counters;
    }

    public Backend inner() {
        return inner;
    }

    public PcapWriter writer() {
        return writer;
    }

    @Override
    public void close() {
        try {
            inner.close();
        } finally {
            try {
                writer.close();
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    /** The wrapped backend's frames towards the device pass here. */
    private final class Inbound implements FrameSink {
        /** The next frame is one the device refused for lack of buffers, offered again: recorded already. */
        private boolean offeredAgain;

        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            if (offeredAgain) {
                offeredAgain = false;
            } else if (record(hdr, frame, frameOff, frameLen, nowNs, PcapWriter.INBOUND, inboundScratch)) {
                counters.delivered++;
                counters.deliveredBytes += frameLen;
            }
            return device.accept(hdr, frame, frameOff, frameLen, nowNs);
        }

        @Override
        public void flush(long nowNs) {
            device.flush(nowNs);
        }

        /** A sender that waits for room offers the refused frame again: it is in the capture once. */
        @Override
        public boolean notifyWhenRoom(Doorbell doorbell) {
            offeredAgain = true;
            return device.notifyWhenRoom(doorbell);
        }
    }
}
