package io.virtaio.netstack.tcp;

import io.virtaio.netstack.Socket;
import java.lang.foreign.MemorySegment;

/**
 * A TCP socket on the stack (RFC 9293), with the calls a non-blocking BSD socket has.
 *
 * <p>Thread: the stack's only. Every call returns at once: a non-negative result, or {@code -errno}. Readiness
 * ({@link Socket#POLLIN} etc.) changes are queued as stack events. Data calls copy between the caller's segment and
 * the socket's buffers; nothing on the data path allocates.
 *
 * <p>API CONTRACT SKELETON — implemented by the TCP work; the signatures and semantics below are binding.
 */
public final class TcpSocket implements Socket {
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    /** Options for {@link #setOption}/{@link #getOption}, numbered as Linux numbers them. */
    public static final int TCP_NODELAY = 1;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    /** Value: seconds; 0 makes close() send RST and drop queued data (SO_LINGER with l_linger 0). -1 = off. */
    public static final int SO_LINGER = 13;
    /** Value: 0 = cubic, 1 = newreno (TCP_CONGESTION, by number since values are ints here). */
    public static final int TCP_CONGESTION = 13 + 1000;

    TcpSocket() {
    }

    /** Starts listening with a backlog (clamped to the configured maximum): 0, or -EINVAL if not bound/closed. */
    public int listen(int backlog) {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /** An established connection from the accept queue, or null if none (then POLLIN is clear). */
    public TcpSocket accept() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /**
     * Active open. Returns -EINPROGRESS once the SYN is on its way (completion shows as POLLOUT, failure as POLLERR
     * with {@link #takeError()}: ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH), -EISCONN, -EALREADY, -EADDRNOTAVAIL.
     */
    public int connect(int address, int port) {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /**
     * Queues up to {@code len} bytes of {@code src} at {@code off} for sending.
     *
     * @return bytes queued (≥ 1 when len ≥ 1), 0 for len 0, -EAGAIN when the send buffer is full, -EPIPE after
     *     shutdown(SHUT_WR)/close or once the peer reset, -ENOTCONN before the connection is established,
     *     -ECONNRESET / -ETIMEDOUT when the connection failed
     */
    public int send(MemorySegment src, long off, int len) {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /**
     * Copies up to {@code len} received bytes into {@code dst} at {@code off}.
     *
     * @return bytes copied (≥ 1), 0 at end of stream (FIN received and all data read) or for len 0, -EAGAIN when
     *     nothing is available yet, -ENOTCONN, -ECONNRESET / -ETIMEDOUT when the connection failed
     */
    public int recv(MemorySegment dst, long off, int len) {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /** SHUT_RD, SHUT_WR (FIN after queued data) or SHUT_RDWR: 0, -ENOTCONN, -EINVAL. */
    public int shutdown(int how) {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /** Resets the connection now (RST), dropping queued data; pending operations see ECONNRESET/ECONNABORTED. */
    public void abort() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    public int setOption(int option, int value) {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    public int getOption(int option) {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    public TcpState state() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /** Bytes that can be read now without blocking. */
    public int readable() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    /** Free space in the send buffer. */
    public int writable() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    @Override
    public int readiness() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    @Override
    public int takeError() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    @Override
    public int bind(int address, int port) {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    @Override
    public int localAddress() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    @Override
    public int localPort() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    @Override
    public int remoteAddress() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    @Override
    public int remotePort() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    @Override
    public int close() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    @Override
    public boolean isClosed() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    @Override
    public Object attachment() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    @Override
    public void attach(Object attachment) {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    @Override
    public long id() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }

    @Override
    public int slot() {
        throw new UnsupportedOperationException("TCP not implemented yet");
    }
}
