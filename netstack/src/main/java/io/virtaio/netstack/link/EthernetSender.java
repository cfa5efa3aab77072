package io.virtaio.netstack.link;

import io.virtaio.netstack.wire.EthernetFrame;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * Puts Ethernet II frames (RFC 894) on a {@link NetDevice}, in place in its transmit buffers, and counts them: the
 * one way every layer of the stack transmits.
 *
 * <p>Frames shorter than the 60-byte Ethernet minimum are not padded: like Linux's virtio-net driver, the stack
 * leaves that to whatever puts the frame on a physical medium. Thread: the stack's. Allocation-free.
 */
public final class EthernetSender {
    private final NetDevice device;
    private final long mac;
    private boolean unflushed;
    private final EthernetFrame frame = new EthernetFrame();
    private long frames;
    private long bytes;
    private long noBuffer;
    private long refused;

    public EthernetSender(NetDevice device) {
        this.device = device;
        this.mac = device.mac();
    }

    /** Our MAC address: the source of every frame. */
    public long mac() {
        return mac;
    }

    /** A free transmit buffer's id, or -1 (counted) when every buffer is in flight. */
    public int acquire() {
        int id = device.txAcquire();
        if (id < 0) {
            noBuffer++;
        }
        return id;
    }

    /** The segment transmit buffers live in. */
    public MemorySegment segment() {
        return device.txSegment();
    }

    /** Where buffer {@code id}'s frame (its Ethernet header) starts in {@link #segment()}. */
    public long frameOffset(int id) {
        return device.txFrameOffset(id);
    }

    /** Writes the Ethernet header of buffer {@code id}: {@code dst}, our address, {@code etherType}. */
    public void writeHeader(int id, long dst, int etherType) {
        frame.wrap(device.txSegment(), device.txFrameOffset(id), EthernetFrame.HEADER_LENGTH);
        frame.setDst(dst);
        frame.setSrc(mac);
        frame.setEtherType(etherType);
    }

    /**
     * Queues buffer {@code id} with a frame of {@code length} bytes; see {@link NetDevice#txSubmit} for the
     * checksum arguments ({@code csumStart < 0}: complete as it is).
     *
     * @return whether the device took it (a refusal is counted)
     */
    public boolean submit(int id, int length, int csumStart, int csumOffset) {
        if (device.txSubmit(id, length, csumStart, csumOffset) < 0) {
            refused++;
            return false;
        }
        frames++;
        bytes += length;
        unflushed = true;
        return true;
    }

    /** Times a transmit buffer was wanted and none was free (the device is behind). */
    public long noBufferCount() {
        return noBuffer;
    }

    /** True if frames were submitted since the last {@link #flush()}: the device has not been told yet. */
    public boolean hasUnflushed() {
        return unflushed;
    }

    /** Publishes submitted frames to the device (and re-posted receive buffers). */
    public void flush() {
        unflushed = false;
        device.flush();
    }

    /** Releases buffer {@code id} unsent. */
    public void abort(int id) {
        device.txAbort(id);
    }

    /** Adds {@code eth.tx.*} counters to {@code into}. */
    public void putCounters(Map<String, Long> into) {
        into.put("eth.tx.frames", frames);
        into.put("eth.tx.bytes", bytes);
        into.put("eth.tx.drop.no_buffer", noBuffer);
        into.put("eth.tx.drop.refused", refused);
    }
}
