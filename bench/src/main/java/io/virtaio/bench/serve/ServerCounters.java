package io.virtaio.bench.serve;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What a {@link StackServer} did: connections, bytes, requests, failures. Thread-safe; any thread may read. */
public final class ServerCounters {
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong closed = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong badRequests = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong acceptFailures = new AtomicLong();

    void onAccept() {
        accepted.incrementAndGet();
        maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
    }

    void onClose() {
        closed.incrementAndGet();
        open.decrementAndGet();
    }

    void onReceive(long n) {
        bytesIn.addAndGet(n);
    }

    void onSend(long n) {
        bytesOut.addAndGet(n);
    }

    void onRequest(boolean ok) {
        requests.incrementAndGet();
        if (!ok) {
            badRequests.incrementAndGet();
        }
    }

    void onFailure() {
        failures.incrementAndGet();
    }

    void onAcceptFailure() {
        acceptFailures.incrementAndGet();
    }

    /** Connections accepted. */
    public long accepted() {
        return accepted.get();
    }

    /** Connections finished (closed by either side, or failed). */
    public long closed() {
        return closed.get();
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    /** The most connections open at once. */
    public int maxOpen() {
        return maxOpen.get();
    }

    /** Payload bytes read from clients. */
    public long bytesIn() {
        return bytesIn.get();
    }

    /** Payload bytes written to clients. */
    public long bytesOut() {
        return bytesOut.get();
    }

    /** HTTP requests answered, bad ones included. */
    public long requests() {
        return requests.get();
    }

    /** HTTP requests answered with a 4xx or 5xx status. */
    public long badRequests() {
        return badRequests.get();
    }

    /** Connections that ended with an error (a reset, a timeout) instead of an end of stream. */
    public long failures() {
        return failures.get();
    }

    /** Accepts that failed (the listener stays open). */
    public long acceptFailures() {
        return acceptFailures.get();
    }

    /** Every counter by name. */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("accepted", accepted());
        m.put("closed", closed());
        m.put("open", (long) open());
        m.put("maxOpen", (long) maxOpen());
        m.put("bytesIn", bytesIn());
        m.put("bytesOut", bytesOut());
        m.put("requests", requests());
        m.put("badRequests", badRequests());
        m.put("failures", failures());
        m.put("acceptFailures", acceptFailures());
        return m;
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
