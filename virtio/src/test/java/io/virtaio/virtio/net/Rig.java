package io.virtaio.virtio.net;

import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.LoopbackBackend;
import io.virtaio.virtio.mem.GuestMemory;

/** A guest memory, a device on a backend and its driver; a small driving loop for single-threaded tests. */
final class Rig implements AutoCloseable {
    final GuestMemory guest;
    final VirtioNetDevice device;
    final VirtioNetDriver driver;

    Rig(long memoryBytes, VirtioNetDevice.Config deviceConfig, VirtioNetDriver.Config driverConfig, Backend backend) {
        this.guest = GuestMemory.allocate(memoryBytes);
        this.device = new VirtioNetDevice(guest, deviceConfig, backend);
        this.driver = VirtioNetDriver.attach(device, guest, driverConfig);
    }

    static Rig loopback() {
        return loopback(VirtioNetDevice.Config.defaults(), VirtioNetDriver.Config.defaults());
    }

    static Rig loopback(VirtioNetDevice.Config deviceConfig, VirtioNetDriver.Config driverConfig) {
        return new Rig(8 << 20, deviceConfig, driverConfig, new LoopbackBackend());
    }

    /** Acquires a buffer, writes frame {@code k} of {@code length} bytes and submits it (not yet flushed). */
    int sendTestFrame(long k, int length) {
        int id = driver.txAcquire();
        if (id < 0) {
            return -1;
        }
        TestFrames.write(driver.region(), driver.txFrameOffset(id), k, length);
        return driver.txSubmit(id, length, -1, 0);
    }

    @Override
    public void close() {
        device.setStatus(0);
        guest.close();
    }
}
