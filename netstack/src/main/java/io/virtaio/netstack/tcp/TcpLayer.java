package io.virtaio.netstack.tcp;

import io.virtaio.netstack.StackContext;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * TCP for one stack: the connection table, listeners, and the segment input and output paths.
 *
 * <p>Thread: the stack's. The stack calls {@link #input} for every TCP segment addressed to it, {@link #icmpError}
 * for ICMP errors quoting a TCP segment, and {@link #output} once per poll after input and timers, so that ACKs
 * for a batch of received segments coalesce.
 *
 * <p>SEAM SKELETON — implemented by the TCP work; the signatures and semantics below are binding.
 */
public final class TcpLayer {
    public TcpLayer(StackContext ctx) {
    }

    /**
     * A TCP segment arrived. The IPv4 header was valid and addressed to this stack.
     *
     * @param src        source address (IPv4 header)
     * @param dst        destination address (IPv4 header; ours)
     * @param seg        segment holding the TCP header and payload
     * @param off        offset of the TCP header
     * @param len        TCP header + payload length (from the IPv4 total length)
     * @param checksumOk the device vouched for the checksum (no software verification needed)
     */
    public void input(int src, int dst, MemorySegment seg, long off, int len, boolean checksumOk, long nowNs) {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /**
     * An ICMP error (RFC 792; RFC 1122 4.2.3.9) quoting a segment we sent from {@code localPort} to
     * {@code remote:remotePort} with sequence number {@code seq}. {@code nextHopMtu} is set for fragmentation
     * needed (RFC 1191), else 0.
     */
    public void icmpError(int type, int code, int remote, int localPort, int remotePort, int seq, int nextHopMtu,
                          long nowNs) {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /** Sends what is pending on every connection that has something to send; returns segments sent. */
    public int output(long nowNs) {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /** True if some connection has output pending. */
    public boolean hasPendingOutput() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /** A new unbound socket, or null when the socket table is full. */
    public TcpSocket newSocket() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /** Aborts every connection and frees every buffer (stack shutdown). */
    public void closeAll() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /** Stack-wide TCP counters by name. */
    public Map<String, Long> counters() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }
}
