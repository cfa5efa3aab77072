package io.virtaio.virtio.net;

import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.FrameSink;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** A backend that keeps a copy of every frame the device transmits, and can inject frames towards the device. */
final class RecordingBackend implements Backend {
    record Frame(byte[] hdr, byte[] frame, boolean inPlace, long nowNs) {
    }

    final List<Frame> frames = new ArrayList<>();
    MemorySegment guestRegion;
    FrameSink device;
    int flushes;
    /** What {@link #featuresNegotiated} was last told; -1 before. */
    long negotiated = -1;
    Runnable onAccept = () -> { };

    @Override
    public void featuresNegotiated(long features) {
        negotiated = features;
    }

    @Override
    public void connect(FrameSink toDevice) {
        device = toDevice;
    }

    @Override
    public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
        onAccept.run();
        byte[] h = hdr.asSlice(0, VirtioNet.HDR_SIZE).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        byte[] f = frame.asSlice(frameOff, frameLen).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        frames.add(new Frame(h, f, frame == guestRegion, nowNs));
        return OK;
    }

    @Override
    public void flush(long nowNs) {
        flushes++;
    }

    /** Offers a frame to the device with a header of the given flags and checksum offsets, then flushes. */
    int inject(int flags, int gsoType, int csumStart, int csumOffset, byte[] frame) {
        MemorySegment hdr = MemorySegment.ofArray(new byte[VirtioNet.HDR_SIZE]);
        hdr.set(java.lang.foreign.ValueLayout.JAVA_BYTE, VirtioNet.HDR_FLAGS, (byte) flags);
        hdr.set(java.lang.foreign.ValueLayout.JAVA_BYTE, VirtioNet.HDR_GSO_TYPE, (byte) gsoType);
        hdr.set(VirtioNet.LE16, VirtioNet.HDR_CSUM_START, (short) csumStart);
        hdr.set(VirtioNet.LE16, VirtioNet.HDR_CSUM_OFFSET, (short) csumOffset);
        int r = device.accept(hdr, MemorySegment.ofArray(frame), 0, frame.length, 0);
        device.flush(0);
        return r;
    }
}
