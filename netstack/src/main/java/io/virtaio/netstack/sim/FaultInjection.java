package io.virtaio.netstack.sim;

import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.PcapWriter;
import io.virtaio.virtio.fault.DeviceFaults;
import io.virtaio.virtio.fault.FaultSchedule;
import io.virtaio.virtio.fault.FaultSpec;
import io.virtaio.virtio.fault.FaultStage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Puts a {@link FaultSpec} on the link of a {@link TransferScenario}: host A's backend is wrapped in a
 * {@link FaultStage} (network faults, both directions of the link, so each direction is impaired once) and, when
 * the spec has device-level faults, in {@link DeviceFaults} outermost. Host B is left alone. The stage's randomness
 * comes from the run's seed, its time from the simulation.
 */
public final class FaultInjection implements TransferScenario.Impairment {
    private final FaultSpec spec;
    private final FaultSchedule schedule;
    private final int mtu;
    private final PcapWriter capture;
    private FaultStage stage;
    private DeviceFaults deviceFaults;

    /**
     * @param capture pcapng writer for host A's side of the link, fault events marked in frame comments; or null
     */
    public FaultInjection(FaultSpec spec, FaultSchedule schedule, int mtu, PcapWriter capture) {
        this.spec = spec;
        this.schedule = schedule;
        this.mtu = mtu;
        this.capture = capture;
    }

    /** Network faults only, no schedule, no capture. */
    public static FaultInjection of(String spec, int mtu) {
        return new FaultInjection(FaultSpec.parse(spec), FaultSchedule.NONE, mtu, null);
    }

    @Override
    public Backend wrap(int host, long seed, Backend backend) {
        if (host != 0) {
            return backend;
        }
        // 64 KiB frames need big hold slots; fewer of them keep the stage's memory bounded (~16 MiB either way).
        int frame = mtu + 14;
        int slots = Math.max(64, Math.min(512, (16 << 20) / frame));
        FaultStage.Options options = FaultStage.Options.defaults().withMaxFrameBytes(frame).withHoldSlots(slots)
                .withSchedule(schedule);
        stage = new FaultStage(backend, spec.network(), seed, options);
        if (capture != null) {
            stage.capture(capture);
        }
        if (!spec.hasDeviceFaults()) {
            return stage;
        }
        deviceFaults = new DeviceFaults(stage, spec.device(), seed ^ 0x5DEECE66DL);
        return deviceFaults;
    }

    public FaultStage stage() {
        return stage;
    }

    /** The device-level fault injector, or null when the spec has none. */
    public DeviceFaults deviceFaults() {
        return deviceFaults;
    }

    /** Every injected fault, counted by kind and direction (and device-level faults, if any). */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        if (stage != null) {
            stage.toMap().forEach((k, v) -> m.put("fault." + k, v));
        }
        if (deviceFaults != null) {
            deviceFaults.counters().forEach((k, v) -> m.put("device_fault." + k, v));
        }
        return m;
    }

    /** The stage's running digest of every fault event (0 before the run). */
    public long eventDigest() {
        return stage == null ? 0 : stage.digest();
    }
}
