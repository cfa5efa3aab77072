package io.virtaio.aio;

import io.virtaio.netstack.Errno;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * An I/O error of the Java API, carrying the errno the POSIX façade would have reported (DESIGN.md, errors tier 3).
 * Where the JDK has an exception type for the condition, {@link #of} returns that type instead, so callers can keep
 * catching what they know.
 */
public final class ErrnoException extends IOException {
    private final int errno;

    /** An exception for {@code errno} (positive), with what failed in {@code context} (may be null). */
    public ErrnoException(int errno, String context) {
        super(message(errno, context));
        this.errno = Math.abs(errno);
    }

    public ErrnoException(int errno) {
        this(errno, null);
    }

    /** The error number, as Linux numbers it. */
    public int errno() {
        return errno;
    }

    /** The symbolic name, e.g. "ECONNRESET". */
    public String errnoName() {
        return Errno.name(errno);
    }

    private static String message(int errno, String context) {
        String base = Errno.name(errno) + " (" + Errno.describe(errno) + ")";
        return context == null ? base : context + ": " + base;
    }

    /**
     * The exception for {@code errno}: the JDK's own type where it has one (NoSuchFileException, ConnectException,
     * …, with an {@link ErrnoException} as its cause, so the errno is never lost), else an {@link ErrnoException}.
     *
     * @param errno   a positive errno (a negative one is taken as {@code -errno})
     * @param context what failed: a path, an address, an operation
     */
    public static IOException of(int errno, String context) {
        int e = Math.abs(errno);
        String what = context == null ? "" : context;
        IOException jdk = switch (e) {
            case Errno.ENOENT -> new NoSuchFileException(what, null, Errno.describe(e));
            case Errno.EEXIST -> new FileAlreadyExistsException(what, null, Errno.describe(e));
            case Errno.EACCES -> new AccessDeniedException(what, null, Errno.describe(e));
            case Errno.ENOTDIR -> new NotDirectoryException(what);
            case Errno.ECONNREFUSED -> new ConnectException(message(e, context));
            case Errno.EHOSTUNREACH, Errno.ENETUNREACH -> new NoRouteToHostException(message(e, context));
            case Errno.ETIMEDOUT -> new SocketTimeoutException(message(e, context));
            default -> null;
        };
        if (jdk == null) {
            return new ErrnoException(e, context);
        }
        jdk.initCause(new ErrnoException(e, context));
        return jdk;
    }

    /** The errno behind {@code t}: its own if it is an ErrnoException, else its cause's; 0 if none. */
    public static int errnoOf(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ErrnoException ee) {
                return ee.errno;
            }
        }
        return 0;
    }
}
