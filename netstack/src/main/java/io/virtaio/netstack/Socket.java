package io.virtaio.netstack;

/**
 * A socket on a {@link Stack}: what TCP and UDP sockets have in common. (Implemented by
 * {@link io.virtaio.netstack.tcp.TcpSocket} and {@link io.virtaio.netstack.udp.UdpSocket} only; not sealed because
 * sealing across packages needs named modules.)
 *
 * <p>Every method must be called on the stack's thread (the loop that polls it). Calls never block: they return a
 * non-negative result or {@code -errno} ({@link Errno}). Readiness uses poll(2)'s bits; whenever it may have
 * changed, the socket is queued once ({@link SocketEvents}) for {@link Stack#drainEvents}, so the layer above
 * completes requests without scanning every socket.
 */
public interface Socket {
    /** Data (or end of stream, or a connection on a listener) can be read without blocking. */
    int POLLIN = 0x001;
    /** Data can be written without blocking (and, after connect, the connection is established). */
    int POLLOUT = 0x004;
    /** A pending error: {@link #takeError()} returns it. */
    int POLLERR = 0x008;
    /** Both directions are shut (reset, or FIN received after shutting our side). */
    int POLLHUP = 0x010;
    /** The peer closed its side (FIN received). */
    int POLLRDHUP = 0x2000;

    /** The current readiness bits. */
    int readiness();

    /** The pending error as a positive errno, cleared by the call (SO_ERROR); 0 if none. */
    int takeError();

    /** Binds to a local address (0 = any) and port (0 = an ephemeral one): 0 or -errno. */
    int bind(int address, int port);

    int localAddress();

    int localPort();

    /** The peer's address, 0 when not connected. */
    int remoteAddress();

    int remotePort();

    /** Releases the socket (TCP: graceful close; the connection may live on until its FIN is acknowledged). */
    int close();

    /** True once {@link #close()} was called (or the stack closed). */
    boolean isClosed();

    /** Whatever the layer above attached (so events need no map lookup). */
    Object attachment();

    void attach(Object attachment);

    /** A number unique within the stack, for logs. */
    long id();

    /** The socket's slot in the stack's socket table (reused after the socket is gone). */
    int slot();
}
