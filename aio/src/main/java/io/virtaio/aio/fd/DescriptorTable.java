package io.virtaio.aio.fd;

import io.virtaio.netstack.Errno;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Descriptor numbers of one runtime: int → {@link Descriptor}.
 *
 * <p>Lookups are lock-free (one volatile array read); installing and freeing numbers take a short lock, since they
 * happen on open, close and accept, never per I/O. A closed descriptor keeps its number reserved until its last
 * reference is dropped, so a number is not reused while requests on the previous file are still pending or
 * notifying (glibc bug 14942: a new file must never receive an old file's I/O or cancellation).
 */
public final class DescriptorTable {
    private final AtomicReferenceArray<Descriptor> slots;
    private final ReentrantLock lock = new ReentrantLock();
    /** Numbers in use, open or reserved by a closed descriptor; guarded by lock. */
    private final BitSet used;
    private int inUse;

    /** A table of {@code size} numbers (OPEN_MAX). */
    public DescriptorTable(int size) {
        this.slots = new AtomicReferenceArray<>(size);
        this.used = new BitSet(size);
    }

    public int size() {
        return slots.length();
    }

    /**
     * Gives {@code d} the lowest free number (POSIX.1-2017 open: "the lowest numbered file descriptor not
     * currently open for that process"; numbers reserved by closing descriptors count as not free).
     *
     * @return the number, or {@code -EMFILE} when the table is full
     */
    public int install(Descriptor d) {
        lock.lock();
        try {
            int n = used.nextClearBit(0);
            if (n >= slots.length()) {
                return -Errno.EMFILE;
            }
            used.set(n);
            inUse++;
            d.install(this, n);
            slots.set(n, d);
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** The open descriptor numbered {@code fd}, or null; takes no reference. */
    public Descriptor get(int fd) {
        if (fd < 0 || fd >= slots.length()) {
            return null;
        }
        Descriptor d = slots.get(fd);
        return d == null || d.isClosed() ? null : d;
    }

    /** The open descriptor numbered {@code fd} with a reference taken (release it), or null: EBADF. */
    public Descriptor acquire(int fd) {
        Descriptor d = get(fd);
        return d != null && d.acquire() ? d : null;
    }

    /**
     * Closes {@code fd} (POSIX.1-2017 close): queued requests are canceled, requests in progress complete, the
     * number stays reserved until they have.
     *
     * @return 0, or {@code -EBADF} if {@code fd} is not open
     */
    public int close(int fd) {
        Descriptor d = acquire(fd);
        if (d == null) {
            return -Errno.EBADF;
        }
        try {
            if (!d.markClosed()) {
                return -Errno.EBADF;
            }
            d.onClose();
            return 0;
        } finally {
            d.release();
        }
    }

    /** Called by the descriptor when it is closed and unreferenced. */
    void free(int fd, Descriptor d) {
        lock.lock();
        try {
            if (fd >= 0 && slots.get(fd) == d) {
                slots.set(fd, null);
                used.clear(fd);
                inUse--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Every descriptor still holding a number: open ones and closed ones with requests outstanding. */
    public List<Descriptor> descriptors() {
        List<Descriptor> all = new ArrayList<>();
        for (int i = 0; i < slots.length(); i++) {
            Descriptor d = slots.get(i);
            if (d != null) {
                all.add(d);
            }
        }
        return all;
    }

    /** Numbers in use, open or reserved. */
    public int inUse() {
        lock.lock();
        try {
            return inUse;
        } finally {
            lock.unlock();
        }
    }

    /** Descriptors open now. */
    public int openCount() {
        int n = 0;
        for (int i = 0; i < slots.length(); i++) {
            Descriptor d = slots.get(i);
            if (d != null && !d.isClosed()) {
                n++;
            }
        }
        return n;
    }

    /** Closes every open descriptor (runtime shutdown). */
    public void closeAll() {
        for (int i = 0; i < slots.length(); i++) {
            Descriptor d = slots.get(i);
            if (d != null && !d.isClosed()) {
                close(i);
            }
        }
    }
}
