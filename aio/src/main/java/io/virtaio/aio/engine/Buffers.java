package io.virtaio.aio.engine;

import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;

/** The check every data request makes of its buffer before moving bytes. */
public final class Buffers {
    private Buffers() {
    }

    /**
     * 0 if {@code n} bytes of {@code seg} may be used (written into when {@code into}), else the errno the
     * synchronous read or write would have set: EINVAL for a negative length (a size_t above SSIZE_MAX), EFAULT
     * when the bytes would lie outside a live, large enough, writable buffer (a bad address).
     */
    public static int check(MemorySegment seg, long n, boolean into) {
        if (n < 0) {
            return Errno.EINVAL;
        }
        if (n == 0) {
            return 0;
        }
        if (seg == null || n > seg.byteSize() || (into && seg.isReadOnly()) || !seg.scope().isAlive()) {
            return Errno.EFAULT;
        }
        return 0;
    }
}
