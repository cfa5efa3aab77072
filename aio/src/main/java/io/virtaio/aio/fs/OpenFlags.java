package io.virtaio.aio.fs;

/**
 * open(2) flags, with the values Linux gives them on x86-64 and arm64 (asm-generic/fcntl.h), and their
 * validation.
 */
public final class OpenFlags {
    private OpenFlags() {
    }

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_ACCMODE = 03;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DSYNC = 010000;
    public static final int O_LARGEFILE = 0100000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_CLOEXEC = 02000000;
    /** O_SYNC includes O_DSYNC's bit, as on Linux (__O_SYNC | O_DSYNC). */
    public static final int O_SYNC = 04010000;
    /** Linux defines O_RSYNC as O_SYNC. */
    public static final int O_RSYNC = O_SYNC;

    /**
     * Flags accepted by open(). O_NOCTTY, O_NONBLOCK (no effect on regular files), O_LARGEFILE (files are 64-bit
     * here) and O_CLOEXEC (there is no exec) are accepted and have no effect.
     */
    public static final int SUPPORTED = O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK
            | O_SYNC | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

    /** 0 if {@code flags} is acceptable to open(), else the errno: EINVAL for unknown bits or access mode 3. */
    public static int check(int flags) {
        if ((flags & ~SUPPORTED) != 0 || (flags & O_ACCMODE) == O_ACCMODE) {
            return io.virtaio.netstack.Errno.EINVAL;
        }
        return 0;
    }

    public static boolean readable(int flags) {
        int acc = flags & O_ACCMODE;
        return acc == O_RDONLY || acc == O_RDWR;
    }

    public static boolean writable(int flags) {
        int acc = flags & O_ACCMODE;
        return acc == O_WRONLY || acc == O_RDWR;
    }

    /** True when O_SYNC (not just O_DSYNC) is set. */
    public static boolean sync(int flags) {
        return (flags & O_SYNC) == O_SYNC;
    }

    public static boolean dsync(int flags) {
        return (flags & O_DSYNC) != 0;
    }
}
