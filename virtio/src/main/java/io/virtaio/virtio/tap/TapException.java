package io.virtaio.virtio.tap;

import java.io.IOException;

/** A TUN/TAP system call failed: which call, on which interface, and the errno it returned. */
public final class TapException extends IOException {
    private final int errno;

    /**
     * @param what  the call and its context, e.g. "ioctl(TUNSETIFF, vtap%d)"
     * @param errno the errno it left, or 0 when the failure is ours (a check of what the kernel returned)
     * @param hint  what to do about it, or null
     */
    public TapException(String what, int errno, String hint) {
        super(what + (errno != 0 ? ": " + LinuxErrno.name(errno) : "") + (hint != null ? " (" + hint + ")" : ""));
        this.errno = errno;
    }

    /** The errno of the failed call; 0 when no call failed (a check of ours did). */
    public int errno() {
        return errno;
    }
}
