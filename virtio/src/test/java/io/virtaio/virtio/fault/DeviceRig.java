package io.virtaio.virtio.fault;

import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.LoopbackBackend;
import io.virtaio.virtio.mem.GuestMemory;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import java.lang.foreign.MemorySegment;

/** A device on a loopback behind {@link DeviceFaults}, its driver, and a loop that steps both as a host would. */
final class DeviceRig implements AutoCloseable {
    final GuestMemory guest = GuestMemory.allocate(8 << 20);
    final DeviceFaults faults;
    final VirtioNetDevice device;
    final VirtioNetDriver driver;
    long interrupts;
    long received;
    /** Why the driver last had to re-initialize the device, as it said just before doing so. */
    String lastResetReason;
    long nowNs;

    DeviceRig(DeviceFaultPlan plan, long seed) {
        this(plan, seed, new LoopbackBackend());
    }

    DeviceRig(DeviceFaultPlan plan, long seed, Backend inner) {
        faults = new DeviceFaults(inner, plan, seed);
        device = new VirtioNetDevice(guest, VirtioNetDevice.Config.defaults(), faults);
        driver = VirtioNetDriver.attach(device, guest,
                VirtioNetDriver.Config.defaults().withOnInterrupt(() -> interrupts++));
    }

    /** Sends {@code n} frames of 60 bytes (fewer if transmit buffers run out); returns how many were submitted. */
    int send(int n) {
        int sent = 0;
        for (int i = 0; i < n; i++) {
            int id = driver.txAcquire();
            if (id < 0) {
                break;
            }
            MemorySegment r = driver.region();
            long off = driver.txFrameOffset(id);
            for (int b = 0; b < 60; b++) {
                r.set(java.lang.foreign.ValueLayout.JAVA_BYTE, off + b, (byte) (b == 12 ? 0x88 : b == 13 ? 0xB5 : 2));
            }
            driver.txSubmit(id, 60, -1, 0);
            sent++;
        }
        driver.flush();
        return sent;
    }

    /** One host poll at {@code at}: recover if needed, receive, transmit, then the backend's timed work. */
    long poll(long at) {
        nowNs = at;
        if (driver.needsReset()) {
            lastResetReason = driver.resetReason();
            driver.reinitialize();
        }
        received += driver.receive((region, off, len, flags) -> { }, 256);
        device.pollTx(at, 256);
        long next = faults.poll(at);
        driver.reclaimTx();
        return Math.min(next, device.txReadyAt(at));
    }

    @Override
    public void close() {
        device.setStatus(0);
        guest.close();
    }
}
