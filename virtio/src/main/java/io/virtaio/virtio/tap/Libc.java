package io.virtaio.virtio.tap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * The C library calls the TAP backend makes, as FFM downcalls (no JNI), Linux on LP64 (x86-64, aarch64).
 *
 * <p>Every call captures {@code errno} ({@link Linker.Option#captureCallState}) into a segment the caller passes
 * first, allocated once by the thread that uses it; {@link #errno} reads it, and is only meaningful when the call
 * returned -1 (errno(3): "The value in errno is significant only when the return value of the call indicated an
 * error"). The variadic {@code open(2)} and {@code ioctl(2)} are bound with
 * {@link Linker.Option#firstVariadicArg}, so their last argument is passed the way a C caller's would be.
 *
 * <p>Stateless and thread-safe; the wrappers allocate nothing (the handles are invoked exactly).
 */
final class Libc {
    private Libc() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    static {
        // iovec and pollfd below are laid out for LP64: pointers and size_t of 8 bytes.
        if (ADDRESS.byteSize() != 8) {
            throw new ExceptionInInitializerError("the TAP backend supports 64-bit Linux only");
        }
    }

    // open(2): int open(const char *pathname, int flags, ... /* mode_t mode */);
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    // close(2): int close(int fd);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // ioctl(2): int ioctl(int fd, unsigned long op, ...); the argument is a pointer (TUNSETIFF, TUNSETVNETHDRSZ)...
    private static final MethodHandle IOCTL_PTR = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    // ...or an unsigned long by value (TUNSETOFFLOAD: tun.c set_offload(tun, arg) reads arg itself).
    private static final MethodHandle IOCTL_LONG = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    // readv(2) / writev(2): ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
    private static final MethodHandle READV = downcall("readv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle WRITEV = downcall("writev",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    // write(2): ssize_t write(int fd, const void *buf, size_t count);
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    // poll(2): int poll(struct pollfd *fds, nfds_t nfds, int timeout);
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    // eventfd(2): int eventfd(unsigned int initval, int flags);
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    // <asm-generic/fcntl.h>, the values of x86-64 and aarch64.
    static final int O_RDWR = 02;
    static final int O_NONBLOCK = 04000;
    static final int O_CLOEXEC = 02000000;
    // <sys/eventfd.h>: the same bits as O_CLOEXEC and O_NONBLOCK.
    static final int EFD_CLOEXEC = O_CLOEXEC;
    static final int EFD_NONBLOCK = O_NONBLOCK;
    // <poll.h>
    static final short POLLIN = 0x001;
    static final short POLLERR = 0x008;
    static final short POLLHUP = 0x010;
    static final short POLLNVAL = 0x020;

    /** struct iovec { void *iov_base; size_t iov_len; } (readv(2)): 16 bytes on LP64. */
    static final long IOVEC_SIZE = 16;
    static final long IOV_BASE = 0;
    static final long IOV_LEN = 8;
    /** struct pollfd { int fd; short events; short revents; } (poll(2)): 8 bytes. */
    static final long POLLFD_SIZE = 8;
    static final long POLLFD_FD = 0;
    static final long POLLFD_EVENTS = 4;
    static final long POLLFD_REVENTS = 6;

    // Restricted (JEP 454): the JVM runs with --enable-native-access (the launcher and surefire pass it); the
    // descriptors above are the C prototypes quoted next to them.
    @SuppressWarnings("restricted")
    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new ExceptionInInitializerError("libc has no " + name));
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = ERRNO;
        System.arraycopy(options, 0, all, 1, options.length);
        // The captured state is the handle's first parameter: every wrapper passes the caller's segment there.
        return LINKER.downcallHandle(symbol, descriptor, all);
    }

    /** A segment to capture errno into; one per thread that makes calls, kept for its lifetime. */
    static MemorySegment newErrnoSegment(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    /** The errno the last call through {@code capture} left; meaningful only after a call returned -1. */
    static int errno(MemorySegment capture) {
        return capture.get(JAVA_INT, ERRNO_OFFSET);
    }

    static int open(MemorySegment capture, MemorySegment path, int flags, int mode) {
        try {
            return (int) OPEN.invokeExact(capture, path, flags, mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(MemorySegment capture, int fd) {
        try {
            return (int) CLOSE.invokeExact(capture, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ioctl(MemorySegment capture, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL_PTR.invokeExact(capture, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ioctl(MemorySegment capture, int fd, long request, long arg) {
        try {
            return (int) IOCTL_LONG.invokeExact(capture, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long readv(MemorySegment capture, int fd, MemorySegment iov, int iovcnt) {
        try {
            return (long) READV.invokeExact(capture, fd, iov, iovcnt);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long writev(MemorySegment capture, int fd, MemorySegment iov, int iovcnt) {
        try {
            return (long) WRITEV.invokeExact(capture, fd, iov, iovcnt);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long write(MemorySegment capture, int fd, MemorySegment buf, long count) {
        try {
            return (long) WRITE.invokeExact(capture, fd, buf, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int poll(MemorySegment capture, MemorySegment fds, long nfds, int timeoutMs) {
        try {
            return (int) POLL.invokeExact(capture, fds, nfds, timeoutMs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int eventfd(MemorySegment capture, int initval, int flags) {
        try {
            return (int) EVENTFD.invokeExact(capture, initval, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A downcall throws only for a linkage bug of ours (a wrong signature): unchecked, never expected. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }
}
