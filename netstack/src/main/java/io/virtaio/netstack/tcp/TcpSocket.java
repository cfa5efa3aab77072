package io.virtaio.netstack.tcp;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A TCP socket on the stack (RFC 9293), with the calls a non-blocking BSD socket has.
 *
 * <p>Thread: the stack's only. Every call returns at once: a non-negative result, or {@code -errno}. Readiness
 * ({@link Socket#POLLIN} etc.) changes are queued as stack events. Data calls copy between the caller's segment and
 * the socket's buffers; nothing on the data path allocates. Data queued by {@link #send} leaves at the stack's
 * next output (poll or flush), so several sends coalesce into full segments.
 *
 * <p>Errors follow Linux: a pending error (SO_ERROR) is returned once by the next call ({@code -ECONNRESET},
 * {@code -ETIMEDOUT}, ...), after which {@link #send} returns {@code -EPIPE} and {@link #recv} 0. Misuse (bad
 * offsets, negative lengths) throws {@link IllegalArgumentException} / {@link IndexOutOfBoundsException}.
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

    /**
     * Takes in-order payload straight from the received segment when nothing is buffered (the hook for receiving
     * directly into a pending read's buffer, saving the copy through the receive ring). Called on the stack's
     * thread during input; must not call back into the stack.
     */
    @FunctionalInterface
    public interface DirectReader {
        /** Takes up to {@code len} bytes at {@code off} of {@code src}; returns how many it took (0..len). */
        int take(MemorySegment src, long off, int len);
    }

    private final TcpLayer layer;
    private int slot = -1;
    private boolean slotReleased;
    private long id;
    private Object attachment;
    private boolean closed;
    private int localAddr;
    private int localPort;
    private boolean bound;
    private Listener listener;
    private Connection conn;
    private int remoteAddr;
    private int remotePort;
    private int pendingError;
    /** The connection ended (reset, timeout, or closed normally) after having been open. */
    private boolean ended;
    private boolean everConnected;
    private boolean shutWr;
    private boolean shutRd;

    private boolean noDelay;
    private boolean keepAlive;
    private int sendBuffer;
    private int receiveBuffer;
    /** SO_SNDBUF / SO_RCVBUF was set: that buffer keeps its size (no autotuning, as Linux's SOCK_*BUF_LOCK). */
    private boolean sendBufferLocked;
    private boolean receiveBufferLocked;
    private int linger = -1;
    private String congestion;
    private DirectReader directReader;

    TcpSocket(TcpLayer layer) {
        this.layer = layer;
        TcpConfig cfg = layer.config;
        this.noDelay = cfg.noDelayDefault();
        this.keepAlive = cfg.keepAliveIdleNs() > 0;
        this.sendBuffer = cfg.sendBufferBytes();
        this.receiveBuffer = cfg.receiveBufferBytes();
        this.congestion = cfg.congestionControl();
    }

    void setSlot(int s, long socketId) {
        slot = s;
        id = socketId;
    }

    // --------------------------------------------------------------------------------------------------------------
    // Connection management

    /** Starts listening with a backlog (clamped to the configured maximum): 0, or -EINVAL if not bound/closed. */
    public int listen(int backlog) {
        if (closed || !bound || conn != null) {
            return -Errno.EINVAL;
        }
        int b = Math.clamp(backlog, 1, layer.config.maxBacklog());
        if (listener != null) {
            listener.backlog = b;
            return 0;
        }
        if (layer.ports.listener(localPort) != null) {
            return -Errno.EADDRINUSE;
        }
        listener = new Listener(this, localAddr, localPort, b);
        layer.ports.setListener(localPort, listener);
        notifyReady();
        return 0;
    }

    /** An established connection from the accept queue, or null if none (then POLLIN is clear). */
    public TcpSocket accept() {
        if (listener == null || closed) {
            return null;
        }
        return listener.acceptQueue.poll();
    }

    /**
     * Active open. Returns -EINPROGRESS once the SYN is on its way (completion shows as POLLOUT, failure as POLLERR
     * with {@link #takeError()}: ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH), -EISCONN, -EALREADY, -EADDRNOTAVAIL.
     * Also -ENOBUFS when the connection table or the buffer pool is exhausted, -ENETUNREACH without a route,
     * -EADDRINUSE when the bound port already has a connection to that peer, -EBADF after close.
     */
    public int connect(int address, int port) {
        if (closed) {
            return -Errno.EBADF;
        }
        if (listener != null) {
            return -Errno.EISCONN;
        }
        if (conn != null) {
            return switch (conn.state) {
                case SYN_SENT, SYN_RECEIVED -> -Errno.EALREADY;
                case CLOSED -> -Errno.EISCONN;
                default -> -Errno.EISCONN;
            };
        }
        if (ended || everConnected) {
            return -Errno.EISCONN;
        }
        if (port <= 0 || port > 0xFFFF || address == 0 || address == -1 || (address >>> 28) == 0xE) {
            return -Errno.EADDRNOTAVAIL;
        }
        int src = localAddr != 0 ? localAddr : layer.ctx.ip().sourceFor(address);
        if (src == 0) {
            return -Errno.ENETUNREACH;
        }
        int lport = localPort;
        boolean ephemeral = false;
        if (!bound) {
            lport = layer.ports.ephemeral(src, address, port, layer.timeWait);
            if (lport < 0) {
                return -Errno.EADDRNOTAVAIL;
            }
            ephemeral = true;
        } else if (layer.connection(src, lport, address, port) != null
                || layer.timeWait.find(src, lport, address, port) >= 0) {
            return -Errno.EADDRINUSE;
        }
        long now = layer.ctx.nowNs();
        Connection c = layer.newConnection(src, lport, address, port, ephemeral, sendBuffer, receiveBuffer, now);
        if (c == null) {
            if (ephemeral) {
                layer.ports.release(lport);
            }
            return -Errno.ENOBUFS;
        }
        if (ephemeral) {
            localPort = lport;
        }
        localAddr = src;
        remoteAddr = address;
        remotePort = port;
        applyOptions(c);
        c.rcvWs = layer.config.windowScaling() ? receiveWindowScale() : 0;
        c.snd.init(layer.isn.isn(src, lport, address, port, now));
        c.snd.synPending = true;
        c.state = TcpState.SYN_SENT;
        c.socket = this;
        conn = c;
        layer.insert(c);
        layer.counters.inc(TcpCounters.ACTIVE_OPENS);
        c.wantOutput();
        return -Errno.EINPROGRESS;
    }

    private void applyOptions(Connection c) {
        TcpConfig cfg = layer.config;
        c.snd.bufferMax = sendBufferLocked ? 0 : cfg.sendBufferMaxBytes();
        c.rcv.bufferMax = receiveBufferLocked ? 0 : cfg.receiveBufferMaxBytes();
        c.noDelay = noDelay;
        c.keepAlive = keepAlive;
        c.lingerSeconds = linger;
        if (!c.snd.cc.name().equals(congestion)) {
            c.snd.cc = CongestionControl.of(congestion);
        }
    }

    /** A connection accepted from this listener gets the listener's options (as Linux's accept does). */
    void inheritOptions(Connection c, TcpSocket child) {
        child.noDelay = noDelay;
        child.keepAlive = keepAlive;
        child.sendBuffer = sendBuffer;
        child.receiveBuffer = receiveBuffer;
        child.sendBufferLocked = sendBufferLocked;
        child.receiveBufferLocked = receiveBufferLocked;
        child.linger = linger;
        child.congestion = congestion;
        child.applyOptions(c);
    }

    /** Passive open completed: this (new) socket owns {@code c}. */
    void adopt(Connection c) {
        conn = c;
        localAddr = c.localAddr;
        localPort = c.localPort;
        remoteAddr = c.remoteAddr;
        remotePort = c.remotePort;
    }

    /** The connection behind this socket, or null (tests, diagnostics). */
    Connection layerConnection() {
        return conn;
    }

    int sendBufferOption() {
        return sendBuffer;
    }

    int receiveBufferOption() {
        return receiveBuffer;
    }

    /**
     * RFC 7323 §2.2: the shift our SYN or SYN-ACK announces, fixed for the connection's life: large enough for
     * the biggest window the receive buffer may grow to by autotuning (Linux sizes it for tcp_rmem[2] likewise).
     */
    int receiveWindowScale() {
        return TcpLayer.windowScaleFor(layer.config.receiveBufferCeiling(receiveBuffer, receiveBufferLocked));
    }

    // --------------------------------------------------------------------------------------------------------------
    // Data

    /**
     * Queues up to {@code len} bytes of {@code src} at {@code off} for sending.
     *
     * @return bytes queued (≥ 1 when len ≥ 1), 0 for len 0, -EAGAIN when the send buffer is full, -EPIPE after
     *     shutdown(SHUT_WR)/close or once the peer reset, -ENOTCONN before the connection is established,
     *     -ECONNRESET / -ETIMEDOUT when the connection failed
     */
    public int send(MemorySegment src, long off, int len) {
        Objects.checkFromIndexSize(off, len, src.byteSize());
        if (closed) {
            return -Errno.EBADF;
        }
        if (pendingError != 0) {
            return -takeError();
        }
        if (shutWr) {
            return -Errno.EPIPE;
        }
        Connection c = conn;
        if (c == null || c.state == TcpState.CLOSED) {
            return ended ? -Errno.EPIPE : -Errno.ENOTCONN;
        }
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
            return -Errno.ENOTCONN;
        }
        if (!c.canSendData()) {
            return -Errno.EPIPE;
        }
        if (len == 0) {
            return 0;
        }
        int n = c.snd.buf.write(src, off, len);
        if (n < len) {
            c.snd.appBlocked = true;
        }
        if (n == 0) {
            return -Errno.EAGAIN;
        }
        c.wantOutput();
        return n;
    }

    /**
     * Copies up to {@code len} received bytes into {@code dst} at {@code off}.
     *
     * @return bytes copied (≥ 1), 0 at end of stream (FIN received and all data read) or for len 0, -EAGAIN when
     *     nothing is available yet, -ENOTCONN, -ECONNRESET / -ETIMEDOUT when the connection failed
     */
    public int recv(MemorySegment dst, long off, int len) {
        Objects.checkFromIndexSize(off, len, dst.byteSize());
        if (closed) {
            return -Errno.EBADF;
        }
        if (pendingError != 0) {
            return -takeError();
        }
        if (listener != null) {
            return -Errno.ENOTCONN;
        }
        Connection c = conn;
        if (c == null) {
            return ended ? 0 : -Errno.ENOTCONN;
        }
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
            return -Errno.EAGAIN;
        }
        if (len == 0 || shutRd) {
            return 0;
        }
        Receiver r = c.rcv;
        if (r.buf != null && r.buf.attached() && r.buf.readable() > 0) {
            int n = r.buf.read(dst, off, len);
            if (c.state != TcpState.CLOSED) {
                r.onConsumed(n, layer.ctx.nowNs());
                r.afterRead();
            }
            return n;
        }
        if (r.finReceived || c.state == TcpState.CLOSED) {
            return 0;
        }
        return -Errno.EAGAIN;
    }

    /**
     * Installs (or with null removes) a reader that takes in-order payload straight from received segments while
     * nothing is buffered; see {@link DirectReader}. -ENOTCONN without a connection.
     */
    public int setDirectReader(DirectReader reader) {
        directReader = reader;
        if (conn == null) {
            return -Errno.ENOTCONN;
        }
        conn.rcv.direct = reader;
        return 0;
    }

    /** SHUT_RD, SHUT_WR (FIN after queued data) or SHUT_RDWR: 0, -ENOTCONN, -EINVAL. */
    public int shutdown(int how) {
        if (how < SHUT_RD || how > SHUT_RDWR) {
            return -Errno.EINVAL;
        }
        if (closed) {
            return -Errno.EBADF;
        }
        Connection c = conn;
        if (c == null || c.state == TcpState.CLOSED || c.state == TcpState.SYN_SENT) {
            return -Errno.ENOTCONN;
        }
        if (how != SHUT_WR && !shutRd) {
            shutRd = true;
            c.rcv.readShut = true;
            if (c.rcv.buf != null && c.rcv.buf.attached()) {
                c.rcv.buf.skip(Integer.MAX_VALUE);
                c.rcv.afterRead();
            }
        }
        if (how != SHUT_RD && !shutWr) {
            shutWr = true;
            queueFin(c);
        }
        notifyReady();
        return 0;
    }

    /** RFC 9293 §3.10.4 CLOSE: a FIN after the queued data; ESTABLISHED to FIN_WAIT_1, CLOSE_WAIT to LAST_ACK. */
    private static void queueFin(Connection c) {
        if (c.snd.finQueued) {
            return;
        }
        c.snd.finQueued = true;
        switch (c.state) {
            case ESTABLISHED -> c.setState(TcpState.FIN_WAIT_1);
            case CLOSE_WAIT -> c.setState(TcpState.LAST_ACK);
            default -> {
                // SYN_RECEIVED: the FIN follows once established (RFC 9293 §3.10.4).
            }
        }
        c.wantOutput();
    }

    /** Resets the connection now (RST), dropping queued data; pending operations see ECONNRESET/ECONNABORTED. */
    public void abort() {
        Connection c = conn;
        if (c == null || c.state == TcpState.CLOSED) {
            return;
        }
        c.snd.clear();
        c.fail(Errno.ECONNABORTED, true, layer.ctx.nowNs());
    }

    // --------------------------------------------------------------------------------------------------------------
    // Options and state

    /** Sets an option: 0, -ENOPROTOOPT for an unknown one, -EINVAL for a bad value. Buffer sizes apply to
     * connections opened afterwards (rounded up to a power of two, 1 KiB .. 256 MiB). */
    public int setOption(int option, int value) {
        if (closed) {
            return -Errno.EBADF;
        }
        switch (option) {
            case TCP_NODELAY -> {
                noDelay = value != 0;
                if (conn != null) {
                    conn.noDelay = noDelay;
                    conn.wantOutput();
                }
            }
            case SO_KEEPALIVE -> {
                keepAlive = value != 0;
                if (conn != null) {
                    conn.keepAlive = keepAlive;
                    if (keepAlive && conn.isSynchronized()) {
                        conn.armKeepAlive(layer.ctx.nowNs());
                    }
                }
            }
            case SO_SNDBUF -> {
                if (value < 1024 || value > TcpConfig.MAX_BUFFER_BYTES) {
                    return -Errno.EINVAL;
                }
                sendBuffer = value;
                sendBufferLocked = true;
                if (conn != null) {
                    conn.snd.bufferMax = 0;
                }
            }
            case SO_RCVBUF -> {
                if (value < 1024 || value > TcpConfig.MAX_BUFFER_BYTES) {
                    return -Errno.EINVAL;
                }
                receiveBuffer = value;
                receiveBufferLocked = true;
                if (conn != null) {
                    conn.rcv.bufferMax = 0;
                }
            }
            case SO_LINGER -> {
                linger = value < 0 ? -1 : value;
                if (conn != null) {
                    conn.lingerSeconds = linger;
                }
            }
            case TCP_CONGESTION -> {
                if (value != 0 && value != 1) {
                    return -Errno.EINVAL;
                }
                congestion = value == 0 ? "cubic" : "newreno";
                if (conn != null && !conn.snd.cc.name().equals(congestion)) {
                    long cwnd = conn.snd.cc.cwnd();
                    conn.snd.cc = CongestionControl.of(congestion);
                    conn.snd.cc.init(Math.max(cwnd, conn.snd.mss));
                }
            }
            default -> {
                return -Errno.ENOPROTOOPT;
            }
        }
        return 0;
    }

    /**
     * An option's value (buffer sizes as the rings are sized: rounded up to a power of two, and as autotuning has
     * grown them on a connected socket), or -ENOPROTOOPT.
     */
    public int getOption(int option) {
        return switch (option) {
            case TCP_NODELAY -> noDelay ? 1 : 0;
            case SO_KEEPALIVE -> keepAlive ? 1 : 0;
            case SO_SNDBUF -> conn != null && conn.snd.buf != null && conn.snd.buf.attached()
                    ? conn.snd.buf.capacity() : BufferPool.ringSize(sendBuffer);
            case SO_RCVBUF -> conn != null && conn.rcv.buf != null && conn.rcv.buf.attached()
                    ? conn.rcv.buf.capacity() : BufferPool.ringSize(receiveBuffer);
            case SO_LINGER -> linger;
            case TCP_CONGESTION -> congestion.equals("cubic") ? 0 : 1;
            default -> -Errno.ENOPROTOOPT;
        };
    }

    public TcpState state() {
        if (listener != null) {
            return TcpState.LISTEN;
        }
        return conn == null ? TcpState.CLOSED : conn.state;
    }

    /** Bytes that can be read now without blocking. */
    public int readable() {
        Connection c = conn;
        return c == null ? 0 : c.rcv.readable();
    }

    /** Free space in the send buffer. */
    public int writable() {
        Connection c = conn;
        if (c == null || shutWr || !c.canSendData() || c.snd.buf == null || !c.snd.buf.attached()) {
            return 0;
        }
        return c.snd.buf.free();
    }

    /** A snapshot of the connection's state and counters, or null without a connection. */
    public TcpInfo info() {
        Connection c = conn;
        return c == null ? null : TcpInfo.of(c);
    }

    @Override
    public int readiness() {
        if (closed) {
            return POLLHUP;
        }
        int mask = pendingError != 0 ? POLLERR : 0;
        if (listener != null) {
            return mask | (listener.acceptQueue.isEmpty() ? 0 : POLLIN);
        }
        Connection c = conn;
        if (c == null || c.state == TcpState.CLOSED) {
            // Linux tcp_poll: a closed socket is hung up and "writable" (the write fails at once).
            mask |= POLLHUP | POLLOUT;
            if (ended || (c != null && c.rcv.readable() > 0)) {
                mask |= POLLIN | POLLRDHUP;
            }
            return mask;
        }
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
            return mask;
        }
        Receiver r = c.rcv;
        if (r.readable() > 0 || r.finReceived || shutRd) {
            mask |= POLLIN;
        }
        if (r.finReceived) {
            mask |= POLLRDHUP;
        }
        if (shutWr || !c.canSendData() || writable() > 0) {
            mask |= POLLOUT;
        }
        if (shutWr && r.finReceived) {
            mask |= POLLHUP;
        }
        return mask;
    }

    @Override
    public int takeError() {
        int e = pendingError;
        pendingError = 0;
        return e;
    }

    @Override
    public int bind(int address, int port) {
        if (closed) {
            return -Errno.EBADF;
        }
        if (bound || conn != null || listener != null) {
            return -Errno.EINVAL;
        }
        if (port < 0 || port > 0xFFFF) {
            return -Errno.EINVAL;
        }
        if (address != 0 && address != layer.ctx.config().address()) {
            return -Errno.EADDRNOTAVAIL;
        }
        int p = port;
        if (p == 0) {
            p = layer.ports.ephemeral(address, 0, 0, layer.timeWait);
            if (p < 0) {
                return -Errno.EADDRINUSE;
            }
        } else {
            if (layer.ports.inUse(p) || layer.ports.listener(p) != null) {
                return -Errno.EADDRINUSE;
            }
            layer.ports.acquire(p);
        }
        localAddr = address;
        localPort = p;
        bound = true;
        return 0;
    }

    @Override
    public int localAddress() {
        return localAddr;
    }

    @Override
    public int localPort() {
        return localPort;
    }

    @Override
    public int remoteAddress() {
        return conn != null ? remoteAddr : 0;
    }

    @Override
    public int remotePort() {
        return conn != null ? remotePort : 0;
    }

    @Override
    public int close() {
        if (closed) {
            return -Errno.EBADF;
        }
        closed = true;
        long now = layer.ctx.nowNs();
        if (listener != null) {
            closeListener(now);
        }
        Connection c = conn;
        if (c != null && c.state != TcpState.CLOSED) {
            closeConnection(c, now);
        } else if (c != null) {
            c.rcv.releaseBuffer();
        }
        if (bound) {
            layer.ports.release(localPort);
            bound = false;
        }
        releaseSlot();
        return 0;
    }

    /** RFC 9293 §3.10.4 CLOSE in each state; with unread data or SO_LINGER 0, an abort (RST). */
    private void closeConnection(Connection c, long now) {
        boolean unread = c.rcv.readable() > 0;
        if (linger == 0 || unread) {
            // RFC 2525 §2.17 / RFC 9293 §3.10.4: closing with unread data (or a zero linger) resets.
            c.snd.clear();
            c.socket = null;
            c.fail(0, true, now);
            return;
        }
        c.socket = null;
        c.rcv.direct = null;
        switch (c.state) {
            case SYN_SENT -> {
                c.destroy();                            // "Delete the TCB"
                return;
            }
            case SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> {
                if (!c.snd.finQueued) {
                    queueFin(c);
                }
            }
            case TIME_WAIT -> {
                layer.toTimeWait(c, now);
                return;
            }
            default -> {
                // FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK: the close is already under way.
            }
        }
        c.rcv.releaseBuffer();
        layer.orphan(c, now);
        if (c.state == TcpState.FIN_WAIT_2) {
            layer.timers().arm(c.lifeTimer, now + layer.config.finWait2TimeoutNs());
        }
    }

    private void closeListener(long now) {
        Listener l = listener;
        layer.ports.setListener(l.localPort, null);
        layer.synQueue.removeAll(l);
        TcpSocket s;
        while ((s = l.acceptQueue.poll()) != null) {
            if (s.conn != null) {
                s.conn.socket = null;
                s.conn.fail(0, true, now);
            }
            s.closed = true;
            s.releaseSlot();
        }
        listener = null;
    }

    /**
     * Gives the table slot back. {@link #slot()} keeps returning the old number: the socket may still sit in the
     * stack's event queue, which looks it up by slot when it is drained (the queue has no removal).
     */
    private void releaseSlot() {
        if (slot >= 0 && !slotReleased) {
            slotReleased = true;
            layer.ctx.releaseSlot(slot);
        }
    }

    /** The stack is shutting down: the socket ends without further events. */
    void onStackClosed() {
        if (conn != null) {
            conn.rcv.releaseBuffer();
        }
        closed = true;
        releaseSlot();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public Object attachment() {
        return attachment;
    }

    @Override
    public void attach(Object a) {
        attachment = a;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public int slot() {
        return slot;
    }

    // --------------------------------------------------------------------------------------------------------------
    // Callbacks from the connection

    void notifyReady() {
        if (slot >= 0 && !closed && !slotReleased) {
            layer.ctx.ready(this);
        }
    }

    void onEstablished(Connection c) {
        everConnected = true;
        if (directReader != null) {
            c.rcv.direct = directReader;
        }
        if (c.snd.finQueued && c.state == TcpState.ESTABLISHED) {
            c.setState(TcpState.FIN_WAIT_1);
        }
        notifyReady();
    }

    void onConnectionEnded(int errno) {
        ended = true;
        if (errno != 0) {
            pendingError = errno;
        }
        notifyReady();
    }

    @Override
    public String toString() {
        return "TcpSocket[" + id + " " + state() + "]";
    }
}
