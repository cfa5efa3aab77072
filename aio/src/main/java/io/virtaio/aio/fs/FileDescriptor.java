package io.virtaio.aio.fs;

import io.virtaio.aio.engine.Buffers;
import io.virtaio.aio.engine.CancelResult;
import io.virtaio.aio.engine.Op;
import io.virtaio.aio.engine.Request;
import io.virtaio.aio.engine.RequestQueue;
import io.virtaio.aio.fd.Descriptor;
import io.virtaio.netstack.Errno;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A host file opened through the runtime: a regular file (seekable: aio_offset is honoured) or a FIFO (not
 * seekable: the offset is ignored and reads return what is available).
 *
 * <p>Requests wait in one queue per descriptor, ordered by aio_reqprio and FIFO within a priority, with aio_fsync
 * as a barrier that nothing crosses (decisions 3 and 7; reads and writes of a file share the queue, which is
 * stricter than per-direction order). A worker runs them one at a time, so O_APPEND writes land in submission order
 * and the file offset of read()/write() needs no further locking. A request is cancelable while it is queued and
 * in progress from the moment a worker takes it (a host call cannot be abandoned halfway).
 *
 * <p>The queue is guarded by a {@link ReentrantLock} held only to link or unlink requests, never across I/O or
 * completion; file I/O is not on the network path, where there are no locks.
 *
 * <p>O_APPEND is done by the host: writes go through a second channel opened with APPEND (Java refuses READ with
 * APPEND on one channel), so appends stay atomic against other processes too. The second open names the same
 * path, which is a window for a rename in between; that is accepted.
 */
public final class FileDescriptor extends Descriptor {
    /** Requests run per turn on a worker before the descriptor goes to the back of the ready queue. */
    private static final int BATCH = 16;

    private final Path path;
    private final FileChannel channel;
    private final FileChannel appender;
    private final boolean readable;
    private final boolean writable;
    private final boolean seekable;
    private final FileWorkers workers;

    private final ReentrantLock lock = new ReentrantLock();
    private final RequestQueue queue = new RequestQueue();
    /** On the ready queue or being drained; guarded by lock. */
    private boolean scheduled;
    /** Closed: requests arriving now are canceled; guarded by lock. */
    private boolean closing;
    /** The request a worker is running; guarded by lock. */
    private Request running;
    /** The file offset of read() and write(); touched only by the request running. */
    private long position;

    private FileDescriptor(Path path, FileChannel channel, FileChannel appender, int flags, boolean seekable,
            FileWorkers workers) {
        this.path = path;
        this.channel = channel;
        this.appender = appender;
        this.readable = OpenFlags.readable(flags);
        this.writable = OpenFlags.writable(flags);
        this.seekable = seekable;
        this.workers = workers;
    }

    /**
     * Opens {@code path} as open(2) would with {@code flags} (checked by {@link OpenFlags#check}) and, when
     * creating, permission bits {@code mode} (the process umask applies, as the host applies it).
     *
     * @throws IOException as the host reports it; {@link IoErrno#of} gives the errno
     */
    public static FileDescriptor open(Path path, int flags, int mode, FileWorkers workers) throws IOException {
        boolean rd = OpenFlags.readable(flags);
        boolean wr = OpenFlags.writable(flags);
        Set<OpenOption> options = new HashSet<>();
        if (rd) {
            options.add(StandardOpenOption.READ);
        }
        if (wr) {
            options.add(StandardOpenOption.WRITE);
        }
        boolean create = (flags & OpenFlags.O_CREAT) != 0;
        if (create) {
            // POSIX.1-2017 open: O_EXCL without O_CREAT is undefined; we ignore it.
            options.add((flags & OpenFlags.O_EXCL) != 0 ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE);
        }
        if ((flags & OpenFlags.O_TRUNC) != 0 && wr) {
            // O_TRUNC with O_RDONLY is unspecified by POSIX; here it has no effect.
            options.add(StandardOpenOption.TRUNCATE_EXISTING);
        }
        Set<OpenOption> syncOptions = new HashSet<>();
        if (OpenFlags.sync(flags)) {
            syncOptions.add(StandardOpenOption.SYNC);
        } else if (OpenFlags.dsync(flags)) {
            syncOptions.add(StandardOpenOption.DSYNC);
        }
        options.addAll(syncOptions);
        if ((flags & OpenFlags.O_NOFOLLOW) != 0) {
            options.add(LinkOption.NOFOLLOW_LINKS);
        }
        if ((flags & OpenFlags.O_DIRECTORY) != 0 && !Files.isDirectory(path)) {
            throw new NotDirectoryException(path.toString());
        }
        if (create && !wr) {
            // Java ignores CREATE on a channel opened only for reading; POSIX creates the file (O_CREAT|O_RDONLY).
            options.remove(StandardOpenOption.CREATE);
            options.remove(StandardOpenOption.CREATE_NEW);
            createForReading(path, (flags & OpenFlags.O_EXCL) != 0, permissions(mode));
        }
        FileChannel ch = openChannel(path, options, create && wr ? permissions(mode) : null);
        FileChannel app = null;
        boolean seekable;
        try {
            seekable = isSeekable(ch);
            if ((flags & OpenFlags.O_APPEND) != 0 && wr && seekable) {
                Set<OpenOption> appendOptions = new HashSet<>(syncOptions);
                appendOptions.add(StandardOpenOption.WRITE);
                appendOptions.add(StandardOpenOption.APPEND);
                app = FileChannel.open(path, appendOptions);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new FileDescriptor(path, ch, app, flags, seekable, workers);
    }

    private static void createForReading(Path path, boolean exclusive, FileAttribute<?> perms) throws IOException {
        try {
            try {
                Files.createFile(path, perms);
            } catch (UnsupportedOperationException noPosixPermissions) {
                Files.createFile(path);
            }
        } catch (FileAlreadyExistsException e) {
            if (exclusive) {
                throw e;
            }
        }
    }

    private static FileChannel openChannel(Path path, Set<OpenOption> options, FileAttribute<?> perms)
            throws IOException {
        if (perms == null) {
            return FileChannel.open(path, options);
        }
        try {
            return FileChannel.open(path, options, perms);
        } catch (UnsupportedOperationException noPosixPermissions) {
            return FileChannel.open(path, options);
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> permissions(int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                perms.add(bits[i]);
            }
        }
        return PosixFilePermissions.asFileAttribute(perms);
    }

    /** lseek on a FIFO (or pipe, or socket) fails with ESPIPE; everything else has an offset. */
    private static boolean isSeekable(FileChannel ch) {
        try {
            ch.position();
            return true;
        } catch (IOException espipe) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------------ queueing

    @Override
    public int submit(Request r) {
        boolean schedule = false;
        boolean cancel = false;
        lock.lock();
        try {
            if (closing) {
                cancel = true;
            } else {
                queue.addByPriority(r);
                r.markQueued();
                if (!scheduled) {
                    scheduled = true;
                    schedule = true;
                }
            }
        } finally {
            lock.unlock();
        }
        if (cancel) {
            r.complete(-1, Errno.ECANCELED);
        } else if (schedule) {
            workers.schedule(this);
        }
        return 0;
    }

    @Override
    public int cancel(Request r) {
        RequestQueue canceled = new RequestQueue();
        int inProgress = 0;
        lock.lock();
        try {
            if (r == null) {
                queue.moveAllTo(canceled);
                if (running != null && running.status() == Errno.EINPROGRESS) {
                    inProgress = 1;
                }
            } else if (queue.remove(r)) {
                canceled.addLast(r);
            } else if (r == running && r.status() == Errno.EINPROGRESS) {
                inProgress = 1;
            }
        } finally {
            lock.unlock();
        }
        int n = canceled.size();
        Request c;
        while ((c = canceled.poll()) != null) {
            c.complete(-1, Errno.ECANCELED);
        }
        return CancelResult.of(n, inProgress);
    }

    @Override
    protected void onClose() {
        lock.lock();
        try {
            closing = true;
        } finally {
            lock.unlock();
        }
        cancel(null);
    }

    @Override
    protected void onLastRelease() {
        closeChannels();
    }

    @Override
    public void abortInProgress() {
        // Closing the channels makes a host call blocked in it fail with AsynchronousCloseException (ECANCELED).
        closeChannels();
    }

    private void closeChannels() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // close(2) errors after the last reference have no one to be reported to.
        }
        if (appender != null) {
            try {
                appender.close();
            } catch (IOException ignored) {
                // as above
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ execution

    /** On a worker: runs up to a batch of queued requests, in order. */
    void drain(FileWorkers.Worker w) {
        for (int done = 0; ; done++) {
            Request r;
            lock.lock();
            try {
                running = null;
                if (done == BATCH) {
                    r = null;
                    if (queue.isEmpty()) {
                        scheduled = false;
                        return;
                    }
                } else {
                    r = queue.poll();
                    if (r == null) {
                        scheduled = false;
                        return;
                    }
                    r.markActive();
                    running = r;
                }
            } finally {
                lock.unlock();
            }
            if (r == null) {
                // Fairness: the descriptor stays scheduled and goes to the back of the ready queue.
                workers.schedule(this);
                return;
            }
            r.completeWith(execute(r, w));
        }
    }

    private long execute(Request r, FileWorkers.Worker w) {
        int op = r.op();
        try {
            return switch (op) {
                case Op.READ, Op.READ_SEQUENTIAL -> read(r, w);
                case Op.WRITE, Op.WRITE_SEQUENTIAL -> write(r, w);
                case Op.FSYNC, Op.FDATASYNC -> {
                    // POSIX.1-2017 aio_fsync: O_SYNC as fsync(), O_DSYNC as fdatasync().
                    channel.force(op == Op.FSYNC);
                    yield 0;
                }
                default -> -Errno.EINVAL;
            };
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            return -IoErrno.of(e);
        }
    }

    private long read(Request r, FileWorkers.Worker w) throws IOException {
        if (!readable) {
            return -Errno.EBADF;
        }
        int bad = Buffers.check(r.buffer(), r.length(), true);
        if (bad != 0) {
            return -bad;
        }
        boolean sequential = r.op() == Op.READ_SEQUENTIAL;
        long pos = !seekable ? -1 : sequential ? position : r.offset();
        if (seekable && pos < 0) {
            // POSIX.1-2017 aio_read [EINVAL]: "The file offset value implied by aio_offset would be invalid".
            return -Errno.EINVAL;
        }
        if (r.length() == 0) {
            return 0;
        }
        long n = Transfers.read(r, channel, pos, w);
        if (sequential && seekable && n > 0) {
            position += n;
        }
        return n;
    }

    private long write(Request r, FileWorkers.Worker w) throws IOException {
        if (!writable) {
            return -Errno.EBADF;
        }
        int bad = Buffers.check(r.buffer(), r.length(), false);
        if (bad != 0) {
            return -bad;
        }
        boolean sequential = r.op() == Op.WRITE_SEQUENTIAL;
        if (appender != null) {
            // POSIX.1-2017 write: with O_APPEND the offset is set to the end of the file before each write.
            long n = r.length() == 0 ? 0 : Transfers.write(r, appender, -1, w);
            if (sequential) {
                position = appender.position();
            }
            return n;
        }
        long pos = !seekable ? -1 : sequential ? position : r.offset();
        if (seekable && pos < 0) {
            return -Errno.EINVAL;
        }
        if (seekable && r.length() > Long.MAX_VALUE - pos) {
            return -Errno.EFBIG;
        }
        if (r.length() == 0) {
            return 0;
        }
        long n = Transfers.write(r, channel, pos, w);
        if (sequential && seekable && n > 0) {
            position += n;
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------------ properties

    @Override
    public boolean readable() {
        return readable;
    }

    @Override
    public boolean writable() {
        return writable;
    }

    @Override
    public boolean seekable() {
        return seekable;
    }

    @Override
    public boolean syncable() {
        return seekable;
    }

    @Override
    public String describe() {
        return (seekable ? "file " : "fifo ") + path;
    }
}
