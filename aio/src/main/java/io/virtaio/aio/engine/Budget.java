package io.virtaio.aio.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The runtime-wide count of outstanding requests, bounded by {@code AIO_MAX} (decision 9). A request takes a slot
 * when it is submitted and gives it back once its notification has been handed off, so that queued signals and
 * pending SIGEV_THREAD callbacks are bounded too.
 */
public final class Budget {
    private final int max;
    private final AtomicInteger used = new AtomicInteger();

    public Budget(int max) {
        this.max = max;
    }

    /** Takes {@code n} slots at once, or none: false when fewer than {@code n} are free. */
    public boolean tryAcquire(int n) {
        for (;;) {
            int u = used.get();
            if (n > max - u) {
                return false;
            }
            if (used.compareAndSet(u, u + n)) {
                return true;
            }
        }
    }

    public void release(int n) {
        int u = used.addAndGet(-n);
        if (u < 0) {
            throw new IllegalStateException("AIO budget released more than taken: " + u);
        }
    }

    public int used() {
        return used.get();
    }

    public int max() {
        return max;
    }
}
