package io.virtaio.netstack.link;

import io.virtaio.virtio.net.VirtioNet;
import io.virtaio.virtio.net.VirtioNetDriver;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stack's NIC interface over the virtio-net driver: a thin, allocation-free adapter. Checksum offload follows
 * what was negotiated: CSUM lets the stack hand partial checksums to the device; GUEST_CSUM lets received frames
 * flagged NEEDS_CSUM or DATA_VALID skip software verification (virtio 1.2 §5.1.6.2.1, §5.1.6.4.1).
 */
public final class VirtioNetLink implements NetDevice, VirtioNetDriver.RxHandler {
    private final VirtioNetDriver driver;
    private final int capabilities;
    private FrameHandler handler;

    public VirtioNetLink(VirtioNetDriver driver) {
        this.driver = driver;
        this.capabilities = (driver.has(VirtioNet.F_CSUM) ? CAP_TX_CSUM : 0)
                | (driver.has(VirtioNet.F_GUEST_CSUM) ? CAP_RX_CSUM : 0);
    }

    public VirtioNetDriver driver() {
        return driver;
    }

    @Override
    public long mac() {
        return driver.mac();
    }

    @Override
    public int mtu() {
        return driver.mtu();
    }

    @Override
    public int capabilities() {
        return capabilities;
    }

    @Override
    public int receive(FrameHandler frameHandler, int budget) {
        this.handler = frameHandler;
        return driver.receive(this, budget);
    }

    /** Driver callback: translate the virtio-net header flags into the stack's one flag. */
    @Override
    public void onFrame(MemorySegment region, long frameOffset, int frameLength, int hdrFlags) {
        int flags = (hdrFlags & (VirtioNet.HDR_F_NEEDS_CSUM | VirtioNet.HDR_F_DATA_VALID)) != 0 ? RX_CSUM_OK : 0;
        handler.onFrame(region, frameOffset, frameLength, flags);
    }

    @Override
    public int txAcquire() {
        return driver.txAcquire();
    }

    @Override
    public MemorySegment txSegment() {
        return driver.region();
    }

    @Override
    public long txFrameOffset(int id) {
        return driver.txFrameOffset(id);
    }

    @Override
    public int txFrameCapacity() {
        return driver.txFrameCapacity();
    }

    @Override
    public int txSubmit(int id, int frameLength, int csumStart, int csumOffset) {
        return driver.txSubmit(id, frameLength, csumStart, csumOffset);
    }

    @Override
    public void txAbort(int id) {
        driver.txAbort(id);
    }

    @Override
    public boolean flush() {
        return driver.flush();
    }

    @Override
    public boolean enableInterrupts() {
        return driver.enableInterrupts();
    }

    @Override
    public void disableInterrupts() {
        driver.disableInterrupts();
    }

    @Override
    public boolean needsReset() {
        return driver.needsReset();
    }

    @Override
    public String resetReason() {
        return driver.resetReason();
    }

    @Override
    public void reinitialize() {
        driver.reinitialize();
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        driver.counters().toMap().forEach((k, v) -> m.put("driver." + k, v));
        driver.device().counters().toMap().forEach((k, v) -> m.put("device." + k, v));
        return m;
    }
}
