package io.virtaio.virtio.tap;

import io.virtaio.virtio.Virtio;
import io.virtaio.virtio.net.VirtioNet;

/**
 * Which TUNSETOFFLOAD flags a driver's negotiated features allow. The offloads of a TAP decide what the kernel may
 * hand to user space, so they follow what the driver's receive path accepts — the GUEST_* features — and nothing
 * else, as QEMU's {@code virtio_net_apply_guest_offloads} maps them for its TAP peer.
 */
public final class TapOffloads {
    private TapOffloads() {
    }

    /**
     * TUN_F_CSUM with GUEST_CSUM (partial checksums may reach the driver, virtio 1.2 §5.1.6.4), and the segmentation
     * offloads with their GUEST_ features (each of which requires GUEST_CSUM, §5.1.3.1, as tun.c's set_offload
     * requires TUN_F_CSUM for them). Today's device model offers no GUEST_TSO/UFO, so only TUN_F_CSUM can come
     * out: the kernel then segments and sends MTU-sized frames.
     */
    public static int forFeatures(long features) {
        if (!Virtio.has(features, VirtioNet.F_GUEST_CSUM)) {
            return 0;
        }
        int flags = Tun.TUN_F_CSUM;
        if (Virtio.has(features, VirtioNet.F_GUEST_TSO4)) {
            flags |= Tun.TUN_F_TSO4;
        }
        if (Virtio.has(features, VirtioNet.F_GUEST_TSO6)) {
            flags |= Tun.TUN_F_TSO6;
        }
        if (Virtio.has(features, VirtioNet.F_GUEST_ECN)) {
            flags |= Tun.TUN_F_TSO_ECN;
        }
        if (Virtio.has(features, VirtioNet.F_GUEST_UFO)) {
            flags |= Tun.TUN_F_UFO;
        }
        return flags;
    }
}
