package io.virtaio.virtio.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.virtaio.virtio.Virtio;
import io.virtaio.virtio.net.VirtioNet;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel ABI as <linux/if_tun.h> spells it on x86-64 (the numbers strace prints), the offload mapping, and the
 * checks made before any system call. Runs anywhere: nothing here opens /dev/net/tun.
 */
class TunAbiTest {
    @Test
    void ioctlNumbersAreThoseOfIfTunH() {
        assertEquals(0x400454CAL, Tun.TUNSETIFF);
        assertEquals(0x800454CFL, Tun.TUNGETFEATURES);
        assertEquals(0x400454D0L, Tun.TUNSETOFFLOAD);
        assertEquals(0x800454D2L, Tun.TUNGETIFF);
        assertEquals(0x800454D7L, Tun.TUNGETVNETHDRSZ);
        assertEquals(0x400454D8L, Tun.TUNSETVNETHDRSZ);
        assertEquals(0x400454DCL, Tun.TUNSETVNETLE);
    }

    @Test
    void offloadsFollowTheDriversReceiveFeaturesOnly() {
        long all = VirtioNetDriver.Config.DEFAULT_FEATURES;
        assertEquals(Tun.TUN_F_CSUM, TapOffloads.forFeatures(all));
        // CSUM is the device's transmit offload: it says nothing about what the driver may receive.
        assertEquals(0, TapOffloads.forFeatures(all & ~Virtio.bit(VirtioNet.F_GUEST_CSUM)));
        assertEquals(0, TapOffloads.forFeatures(Virtio.bit(VirtioNet.F_CSUM)));
        long tso = Virtio.bit(VirtioNet.F_GUEST_CSUM) | Virtio.bit(VirtioNet.F_GUEST_TSO4)
                | Virtio.bit(VirtioNet.F_GUEST_TSO6) | Virtio.bit(VirtioNet.F_GUEST_ECN);
        assertEquals(Tun.TUN_F_CSUM | Tun.TUN_F_TSO4 | Tun.TUN_F_TSO6 | Tun.TUN_F_TSO_ECN, TapOffloads.forFeatures(tso));
        // tun.c set_offload() refuses TSO without CSUM (EINVAL); GUEST_TSO4 without GUEST_CSUM maps to nothing.
        assertEquals(0, TapOffloads.forFeatures(Virtio.bit(VirtioNet.F_GUEST_TSO4)));
    }

    @Test
    void todaysDeviceCanOnlyEverAskForChecksumOffload() {
        assertEquals(Tun.TUN_F_CSUM, TapOffloads.forFeatures(VirtioNetDevice.Config.SUPPORTED));
    }

    @Test
    void offloadNamesReadLikeTheFlags() {
        assertEquals("none", Tun.offloadNames(0));
        assertEquals("CSUM|TSO4", Tun.offloadNames(Tun.TUN_F_CSUM | Tun.TUN_F_TSO4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sixteen-chars-xx", "a/b", "a b", "a:b", "tap\u00e9"})
    void badInterfaceNamesAreRefusedBeforeAnySystemCall(String name) {
        assertThrows(IllegalArgumentException.class, () -> TapBackend.open(name));
    }

    @Test
    void errnoNamesAndCounterSlots() {
        assertEquals("EINVAL", LinuxErrno.name(22));
        assertEquals("EBADFD", LinuxErrno.name(77));
        assertEquals("errno 200", LinuxErrno.name(200));
        TapCounters c = new TapCounters();
        TapCounters.countErrno(c.txErrors, LinuxErrno.EIO);
        TapCounters.countErrno(c.txErrors, 9999);
        assertEquals(1, c.txErrors(LinuxErrno.EIO));
        assertEquals(2, c.txErrors());
        assertEquals(1L, c.toMap().get("tx.error.other"));
    }
}
