package io.virtaio.virtio.queue;

import java.util.Locale;

/**
 * The protocol rules a virtqueue checks on what the other side wrote. Each violation breaks the queue (virtio 1.2
 * §2.1.2: the device sets DEVICE_NEEDS_RESET; Linux marks the virtqueue broken) and is counted under its rule.
 */
public enum Violation {
    // Device side: the driver is untrusted.
    AVAIL_IDX_JUMP(true, "available index advanced by more than the queue size"),
    HEAD_OUT_OF_RANGE(true, "chain head not below the queue size"),
    HEAD_IN_FLIGHT(true, "chain head offered again while still in flight (more chains in flight than the queue size)"),
    NEXT_OUT_OF_RANGE(true, "descriptor next not below the table size"),
    CHAIN_TOO_LONG(true, "descriptor chain longer than its table (a loop)"),
    INDIRECT_NOT_NEGOTIATED(true, "INDIRECT descriptor without VIRTIO_F_INDIRECT_DESC"),
    INDIRECT_WITH_NEXT(true, "INDIRECT and NEXT both set (§2.7.5.3.1)"),
    INDIRECT_NESTED(true, "INDIRECT descriptor inside an indirect table (§2.7.5.3.1)"),
    INDIRECT_BAD_LENGTH(true, "indirect table length zero or not a multiple of 16"),
    INDIRECT_TOO_LARGE(true, "indirect table larger than the device accepts"),
    READABLE_AFTER_WRITABLE(true, "device-readable descriptor after a device-writable one (§2.7.4.2)"),
    ZERO_LENGTH(true, "zero-length buffer"),
    ADDRESS_OUT_OF_RANGE(true, "buffer outside guest memory or overflowing"),
    CHAIN_LENGTH_OVERFLOW(true, "chain longer than 2^32 - 1 bytes (§2.7.5.2)"),
    // Driver side: the device is untrusted.
    USED_IDX_JUMP(false, "used index advanced past the chains outstanding"),
    USED_ID_OUT_OF_RANGE(false, "used id not below the queue size"),
    USED_ID_NOT_OUTSTANDING(false, "used id is not the head of an outstanding chain"),
    USED_LEN_TOO_LARGE(false, "used len larger than the writable space posted");

    private final boolean checkedByDevice;
    private final String rule;

    Violation(boolean checkedByDevice, String rule) {
        this.checkedByDevice = checkedByDevice;
        this.rule = rule;
    }

    /** True for a rule the device checks on what the driver wrote; false for one the driver checks. */
    public boolean checkedByDevice() {
        return checkedByDevice;
    }

    /** Lower-case name for maps and logs, e.g. "used_idx_jump". */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The rule in words, for logs and error messages. */
    public String rule() {
        return rule;
    }
}
