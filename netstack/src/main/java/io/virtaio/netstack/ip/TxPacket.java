package io.virtaio.netstack.ip;

import java.lang.foreign.MemorySegment;

/**
 * An outgoing IPv4 packet being built in place: the transport layer writes its header and payload at
 * {@link #l4Offset()} of {@link #segment()}, at most {@link #l4Capacity()} bytes, then commits it through
 * {@link Ipv4Output#commit}. Reused by the output layer: valid only between begin and commit/abort.
 */
public final class TxPacket {
    MemorySegment segment;
    long l4Offset;
    int l4Capacity;
    int src;
    int dst;
    int protocol;
    /** Output-layer bookkeeping (which buffer, which path). */
    int handle;
    int path;

    public MemorySegment segment() {
        return segment;
    }

    public long l4Offset() {
        return l4Offset;
    }

    public int l4Capacity() {
        return l4Capacity;
    }

    /** Source address chosen for the packet (use it in the pseudo-header). */
    public int src() {
        return src;
    }

    public int dst() {
        return dst;
    }

    public int protocol() {
        return protocol;
    }
}
