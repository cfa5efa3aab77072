package io.virtaio.virtio.tap;

/**
 * The Linux TUN/TAP ABI the backend uses: ioctl numbers, interface flags and offload flags from
 * {@code <linux/if_tun.h>}, and the layout of {@code struct ifreq} from {@code <linux/if.h>} (netdevice(7)).
 *
 * <p>Ioctl numbers are built the way {@code <asm-generic/ioctl.h>} builds them, so each constant below shows its
 * C definition: {@code _IOW('T', 202, int)} is direction (write = 1, read = 2) in bits 30-31, the argument size in
 * bits 16-29, the type in bits 8-15 and the number in bits 0-7.
 */
public final class Tun {
    private Tun() {
    }

    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;
    private static final int T = 'T';
    private static final int SIZEOF_INT = 4;

    /** {@code _IOC(dir, type, nr, size)} of {@code <asm-generic/ioctl.h>}. */
    static long ioc(int dir, int type, int nr, int size) {
        return (long) dir << 30 | (long) size << 16 | (long) type << 8 | nr;
    }

    /** {@code #define TUNSETIFF _IOW('T', 202, int)} = 0x400454CA: create or attach, takes a struct ifreq. */
    public static final long TUNSETIFF = ioc(IOC_WRITE, T, 202, SIZEOF_INT);
    /** {@code #define TUNGETFEATURES _IOR('T', 207, unsigned int)} = 0x800454CF: the IFF_ flags TUNSETIFF knows. */
    public static final long TUNGETFEATURES = ioc(IOC_READ, T, 207, SIZEOF_INT);
    /** {@code #define TUNSETOFFLOAD _IOW('T', 208, unsigned int)} = 0x400454D0: TUN_F_ flags, by value. */
    public static final long TUNSETOFFLOAD = ioc(IOC_WRITE, T, 208, SIZEOF_INT);
    /** {@code #define TUNGETIFF _IOR('T', 210, unsigned int)} = 0x800454D2. */
    public static final long TUNGETIFF = ioc(IOC_READ, T, 210, SIZEOF_INT);
    /** {@code #define TUNGETVNETHDRSZ _IOR('T', 215, int)} = 0x800454D7. */
    public static final long TUNGETVNETHDRSZ = ioc(IOC_READ, T, 215, SIZEOF_INT);
    /** {@code #define TUNSETVNETHDRSZ _IOW('T', 216, int)} = 0x400454D8: takes an int*. */
    public static final long TUNSETVNETHDRSZ = ioc(IOC_WRITE, T, 216, SIZEOF_INT);
    /** {@code #define TUNSETVNETLE _IOW('T', 220, int)} = 0x400454DC: virtio-net headers little-endian. */
    public static final long TUNSETVNETLE = ioc(IOC_WRITE, T, 220, SIZEOF_INT);

    // TUNSETIFF ifr_flags.
    public static final int IFF_TUN = 0x0001;
    public static final int IFF_TAP = 0x0002;
    /** No 4-byte packet information (flags, protocol) before each frame. */
    public static final int IFF_NO_PI = 0x1000;
    /** Each frame is preceded by a virtio-net header of TUNSETVNETHDRSZ bytes (10 by default). */
    public static final int IFF_VNET_HDR = 0x4000;

    // TUNSETOFFLOAD flags: what the kernel may hand to user space (tun.c set_offload()).
    /** Frames may come with a partial checksum (NEEDS_CSUM); the device's receive path must take it. */
    public static final int TUN_F_CSUM = 0x01;
    /** TCPv4 segmentation offload: frames up to 64 KiB with gso_type TCPV4 (needs TUN_F_CSUM). */
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    public static final int TUN_F_TSO_ECN = 0x08;
    public static final int TUN_F_UFO = 0x10;
    public static final int TUN_F_USO4 = 0x20;
    public static final int TUN_F_USO6 = 0x40;

    /**
     * <pre>
     * struct ifreq {                     (netdevice(7), &lt;linux/if.h&gt;; 40 bytes on LP64)
     *     char ifr_name[IFNAMSIZ];       // 16: interface name, NUL-terminated
     *     union {
     *         short ifr_flags;           // at 16
     *         struct ifmap ifr_map;      // the largest member: 24 bytes on LP64
     *         ...
     *     };
     * };
     * </pre>
     */
    public static final int IFREQ_SIZE = 40;
    public static final int IFR_NAME = 0;
    public static final int IFR_FLAGS = 16;
    /** IFNAMSIZ: names are at most 15 bytes plus the NUL. */
    public static final int IFNAMSIZ = 16;

    /** The TUN_F_ bits by name, e.g. "CSUM|TSO4"; "none" for 0. */
    public static String offloadNames(int flags) {
        if (flags == 0) {
            return "none";
        }
        String[] names = {"CSUM", "TSO4", "TSO6", "TSO_ECN", "UFO", "USO4", "USO6"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            if ((flags & (1 << i)) != 0) {
                if (!sb.isEmpty()) {
                    sb.append('|');
                }
                sb.append(i < names.length ? names[i] : "0x" + Integer.toHexString(1 << i));
            }
        }
        return sb.toString();
    }
}
