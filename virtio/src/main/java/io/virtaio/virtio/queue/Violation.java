package io.virtaio.virtio.queue;

/**
 * The protocol rules a virtqueue checks on what the other side wrote. Each violation breaks the queue (virtio 1.2
 * §2.1.2: the device sets DEVICE_NEEDS_RESET; Linux marks the virtqueue broken) and is counted under its rule.
 */
public enum Violation {
    // Device side: the driver is untrusted.
    AVAIL_IDX_JUMP("available index advanced by more than the queue size"),
    HEAD_OUT_OF_RANGE("chain head not below the queue size"),
    HEAD_IN_FLIGHT("chain head offered again while still in flight (more chains in flight than the queue size)"),
    NEXT_OUT_OF_RANGE("descriptor next not below the table size"),
    CHAIN_TOO_LONG("descriptor chain longer than its table (a loop)"),
    INDIRECT_NOT_NEGOTIATED("INDIRECT descriptor without VIRTIO_F_INDIRECT_DESC"),
    INDIRECT_WITH_NEXT("INDIRECT and NEXT both set (§2.7.5.3.1)"),
    INDIRECT_NESTED("INDIRECT descriptor inside an indirect table (§2.7.5.3.1)"),
    INDIRECT_BAD_LENGTH("indirect table length zero or not a multiple of 16"),
    INDIRECT_TOO_LARGE("indirect table larger than the device accepts"),
    READABLE_AFTER_WRITABLE("device-readable descriptor after a device-writable one (§2.7.4.2)"),
    ZERO_LENGTH("zero-length buffer"),
    ADDRESS_OUT_OF_RANGE("buffer outside guest memory or overflowing"),
    CHAIN_LENGTH_OVERFLOW("chain longer than 2^32 - 1 bytes (§2.7.5.2)"),
    // Driver side: the device is untrusted.
    USED_IDX_JUMP("used index advanced past the chains outstanding"),
    USED_ID_OUT_OF_RANGE("used id not below the queue size"),
    USED_ID_NOT_OUTSTANDING("used id is not the head of an outstanding chain"),
    USED_LEN_TOO_LARGE("used len larger than the writable space posted");

    private final String rule;

    Violation(String rule) {
        this.rule = rule;
    }

    /** The rule in words, for logs and error messages. */
    public String rule() {
        return rule;
    }
}
