package io.virtaio.virtio.net;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * virtio-net constants (virtio 1.2 §5.1): device id, queue numbering, feature bits, configuration space and the
 * {@code virtio_net_hdr} that precedes every frame in both directions.
 */
public final class VirtioNet {
    private VirtioNet() {
    }

    public static final int DEVICE_ID = 1;

    /** receiveq1 (§5.1.2); receiveqN = 2(N-1), transmitqN = 2(N-1)+1, controlq = 2N with CTRL_VQ. */
    public static final int RX_QUEUE = 0;
    public static final int TX_QUEUE = 1;

    // Feature bits (§5.1.3).
    /** Device handles packets with partial checksum (transmit offload). */
    public static final int F_CSUM = 0;
    /** Driver handles packets with partial checksum (receive offload). */
    public static final int F_GUEST_CSUM = 1;
    public static final int F_CTRL_GUEST_OFFLOADS = 2;
    /** Device maximum MTU reporting is supported. */
    public static final int F_MTU = 3;
    /** Device has given MAC address. */
    public static final int F_MAC = 5;
    public static final int F_GUEST_TSO4 = 7;
    public static final int F_GUEST_TSO6 = 8;
    public static final int F_GUEST_ECN = 9;
    public static final int F_GUEST_UFO = 10;
    public static final int F_HOST_TSO4 = 11;
    public static final int F_HOST_TSO6 = 12;
    public static final int F_HOST_ECN = 13;
    public static final int F_HOST_UFO = 14;
    public static final int F_MRG_RXBUF = 15;
    /** Configuration status field is available. */
    public static final int F_STATUS = 16;
    public static final int F_CTRL_VQ = 17;
    public static final int F_CTRL_RX = 18;
    public static final int F_CTRL_VLAN = 19;
    public static final int F_GUEST_ANNOUNCE = 21;
    public static final int F_MQ = 22;
    public static final int F_CTRL_MAC_ADDR = 23;

    // Configuration space (§5.1.4): struct virtio_net_config.
    public static final int CONFIG_MAC = 0;
    public static final int CONFIG_STATUS = 6;
    public static final int CONFIG_MAX_VIRTQUEUE_PAIRS = 8;
    public static final int CONFIG_MTU = 10;
    public static final int CONFIG_SPEED = 12;
    public static final int CONFIG_DUPLEX = 16;
    public static final int CONFIG_SIZE = 17;
    public static final int S_LINK_UP = 1;
    public static final int S_ANNOUNCE = 2;
    /** §5.1.4.1: the device MUST set mtu to between 68 and 65535 inclusive. */
    public static final int MIN_MTU = 68;
    public static final int MAX_MTU = 65535;

    public static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /*
     * struct virtio_net_hdr {         (§5.1.6; with VERSION_1 always 12 bytes, num_buffers included)
     *     u8 flags;
     *     u8 gso_type;
     *     le16 hdr_len;
     *     le16 gso_size;
     *     le16 csum_start;
     *     le16 csum_offset;
     *     le16 num_buffers;
     * };
     */
    public static final StructLayout HDR = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("flags"), ValueLayout.JAVA_BYTE.withName("gso_type"),
            LE16.withName("hdr_len"), LE16.withName("gso_size"), LE16.withName("csum_start"),
            LE16.withName("csum_offset"), LE16.withName("num_buffers"));

    public static final int HDR_SIZE = 12;
    public static final int HDR_FLAGS = 0;
    public static final int HDR_GSO_TYPE = 1;
    public static final int HDR_HDR_LEN = 2;
    public static final int HDR_GSO_SIZE = 4;
    public static final int HDR_CSUM_START = 6;
    public static final int HDR_CSUM_OFFSET = 8;
    public static final int HDR_NUM_BUFFERS = 10;

    /** The checksum from csum_start to the end is partial: complete it and store at csum_start + csum_offset. */
    public static final int HDR_F_NEEDS_CSUM = 1;
    /** Receive only: the device has validated the checksum(s). */
    public static final int HDR_F_DATA_VALID = 2;
    /** Receive only, with VIRTIO_NET_F_RSC_EXT: csum fields carry coalescing info. A driver never sets it. */
    public static final int HDR_F_RSC_INFO = 4;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    public static final int GSO_ECN = 0x80;

    /** Ethernet header bytes the MTU does not count. */
    public static final int ETH_HEADER = 14;

    /** Largest frame (without the virtio-net header) for an MTU: MTU + 14-byte Ethernet header. */
    public static int maxFrame(int mtu) {
        return mtu + ETH_HEADER;
    }
}
