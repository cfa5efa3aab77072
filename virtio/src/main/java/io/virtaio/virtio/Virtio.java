package io.virtaio.virtio;

/**
 * Device-independent virtio constants: device status bits (virtio 1.2 §2.1) and reserved feature bits (§6).
 * Feature constants are bit numbers; {@link #bit(int)} turns one into a mask.
 */
public final class Virtio {
    private Virtio() {
    }

    /** The guest OS has noticed the device. */
    public static final int STATUS_ACKNOWLEDGE = 1;
    /** The guest OS knows how to drive the device. */
    public static final int STATUS_DRIVER = 2;
    /** The driver is set up and ready to drive the device. */
    public static final int STATUS_DRIVER_OK = 4;
    /** The driver has acknowledged the features it understands; negotiation is complete. */
    public static final int STATUS_FEATURES_OK = 8;
    /** The device experienced an error from which it cannot recover without a reset. */
    public static final int STATUS_DEVICE_NEEDS_RESET = 64;
    /** Something went wrong in the guest; it has given up on the device. */
    public static final int STATUS_FAILED = 128;

    public static final int F_INDIRECT_DESC = 28;
    public static final int F_EVENT_IDX = 29;
    public static final int F_VERSION_1 = 32;
    public static final int F_ACCESS_PLATFORM = 33;
    public static final int F_RING_PACKED = 34;
    public static final int F_IN_ORDER = 35;
    public static final int F_ORDER_PLATFORM = 36;
    public static final int F_NOTIFICATION_DATA = 38;
    public static final int F_RING_RESET = 40;

    public static long bit(int feature) {
        return 1L << feature;
    }

    public static boolean has(long features, int feature) {
        return (features & bit(feature)) != 0;
    }

    /** Status bits by name, e.g. "ACKNOWLEDGE|DRIVER|FEATURES_OK". */
    public static String statusName(int status) {
        if (status == 0) {
            return "RESET";
        }
        StringBuilder sb = new StringBuilder();
        String[] names = {"ACKNOWLEDGE", "DRIVER", "DRIVER_OK", "FEATURES_OK", "16", "32", "DEVICE_NEEDS_RESET", "FAILED"};
        for (int i = 0; i < names.length; i++) {
            if ((status & (1 << i)) != 0) {
                if (!sb.isEmpty()) {
                    sb.append('|');
                }
                sb.append(names[i]);
            }
        }
        return sb.toString();
    }
}
