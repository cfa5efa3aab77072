package io.virtaio.netstack;

/**
 * Error numbers as Linux defines them (asm-generic/errno-base.h, errno.h). The stack's socket calls return
 * {@code -errno} on failure; the POSIX façade above reports the same numbers.
 */
public final class Errno {
    private Errno() {
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
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int EROFS = 30;
    public static final int EPIPE = 32;
    public static final int EDEADLK = 35;
    public static final int ENOSYS = 38;
    public static final int ENOTSOCK = 88;
    public static final int EDESTADDRREQ = 89;
    public static final int EMSGSIZE = 90;
    public static final int EPROTOTYPE = 91;
    public static final int ENOPROTOOPT = 92;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int EISCONN = 106;
    public static final int ENOTCONN = 107;
    public static final int ESHUTDOWN = 108;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTDOWN = 112;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;
    public static final int ECANCELED = 125;

    /** The symbolic name, e.g. "ECONNRESET", or "E" + number if unknown. */
    public static String name(int errno) {
        return switch (Math.abs(errno)) {
            case 0 -> "0";
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
            case ENOTDIR -> "ENOTDIR";
            case EISDIR -> "EISDIR";
            case EINVAL -> "EINVAL";
            case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE";
            case ENOTTY -> "ENOTTY";
            case EFBIG -> "EFBIG";
            case ENOSPC -> "ENOSPC";
            case ESPIPE -> "ESPIPE";
            case EROFS -> "EROFS";
            case EPIPE -> "EPIPE";
            case EDEADLK -> "EDEADLK";
            case ENOSYS -> "ENOSYS";
            case ENOTSOCK -> "ENOTSOCK";
            case EDESTADDRREQ -> "EDESTADDRREQ";
            case EMSGSIZE -> "EMSGSIZE";
            case EPROTOTYPE -> "EPROTOTYPE";
            case ENOPROTOOPT -> "ENOPROTOOPT";
            case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EAFNOSUPPORT -> "EAFNOSUPPORT";
            case EADDRINUSE -> "EADDRINUSE";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
            case ENETDOWN -> "ENETDOWN";
            case ENETUNREACH -> "ENETUNREACH";
            case ECONNABORTED -> "ECONNABORTED";
            case ECONNRESET -> "ECONNRESET";
            case ENOBUFS -> "ENOBUFS";
            case EISCONN -> "EISCONN";
            case ENOTCONN -> "ENOTCONN";
            case ESHUTDOWN -> "ESHUTDOWN";
            case ETIMEDOUT -> "ETIMEDOUT";
            case ECONNREFUSED -> "ECONNREFUSED";
            case EHOSTDOWN -> "EHOSTDOWN";
            case EHOSTUNREACH -> "EHOSTUNREACH";
            case EALREADY -> "EALREADY";
            case EINPROGRESS -> "EINPROGRESS";
            case ECANCELED -> "ECANCELED";
            default -> "E" + Math.abs(errno);
        };
    }

    /** A short description, as strerror gives. */
    public static String describe(int errno) {
        return switch (Math.abs(errno)) {
            case EAGAIN -> "Resource temporarily unavailable";
            case EBADF -> "Bad file descriptor";
            case EINVAL -> "Invalid argument";
            case EPIPE -> "Broken pipe";
            case EDEADLK -> "Resource deadlock avoided";
            case ECONNRESET -> "Connection reset by peer";
            case ECONNREFUSED -> "Connection refused";
            case ETIMEDOUT -> "Connection timed out";
            case ENOTCONN -> "Transport endpoint is not connected";
            case EISCONN -> "Transport endpoint is already connected";
            case EADDRINUSE -> "Address already in use";
            case EADDRNOTAVAIL -> "Cannot assign requested address";
            case ENOBUFS -> "No buffer space available";
            case EMSGSIZE -> "Message too long";
            case EHOSTUNREACH -> "No route to host";
            case ENETUNREACH -> "Network is unreachable";
            case EINPROGRESS -> "Operation now in progress";
            case EALREADY -> "Operation already in progress";
            case ECANCELED -> "Operation canceled";
            case ECONNABORTED -> "Software caused connection abort";
            case EIO -> "Input/output error";
            case EINTR -> "Interrupted system call";
            case EOPNOTSUPP -> "Operation not supported";
            case ENOPROTOOPT -> "Protocol not available";
            case EDESTADDRREQ -> "Destination address required";
            case ESHUTDOWN -> "Cannot send after transport endpoint shutdown";
            case ENOMEM -> "Cannot allocate memory";
            case ENOENT -> "No such file or directory";
            case EACCES -> "Permission denied";
            case EEXIST -> "File exists";
            case EISDIR -> "Is a directory";
            case ESPIPE -> "Illegal seek";
            case EMFILE -> "Too many open files";
            case ENOTTY -> "Inappropriate ioctl for device";
            case ENOSPC -> "No space left on device";
            case EFBIG -> "File too large";
            default -> name(errno);
        };
    }
}
