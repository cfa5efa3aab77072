package io.virtaio.virtio.tap;

import io.virtaio.virtio.backend.FrameSink;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link TapBackend} did, per direction. The receive side (kernel → device) is written only by the TAP's
 * reader thread, the transmit side (device → kernel) only by the thread running the device's transmit path, the
 * offload fields only by the transport; any thread may read and sees recent values, with no ordering promised.
 *
 * <p>Every frame read is accounted for exactly once: {@code rxFrames = rxDelivered + Σ rxRefused + rxRunts +
 * rxTruncated}. Every frame offered is too: {@code txFrames = txWritten + Σ txErrors + txShort + txTooBig +
 * txClosed}.
 */
public final class TapCounters {
    // Receive: frames the kernel sent out of the TAP interface, towards the device.
    long rxFrames;
    long rxBytes;
    long rxDelivered;
    long rxDeliveredBytes;
    /** By FrameSink drop code, indexed by -code; 0 for a code out of range. */
    final long[] rxRefused = new long[8];
    long rxRunts;
    long rxTruncated;
    long rxNeedsCsum;
    long rxDataValid;
    /** Reads that failed, by errno (EAGAIN after a wake-up is not counted here but in rxEmptyReads). */
    final long[] rxErrors = new long[LinuxErrno.MAX];
    long rxEmptyReads;
    long rxWakeups;
    long rxBatches;
    long rxRoomWaits;

    // Transmit: frames the device handed over, written into the TAP towards the kernel.
    long txFrames;
    long txBytes;
    long txWritten;
    long txWrittenBytes;
    /** Writes that failed, by errno: EINVAL (tun.c rejected the header or frame), EIO (interface down), ... */
    final long[] txErrors = new long[LinuxErrno.MAX];
    long txShort;
    long txTooBig;
    long txClosed;
    long txCopied;
    long txNeedsCsum;

    // Offloads.
    volatile int offloads;
    long offloadChanges;
    long offloadFailures;

    static void countErrno(long[] byErrno, int errno) {
        byErrno[errno > 0 && errno < byErrno.length ? errno : 0]++;
    }

    /** Frames read from the TAP. */
    public long rxFrames() {
        return rxFrames;
    }

    /** Bytes of those frames (virtio-net headers not counted). */
    public long rxBytes() {
        return rxBytes;
    }

    /** Frames the device's receive path took. */
    public long rxDelivered() {
        return rxDelivered;
    }

    /** Frames the device refused with FrameSink code {@code code} (e.g. {@link FrameSink#DROP_NO_BUFFER}). */
    public long rxRefused(int code) {
        return code < 0 && -code < rxRefused.length ? rxRefused[-code] : 0;
    }

    /** Frames the device refused, all codes. */
    public long rxRefused() {
        long n = 0;
        for (long r : rxRefused) {
            n += r;
        }
        return n;
    }

    /** Reads shorter than a virtio-net header and an Ethernet header: dropped. */
    public long rxRunts() {
        return rxRunts;
    }

    /** Reads that filled the whole buffer, so may have been cut: dropped. */
    public long rxTruncated() {
        return rxTruncated;
    }

    /** Frames the kernel sent with a partial checksum (possible only with TUN_F_CSUM). */
    public long rxNeedsCsum() {
        return rxNeedsCsum;
    }

    /** Frames the kernel sent flagged DATA_VALID (it verified the checksum). */
    public long rxDataValid() {
        return rxDataValid;
    }

    /** Failed reads with {@code errno}. */
    public long rxErrors(int errno) {
        return errno > 0 && errno < rxErrors.length ? rxErrors[errno] : 0;
    }

    /** Failed reads, all errnos. */
    public long rxErrors() {
        return sum(rxErrors);
    }

    /** Times poll(2) returned with the TAP readable. */
    public long rxWakeups() {
        return rxWakeups;
    }

    /**
     * Frames the device had no receive buffer for, held by the reader until the driver posted some, while the kernel
     * kept the rest queued (backpressure); each then counts once, delivered or refused.
     */
    public long rxRoomWaits() {
        return rxRoomWaits;
    }

    /** Batches handed to the device, each ended by one flush (one used-ring publication, at most one interrupt). */
    public long rxBatches() {
        return rxBatches;
    }

    /** Frames the device's transmit path handed to the backend. */
    public long txFrames() {
        return txFrames;
    }

    public long txBytes() {
        return txBytes;
    }

    /** Frames the kernel took. */
    public long txWritten() {
        return txWritten;
    }

    /** Failed writes with {@code errno}. */
    public long txErrors(int errno) {
        return errno > 0 && errno < txErrors.length ? txErrors[errno] : 0;
    }

    /** Failed writes, all errnos. */
    public long txErrors() {
        return sum(txErrors);
    }

    /** Writes the kernel took only in part (never seen from tun.c, which takes a frame whole or not at all). */
    public long txShort() {
        return txShort;
    }

    /** Frames handed over after {@link TapBackend#close()}: dropped. */
    public long txClosed() {
        return txClosed;
    }

    /** Frames handed to the kernel with a partial checksum (NEEDS_CSUM), which it completes if it forwards them. */
    public long txNeedsCsum() {
        return txNeedsCsum;
    }

    /** Frames in Java heap memory, copied to native memory before the write. */
    public long txCopied() {
        return txCopied;
    }

    /** The TUN_F_ offload flags in force. */
    public int offloads() {
        return offloads;
    }

    /** TUNSETOFFLOAD calls that failed (the previous offloads stay in force). */
    public long offloadFailures() {
        return offloadFailures;
    }

    private static long sum(long[] a) {
        long n = 0;
        for (long x : a) {
            n += x;
        }
        return n;
    }

    /** Every counter by name; errno and drop-code breakdowns only where nonzero. A snapshot; allocates. */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("rx.frames", rxFrames);
        m.put("rx.bytes", rxBytes);
        m.put("rx.delivered", rxDelivered);
        m.put("rx.delivered_bytes", rxDeliveredBytes);
        for (int i = 0; i < rxRefused.length; i++) {
            if (rxRefused[i] != 0) {
                m.put("rx.refused." + (i == 0 ? "other" : FrameSink.name(-i)), rxRefused[i]);
            }
        }
        m.put("rx.drop.runt", rxRunts);
        m.put("rx.drop.truncated", rxTruncated);
        m.put("rx.needs_csum", rxNeedsCsum);
        m.put("rx.data_valid", rxDataValid);
        putErrors(m, "rx.error.", rxErrors);
        m.put("rx.empty_reads", rxEmptyReads);
        m.put("rx.wakeups", rxWakeups);
        m.put("rx.batches", rxBatches);
        m.put("rx.room_waits", rxRoomWaits);
        m.put("tx.frames", txFrames);
        m.put("tx.bytes", txBytes);
        m.put("tx.written", txWritten);
        m.put("tx.written_bytes", txWrittenBytes);
        putErrors(m, "tx.error.", txErrors);
        m.put("tx.drop.short", txShort);
        m.put("tx.drop.too_big", txTooBig);
        m.put("tx.drop.closed", txClosed);
        m.put("tx.copied", txCopied);
        m.put("tx.needs_csum", txNeedsCsum);
        m.put("offloads", (long) offloads);
        m.put("offload.changes", offloadChanges);
        m.put("offload.failures", offloadFailures);
        return m;
    }

    private static void putErrors(Map<String, Long> m, String prefix, long[] byErrno) {
        for (int e = 0; e < byErrno.length; e++) {
            if (byErrno[e] != 0) {
                m.put(prefix + (e == 0 ? "other" : LinuxErrno.name(e)), byErrno[e]);
            }
        }
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
