package io.virtaio.virtio.net;

import static io.virtaio.virtio.Virtio.bit;

import io.virtaio.virtio.Virtio;

/**
 * The feature rules both sides of virtio-net negotiation apply: which features depend on which (virtio 1.2
 * §5.1.3.1), and names for messages.
 *
 * <p>The device refuses FEATURES_OK when a rule is broken ({@link #refusal}); the driver drops what it cannot have
 * before writing its choice ({@link #closeUnderDependencies}).
 */
public final class NetFeatures {
    private NetFeatures() {
    }

    /** One rule: {@code feature} may be accepted only together with at least one of {@code anyOf}. */
    private record Rule(int feature, long anyOf, String requirement) {
    }

    // §5.1.3.1 "Feature bit requirements". Features we name but do not implement still get their rule, so a
    // driver cannot slip an inconsistent set past the device.
    private static final Rule[] RULES = {
        new Rule(VirtioNet.F_GUEST_TSO4, bit(VirtioNet.F_GUEST_CSUM), "GUEST_CSUM"),
        new Rule(VirtioNet.F_GUEST_TSO6, bit(VirtioNet.F_GUEST_CSUM), "GUEST_CSUM"),
        new Rule(VirtioNet.F_GUEST_UFO, bit(VirtioNet.F_GUEST_CSUM), "GUEST_CSUM"),
        new Rule(VirtioNet.F_GUEST_ECN, bit(VirtioNet.F_GUEST_TSO4) | bit(VirtioNet.F_GUEST_TSO6),
                "GUEST_TSO4 or GUEST_TSO6"),
        new Rule(VirtioNet.F_HOST_TSO4, bit(VirtioNet.F_CSUM), "CSUM"),
        new Rule(VirtioNet.F_HOST_TSO6, bit(VirtioNet.F_CSUM), "CSUM"),
        new Rule(VirtioNet.F_HOST_UFO, bit(VirtioNet.F_CSUM), "CSUM"),
        new Rule(VirtioNet.F_HOST_ECN, bit(VirtioNet.F_HOST_TSO4) | bit(VirtioNet.F_HOST_TSO6),
                "HOST_TSO4 or HOST_TSO6"),
        new Rule(VirtioNet.F_CTRL_RX, bit(VirtioNet.F_CTRL_VQ), "CTRL_VQ"),
        new Rule(VirtioNet.F_CTRL_VLAN, bit(VirtioNet.F_CTRL_VQ), "CTRL_VQ"),
        new Rule(VirtioNet.F_GUEST_ANNOUNCE, bit(VirtioNet.F_CTRL_VQ), "CTRL_VQ"),
        new Rule(VirtioNet.F_MQ, bit(VirtioNet.F_CTRL_VQ), "CTRL_VQ"),
        new Rule(VirtioNet.F_CTRL_MAC_ADDR, bit(VirtioNet.F_CTRL_VQ), "CTRL_VQ"),
        new Rule(VirtioNet.F_CTRL_GUEST_OFFLOADS, bit(VirtioNet.F_CTRL_VQ), "CTRL_VQ"),
    };

    /**
     * Why the device must refuse FEATURES_OK for {@code accepted} given {@code offered}, or null if it may accept:
     * a missing VERSION_1 (this device has no legacy interface, §7), a broken dependency (§5.1.3.1), or a feature
     * not offered (§2.2.1: "The driver MUST NOT accept a feature which the device did not offer").
     */
    public static String refusal(long accepted, long offered) {
        if (!Virtio.has(accepted, Virtio.F_VERSION_1)) {
            return "driver did not accept VERSION_1 (this device has no legacy interface)";
        }
        for (Rule r : RULES) {
            if (Virtio.has(accepted, r.feature) && (accepted & r.anyOf) == 0) {
                return name(r.feature) + " requires " + r.requirement + " (virtio 1.2 §5.1.3.1)";
            }
        }
        long extra = accepted & ~offered;
        if (extra != 0) {
            return "driver accepted features the device did not offer: " + names(extra);
        }
        return null;
    }

    /** {@code features} minus every feature whose dependencies are missing, repeated until nothing changes. */
    public static long closeUnderDependencies(long features) {
        long f = features;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Rule r : RULES) {
                if (Virtio.has(f, r.feature) && (f & r.anyOf) == 0) {
                    f &= ~bit(r.feature);
                    changed = true;
                }
            }
        }
        return f;
    }

    /** The name of a virtio-net or device-independent feature bit, or its number. */
    public static String name(int feature) {
        return switch (feature) {
            case VirtioNet.F_CSUM -> "CSUM";
            case VirtioNet.F_GUEST_CSUM -> "GUEST_CSUM";
            case VirtioNet.F_CTRL_GUEST_OFFLOADS -> "CTRL_GUEST_OFFLOADS";
            case VirtioNet.F_MTU -> "MTU";
            case VirtioNet.F_MAC -> "MAC";
            case VirtioNet.F_GUEST_TSO4 -> "GUEST_TSO4";
            case VirtioNet.F_GUEST_TSO6 -> "GUEST_TSO6";
            case VirtioNet.F_GUEST_ECN -> "GUEST_ECN";
            case VirtioNet.F_GUEST_UFO -> "GUEST_UFO";
            case VirtioNet.F_HOST_TSO4 -> "HOST_TSO4";
            case VirtioNet.F_HOST_TSO6 -> "HOST_TSO6";
            case VirtioNet.F_HOST_ECN -> "HOST_ECN";
            case VirtioNet.F_HOST_UFO -> "HOST_UFO";
            case VirtioNet.F_MRG_RXBUF -> "MRG_RXBUF";
            case VirtioNet.F_STATUS -> "STATUS";
            case VirtioNet.F_CTRL_VQ -> "CTRL_VQ";
            case VirtioNet.F_CTRL_RX -> "CTRL_RX";
            case VirtioNet.F_CTRL_VLAN -> "CTRL_VLAN";
            case VirtioNet.F_GUEST_ANNOUNCE -> "GUEST_ANNOUNCE";
            case VirtioNet.F_MQ -> "MQ";
            case VirtioNet.F_CTRL_MAC_ADDR -> "CTRL_MAC_ADDR";
            case Virtio.F_INDIRECT_DESC -> "INDIRECT_DESC";
            case Virtio.F_EVENT_IDX -> "EVENT_IDX";
            case Virtio.F_VERSION_1 -> "VERSION_1";
            case Virtio.F_ACCESS_PLATFORM -> "ACCESS_PLATFORM";
            case Virtio.F_RING_PACKED -> "RING_PACKED";
            case Virtio.F_IN_ORDER -> "IN_ORDER";
            case Virtio.F_ORDER_PLATFORM -> "ORDER_PLATFORM";
            case Virtio.F_NOTIFICATION_DATA -> "NOTIFICATION_DATA";
            case Virtio.F_RING_RESET -> "RING_RESET";
            default -> "bit" + feature;
        };
    }

    /** Names of the bits set in {@code features}, e.g. "CSUM|MAC|VERSION_1". */
    public static String names(long features) {
        if (features == 0) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (long f = features; f != 0; f &= f - 1) {
            if (!sb.isEmpty()) {
                sb.append('|');
            }
            sb.append(name(Long.numberOfTrailingZeros(f)));
        }
        return sb.toString();
    }
}
