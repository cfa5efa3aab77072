package io.virtaio.netstack.udp;

import io.virtaio.netstack.Socket;
import java.lang.foreign.MemorySegment;

/**
 * A UDP socket on the stack (RFC 768), with the calls a non-blocking BSD datagram socket has.
 *
 * <p>Thread: the stack's only. Calls return at once: a non-negative result or {@code -errno}. Received datagrams
 * wait in a bounded queue (beyond it they are dropped and counted). Nothing on the data path allocates.
 *
 * <p>API CONTRACT SKELETON — implemented by the stack work; the signatures and semantics below are binding.
 */
public final class UdpSocket implements Socket {
    /** Value: the receive queue bound in bytes. */
    public static final int SO_RCVBUF = 8;
    public static final int SO_BROADCAST = 6;

    UdpSocket() {
    }

    /** Sets the default destination and filters received datagrams to it: 0 or -errno. */
    public int connect(int address, int port) {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    /**
     * Sends one datagram of {@code len} bytes to {@code address:port} (binding an ephemeral port if unbound).
     *
     * @return len, -EMSGSIZE if it does not fit one packet (no fragmentation), -ENOBUFS when no transmit buffer is
     *     free, -EHOSTUNREACH / -ENETUNREACH, -EDESTADDRREQ
     */
    public int sendTo(MemorySegment src, long off, int len, int address, int port) {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    /** {@link #sendTo} to the connected peer; -EDESTADDRREQ when not connected. */
    public int send(MemorySegment src, long off, int len) {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    /**
     * Takes the next datagram, copying at most {@code len} bytes (the rest of a longer datagram is discarded, as
     * recv(2) without MSG_TRUNC does); the sender is then in {@link #lastSourceAddress()}/{@link #lastSourcePort()}.
     *
     * @return bytes copied, -EAGAIN when the queue is empty, or a pending error (e.g. -ECONNREFUSED after an ICMP
     *     port unreachable on a connected socket)
     */
    public int recvFrom(MemorySegment dst, long off, int len) {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    public int lastSourceAddress() {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    public int lastSourcePort() {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    public int setOption(int option, int value) {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    public int getOption(int option) {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    @Override
    public int readiness() {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    @Override
    public int takeError() {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    @Override
    public int bind(int address, int port) {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    @Override
    public int localAddress() {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    @Override
    public int localPort() {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    @Override
    public int remoteAddress() {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    @Override
    public int remotePort() {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    @Override
    public int close() {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    @Override
    public boolean isClosed() {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    @Override
    public Object attachment() {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    @Override
    public void attach(Object attachment) {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    @Override
    public long id() {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }

    @Override
    public int slot() {
        throw new UnsupportedOperationException("UDP not implemented yet");
    }
}
