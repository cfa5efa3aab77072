package io.virtaio.virtio.queue;

/**
 * What the driver does when a device reports more bytes written than the chain's writable space (virtio 1.2
 * §2.7.8.2: the driver "MUST NOT make assumptions about data in device-writable buffers beyond the first len
 * bytes" and should not trust len; some real devices over-report).
 */
public enum UsedLenPolicy {
    /** The queue breaks: the default, since an over-report is a device bug. */
    STRICT,
    /** The length is clamped to the writable space and counted. */
    CLAMP
}
