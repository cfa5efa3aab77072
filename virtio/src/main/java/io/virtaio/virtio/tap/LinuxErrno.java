package io.virtaio.virtio.tap;

/**
 * The errno values ({@code <asm-generic/errno-base.h>}, {@code <asm-generic/errno.h>}) the TAP backend meets, with
 * their names for counters and messages. Numbers are Linux's on x86-64 and aarch64.
 */
public final class LinuxErrno {
    private LinuxErrno() {
    }

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOTTY = 25;
    public static final int EBADFD = 77;
    public static final int EMSGSIZE = 90;
    public static final int ENOBUFS = 105;

    /** Counters keep one slot per errno below this (Linux's errnos end at 133, EHWPOISON). */
    public static final int MAX = 134;

    /** "EINVAL" for 22, "errno 200" for a number without a name here. */
    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case EINVAL -> "EINVAL";
            case ENOTTY -> "ENOTTY";
            case EBADFD -> "EBADFD";
            case EMSGSIZE -> "EMSGSIZE";
            case ENOBUFS -> "ENOBUFS";
            default -> "errno " + errno;
        };
    }
}
