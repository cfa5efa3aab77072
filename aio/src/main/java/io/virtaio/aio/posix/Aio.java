package io.virtaio.aio.posix;

import io.virtaio.aio.engine.CompletionQueue;
import io.virtaio.aio.engine.Limits;
import io.virtaio.aio.engine.Op;
import io.virtaio.aio.fs.OpenFlags;
import io.virtaio.aio.kernel.Kernel;
import io.virtaio.aio.net.SocketCalls;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.Executor;

/**
 * The POSIX façade: aio.h and the parts of unistd.h, fcntl.h, signal.h and sys/socket.h it needs, with C's names
 * and C's conventions, so that it maps onto POSIX.1-2017 one to one.
 *
 * <p>Every function returns what C returns: on failure -1 (or the documented value) with the thread's
 * {@link #errno()} set, exactly where C would set it. Misuse that C reports through errno (a null aiocb, a bad
 * descriptor, a bad flag) is reported the same way here, never as a Java exception. The errno numbers are Linux's
 * ({@link Errno}).
 *
 * <p>Obtained from {@code AioRuntime.aio()}; every method may be called from any thread, platform or virtual.
 * Blocking calls (read, write, fsync, aio_suspend, lio_listio with LIO_WAIT, accept, connect) park without holding
 * a monitor, so virtual threads unmount instead of pinning.
 *
 * <p>Constants: aio.h's, and those of fcntl.h, signal.h and time.h that aio.h "may make visible" (POSIX.1-2017
 * aio.h), with glibc's values; write {@code import static io.virtaio.aio.posix.Aio.*}.
 */
public final class Aio {
    // ------------------------------------------------------------------------------------------------- <aio.h>
    public static final int AIO_CANCELED = 0;
    public static final int AIO_NOTCANCELED = 1;
    public static final int AIO_ALLDONE = 2;
    public static final int LIO_READ = 0;
    public static final int LIO_WRITE = 1;
    public static final int LIO_NOP = 2;
    public static final int LIO_WAIT = 0;
    public static final int LIO_NOWAIT = 1;

    // ---------------------------------------------------------------------------------------------- <signal.h>
    public static final int SIGEV_SIGNAL = 0;
    public static final int SIGEV_NONE = 1;
    public static final int SIGEV_THREAD = 2;
    public static final int SI_USER = 0;
    public static final int SI_QUEUE = -1;
    public static final int SI_ASYNCIO = -4;
    public static final int SI_TKILL = -6;
    public static final int SA_SIGINFO = 4;
    public static final int SA_RESTART = 0x1000_0000;
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGUSR2 = 12;
    public static final int SIGPIPE = 13;
    public static final int SIGALRM = 14;
    public static final int SIGTERM = 15;
    public static final int SIGSTOP = 19;
    public static final int SIGIO = 29;
    /** glibc's SIGRTMIN: the kernel's 32 and 33 are reserved by the C library. */
    public static final int SIGRTMIN = 34;
    public static final int SIGRTMAX = 64;

    // ----------------------------------------------------------------------------------------------- <fcntl.h>
    public static final int O_RDONLY = OpenFlags.O_RDONLY;
    public static final int O_WRONLY = OpenFlags.O_WRONLY;
    public static final int O_RDWR = OpenFlags.O_RDWR;
    public static final int O_ACCMODE = OpenFlags.O_ACCMODE;
    public static final int O_CREAT = OpenFlags.O_CREAT;
    public static final int O_EXCL = OpenFlags.O_EXCL;
    public static final int O_NOCTTY = OpenFlags.O_NOCTTY;
    public static final int O_TRUNC = OpenFlags.O_TRUNC;
    public static final int O_APPEND = OpenFlags.O_APPEND;
    public static final int O_NONBLOCK = OpenFlags.O_NONBLOCK;
    public static final int O_DSYNC = OpenFlags.O_DSYNC;
    public static final int O_SYNC = OpenFlags.O_SYNC;
    public static final int O_RSYNC = OpenFlags.O_RSYNC;
    public static final int O_DIRECTORY = OpenFlags.O_DIRECTORY;
    public static final int O_NOFOLLOW = OpenFlags.O_NOFOLLOW;
    public static final int O_CLOEXEC = OpenFlags.O_CLOEXEC;
    public static final int S_IRUSR = 0400;
    public static final int S_IWUSR = 0200;
    public static final int S_IRGRP = 040;
    public static final int S_IROTH = 04;

    // ---------------------------------------------------------------------------------------------- <unistd.h>
    /** POSIX.1-2008 and later report 200809L for their options. */
    public static final long _POSIX_ASYNCHRONOUS_IO = 200809L;
    public static final long _POSIX_PRIORITIZED_IO = 200809L;
    public static final long _POSIX_SYNCHRONIZED_IO = 200809L;
    public static final long _POSIX_FSYNC = 200809L;
    public static final long _POSIX_REALTIME_SIGNALS = 200809L;
    public static final int _SC_OPEN_MAX = 4;
    public static final int _SC_REALTIME_SIGNALS = 9;
    public static final int _SC_ASYNCHRONOUS_IO = 12;
    public static final int _SC_PRIORITIZED_IO = 13;
    public static final int _SC_SYNCHRONIZED_IO = 14;
    public static final int _SC_FSYNC = 15;
    public static final int _SC_AIO_LISTIO_MAX = 23;
    public static final int _SC_AIO_MAX = 24;
    public static final int _SC_AIO_PRIO_DELTA_MAX = 25;
    public static final int _SC_RTSIG_MAX = 31;
    public static final int _SC_SIGQUEUE_MAX = 34;

    // ------------------------------------------------------------------------------------------ <sys/socket.h>
    public static final int AF_INET = 2;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 04000;
    public static final int SOCK_CLOEXEC = 02000000;
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;
    public static final int SOL_SOCKET = 1;
    public static final int SO_ERROR = 4;
    public static final int SO_BROADCAST = 6;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_LINGER = 13;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int TCP_NODELAY = 1;
    public static final int INADDR_ANY = 0;

    // -------------------------------------------------------------------------------------- <sys/ioctl.h> (Linux)
    /** Bytes that can be read now (also SIOCINQ). */
    public static final int FIONREAD = SocketCalls.FIONREAD;
    /** Bytes in a TCP socket's send queue, unsent or unacknowledged (also SIOCOUTQ). */
    public static final int TIOCOUTQ = SocketCalls.TIOCOUTQ;
    public static final int SIOCINQ = FIONREAD;
    public static final int SIOCOUTQ = TIOCOUTQ;

    /** No such process: not in the netstack's table, used only by pthread_kill. */
    private static final int ESRCH = 3;

    private static final ThreadLocal<int[]> ERRNO = ThreadLocal.withInitial(() -> new int[1]);

    private final Kernel kernel;
    private final Signals signals;
    private final AioCalls aio;
    private final SyncCalls sync;
    private final SocketFacade sockets;

    /**
     * The façade of a runtime; obtain it from {@code AioRuntime.aio()}.
     *
     * @param nodeIndex the network node on which {@link #socket} creates sockets
     */
    public Aio(Kernel kernel, Signals signals, Executor notificationExecutor, int nodeIndex) {
        this.kernel = kernel;
        this.signals = signals;
        this.aio = new AioCalls(kernel, signals, notificationExecutor);
        this.sync = new SyncCalls(kernel);
        this.sockets = new SocketFacade(kernel, sync, nodeIndex);
    }

    // ----------------------------------------------------------------------------------------------------- errno

    /** The calling thread's errno: set by the last call that failed, left alone by calls that succeed. */
    public int errno() {
        return ERRNO.get()[0];
    }

    /** Sets the calling thread's errno (as C code may). */
    public void errno(int value) {
        ERRNO.get()[0] = value;
    }

    /** strerror: the message for {@code errnum}. */
    public static String strerror(int errnum) {
        return Errno.describe(errnum);
    }

    /** -1 with errno set for a negative {@code -errno} result, else the result. */
    private static int ret(int r) {
        if (r < 0) {
            ERRNO.get()[0] = -r;
            return -1;
        }
        return r;
    }

    private static long ret(long r) {
        if (r < 0) {
            ERRNO.get()[0] = (int) -r;
            return -1;
        }
        return r;
    }

    // -------------------------------------------------------------------------------------------------- aio.h

    /**
     * aio_read (POSIX.1-2017 aio_read): queues a read of aio_nbytes at aio_offset into aio_buf. aio_lio_opcode is
     * ignored. Returns 0 once queued (aio_error is EINPROGRESS by then), else -1 with errno EAGAIN (AIO_MAX
     * reached), EINVAL (aio_reqprio outside 0..AIO_PRIO_DELTA_MAX, a bad sigevent, or the aiocb already in
     * progress) or EFAULT (null aiocb). A bad descriptor, offset or buffer is reported later through aio_error
     * (EBADF, EINVAL, EFAULT), as the read would report it.
     */
    public int aio_read(aiocb aiocbp) {
        return ret(aio.submit(aiocbp, Op.READ, null));
    }

    /** aio_write (POSIX.1-2017 aio_write): as {@link #aio_read}; under O_APPEND the offset is ignored. */
    public int aio_write(aiocb aiocbp) {
        return ret(aio.submit(aiocbp, Op.WRITE, null));
    }

    /**
     * aio_fsync (POSIX.1-2017 aio_fsync): queues a barrier after every request queued on aio_fildes before it,
     * then fsync (O_SYNC) or fdatasync (O_DSYNC). Only aio_fildes and aio_sigevent are read. -1 with EINVAL for
     * another op or a descriptor that cannot be synced (a socket, a FIFO), EBADF (synchronous) for a descriptor not
     * open for writing, EAGAIN at AIO_MAX.
     */
    public int aio_fsync(int op, aiocb aiocbp) {
        return ret(aio.fsync(op, aiocbp));
    }

    /**
     * aio_error (POSIX.1-2017 aio_error): EINPROGRESS, 0, or the errno of the failed (ECANCELED: canceled)
     * operation; -1/EINVAL for an aiocb without a retrievable status (never submitted, or aio_return already
     * called).
     */
    public int aio_error(aiocb aiocbp) {
        return ret(aio.error(aiocbp));
    }

    /**
     * aio_return (POSIX.1-2017 aio_return): the operation's return value (bytes, or -1 if it failed), exactly
     * once; afterwards, and for an aiocb never submitted or still in progress, -1/EINVAL.
     */
    public long aio_return(aiocb aiocbp) {
        return ret(aio.ret(aiocbp));
    }

    /**
     * aio_suspend (POSIX.1-2017 aio_suspend): waits until one of the first {@code nent} aiocbs of {@code list}
     * (null entries ignored) is no longer in progress: 0 at once if one already is; -1/EAGAIN when the relative
     * {@code timeout} (null: none; zero: poll) passes first, measured on the monotonic clock; -1/EINTR when
     * interrupted ({@link Thread#interrupt()}, or an emulated signal delivered to this thread).
     */
    public int aio_suspend(aiocb[] list, int nent, timespec timeout) {
        return ret(aio.suspend(list, nent, timeout));
    }

    /**
     * aio_cancel (POSIX.1-2017 aio_cancel): cancels {@code aiocbp}, or every request of {@code fildes} when it is
     * null. Queued requests are canceled (ECANCELED, return -1, normal notification); requests in progress are not
     * (decision 4). Returns AIO_CANCELED, AIO_NOTCANCELED or AIO_ALLDONE; -1 with EBADF for a bad descriptor,
     * EINVAL if aiocbp's aio_fildes is another descriptor.
     */
    public int aio_cancel(int fildes, aiocb aiocbp) {
        return ret(aio.cancel(fildes, aiocbp));
    }

    /**
     * lio_listio (POSIX.1-2017 lio_listio): submits the first {@code nent} aiocbs of {@code list} as their
     * aio_lio_opcode says (null and LIO_NOP entries ignored). LIO_NOWAIT returns once they are queued and fires
     * {@code sig} (may be null) once all are done, at once if none was queued; LIO_WAIT ignores {@code sig}, waits
     * for all and returns -1/EIO if one failed. -1/EINVAL for a bad mode or nent (nothing initiated), -1/EAGAIN
     * when AIO_MAX leaves no room for the list (nothing initiated), -1/EIO when an entry could not be queued (an
     * invalid opcode: that entry's status is EINVAL, decision 8), -1/EINTR when a LIO_WAIT is interrupted.
     */
    public int lio_listio(int mode, aiocb[] list, int nent, sigevent sig) {
        return ret(aio.listio(mode, list, nent, sig));
    }

    /** An io_uring-style ring over this façade: submit many aiocbs, reap many completions. */
    public AioRing ring(int entries) {
        return new AioRing(this, new CompletionQueue(entries));
    }

    /** AioRing submission: as aio_read/aio_write chosen by aio_lio_opcode, posting to {@code ring}. */
    int submitToRing(aiocb cb, CompletionQueue ring) {
        if (cb == null) {
            return ret(-Errno.EFAULT);
        }
        int op = cb.aio_lio_opcode == LIO_READ ? Op.READ : cb.aio_lio_opcode == LIO_WRITE ? Op.WRITE : 0;
        return ret(op == 0 ? -Errno.EINVAL : aio.submit(cb, op, ring));
    }

    // ----------------------------------------------------------------------------------------------- unistd.h

    /**
     * sysconf (POSIX.1-2017 sysconf): the AIO options and limits of this runtime. -1 without changing errno for
     * an option it does not support; -1/EINVAL for an unknown name.
     */
    public long sysconf(int name) {
        Limits l = kernel.engine().limits();
        return switch (name) {
            case _SC_ASYNCHRONOUS_IO -> _POSIX_ASYNCHRONOUS_IO;
            case _SC_PRIORITIZED_IO -> _POSIX_PRIORITIZED_IO;
            case _SC_SYNCHRONIZED_IO -> _POSIX_SYNCHRONIZED_IO;
            case _SC_FSYNC -> _POSIX_FSYNC;
            case _SC_REALTIME_SIGNALS -> _POSIX_REALTIME_SIGNALS;
            case _SC_AIO_MAX -> l.aioMax();
            case _SC_AIO_LISTIO_MAX -> l.aioListioMax();
            case _SC_AIO_PRIO_DELTA_MAX -> l.aioPrioDeltaMax();
            case _SC_OPEN_MAX -> l.openMax();
            case _SC_SIGQUEUE_MAX -> l.sigqueueMax();
            case _SC_RTSIG_MAX -> SIGRTMAX - SIGRTMIN + 1;
            default -> ret(-Errno.EINVAL);
        };
    }

    /**
     * open (POSIX.1-2017 open) of a host file with Linux open(2) flags; {@code mode} applies with O_CREAT. Returns
     * the lowest free descriptor, or -1 with the host's errno (ENOENT, EEXIST, EACCES, EISDIR, …), EINVAL for
     * unknown flags, EMFILE when OPEN_MAX descriptors are in use.
     */
    public int open(String path, int oflag, int mode) {
        return ret(sync.open(path, oflag, mode));
    }

    /** open without a mode (no O_CREAT). */
    public int open(String path, int oflag) {
        return open(path, oflag, 0);
    }

    /**
     * close (POSIX.1-2017 close): queued requests on the descriptor are canceled, requests in progress complete;
     * the number is reused only after they have. -1/EBADF if not open.
     */
    public int close(int fildes) {
        return ret(sync.close(fildes));
    }

    /** read (POSIX.1-2017 read) at the file offset, which advances; 0 at end of file. */
    public long read(int fildes, MemorySegment buf, long nbyte) {
        return ret(sync.transfer(fildes, Op.READ_SEQUENTIAL, buf, nbyte, 0));
    }

    /** write (POSIX.1-2017 write) at the file offset (the end under O_APPEND), which advances. */
    public long write(int fildes, MemorySegment buf, long nbyte) {
        return ret(sync.transfer(fildes, Op.WRITE_SEQUENTIAL, buf, nbyte, 0));
    }

    /** pread (POSIX.1-2017 pread); -1/ESPIPE on a FIFO or socket. */
    public long pread(int fildes, MemorySegment buf, long nbyte, long offset) {
        return ret(sync.transfer(fildes, Op.READ, buf, nbyte, offset));
    }

    /** pwrite (POSIX.1-2017 pwrite); -1/ESPIPE on a FIFO or socket. */
    public long pwrite(int fildes, MemorySegment buf, long nbyte, long offset) {
        return ret(sync.transfer(fildes, Op.WRITE, buf, nbyte, offset));
    }

    /** fsync (POSIX.1-2017 fsync), after every request queued before it on the descriptor. */
    public int fsync(int fildes) {
        return ret(sync.sync(fildes, true));
    }

    /** fdatasync (POSIX.1-2017 fdatasync), after every request queued before it on the descriptor. */
    public int fdatasync(int fildes) {
        return ret(sync.sync(fildes, false));
    }

    // ----------------------------------------------------------------------------------------------- signal.h

    /**
     * sigaction (POSIX.1-2017 sigaction) for an emulated signal: installs {@code act} (null: leave as is) and
     * stores the previous action in {@code oact} (may be null). -1/EINVAL for an invalid signal, SIGKILL or
     * SIGSTOP. See {@link Signals} for how and where handlers run.
     */
    public int sigaction(int sig, sigaction act, sigaction oact) {
        if (!Signals.valid(sig) || (act != null && (sig == SIGKILL || sig == SIGSTOP))) {
            return ret(-Errno.EINVAL);
        }
        SignalHandler old = act != null ? signals.setHandler(sig, act.sa_sigaction) : signals.handler(sig);
        if (oact != null) {
            oact.sa_sigaction = old;
            oact.sa_flags = old != null ? SA_SIGINFO : 0;
        }
        return 0;
    }

    /** sigqueue (POSIX.1-2017 sigqueue) to this process: -1/EAGAIN at SIGQUEUE_MAX, -1/EINVAL for a bad signal. */
    public int sigqueue(int sig, sigval value) {
        if (!Signals.valid(sig)) {
            return ret(-Errno.EINVAL);
        }
        return ret(signals.sigqueue(sig, value == null ? 0 : value.sival_int, value == null ? null : value.sival_ptr));
    }

    /**
     * pthread_kill (POSIX.1-2017 pthread_kill): a signal meant for {@code thread}, which interrupts its wait. As
     * the pthread functions do, returns 0 or the error number (ESRCH for no thread, EINVAL, EAGAIN) and leaves
     * errno alone.
     */
    public int pthread_kill(Thread thread, int sig) {
        if (thread == null) {
            return ESRCH;
        }
        if (!Signals.valid(sig)) {
            return Errno.EINVAL;
        }
        int rc = signals.pthreadKill(thread, sig);
        return rc < 0 ? -rc : 0;
    }

    // ------------------------------------------------------------------------------------------- sys/socket.h

    /** socket (POSIX.1-2017 socket): AF_INET, SOCK_STREAM (TCP) or SOCK_DGRAM (UDP), on this façade's node. */
    public int socket(int domain, int type, int protocol) {
        return ret(sockets.socket(domain, type, protocol));
    }

    public int bind(int socket, sockaddr_in address) {
        return ret(sockets.bind(socket, address));
    }

    public int listen(int socket, int backlog) {
        return ret(sockets.listen(socket, backlog));
    }

    /** accept: blocks until a connection arrives; fills {@code address} (may be null) with the peer's. */
    public int accept(int socket, sockaddr_in address) {
        return ret(sockets.accept(socket, address));
    }

    /** connect: blocks until the connection is established or refused. */
    public int connect(int socket, sockaddr_in address) {
        return ret(sockets.connect(socket, address));
    }

    public int shutdown(int socket, int how) {
        return ret(sockets.shutdown(socket, how));
    }

    /** setsockopt with an int option value (SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE, SO_LINGER, TCP_NODELAY, …). */
    public int setsockopt(int socket, int level, int optionName, int optionValue) {
        return ret(sockets.setsockopt(socket, level, optionName, optionValue));
    }

    /** getsockopt of an int option into {@code optionValue[0]} (SO_ERROR included). */
    public int getsockopt(int socket, int level, int optionName, int[] optionValue) {
        return ret(sockets.getsockopt(socket, level, optionName, optionValue));
    }

    public int getsockname(int socket, sockaddr_in address) {
        return ret(sockets.name(socket, address, false));
    }

    public int getpeername(int socket, sockaddr_in address) {
        return ret(sockets.name(socket, address, true));
    }

    /**
     * ioctl with an int out-argument, for the Linux socket requests {@link #FIONREAD} (SIOCINQ) and
     * {@link #TIOCOUTQ} (SIOCOUTQ). POSIX.1-2017 specifies ioctl for STREAMS only; these are Linux's. -1 with
     * EBADF, ENOTTY (not a socket, or another request), EINVAL (TIOCOUTQ on a UDP socket), EFAULT.
     */
    public int ioctl(int fildes, int request, int[] argp) {
        return ret(sockets.ioctl(fildes, request, argp));
    }

    /**
     * socketpair: two connected TCP sockets (AF_INET, SOCK_STREAM) on this façade's node, one connected to a
     * listener on the node's own address. Linux has socketpair for AF_UNIX only; here AF_INET is the only family,
     * and the stack must deliver packets for its own address locally. -1/EOPNOTSUPP for other types.
     */
    public int socketpair(int domain, int type, int protocol, int[] sv) {
        return ret(sockets.socketpair(domain, type, protocol, sv));
    }
}
