package io.virtaio.netstack.udp;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import io.virtaio.netstack.wire.UdpDatagram;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A UDP socket on the stack (RFC 768), with the calls a non-blocking BSD datagram socket has.
 *
 * <p>Thread: the stack's only. Calls return at once: a non-negative result or {@code -errno}; they never throw
 * (a range outside the caller's segment is {@code -EFAULT}, as in C). Received datagrams wait in a bounded queue
 * (beyond it they are dropped and counted); its storage is allocated with the socket and reused. Nothing on the
 * data path allocates.
 *
 * <p>Readiness: {@link #POLLOUT} while open (a send never blocks: it succeeds, or fails at once with ENOBUFS),
 * {@link #POLLIN} while a datagram is queued, {@link #POLLERR} while an error is pending. A pending error (from an
 * ICMP error about a datagram of a connected socket) is returned, and cleared, by the next send, receive or
 * {@link #takeError()}, as with SO_ERROR in Linux.
 */
public final class UdpSocket implements Socket {
    /** Value: the receive queue bound in bytes. */
    public static final int SO_RCVBUF = 8;
    /** Value: non-zero allows sending to broadcast addresses (else -EACCES, as in Linux). */
    public static final int SO_BROADCAST = 6;

    /** Smallest SO_RCVBUF (Linux: SOCK_MIN_RCVBUF, about 2 KiB). */
    static final int MIN_RCVBUF = 2048;
    /** Largest SO_RCVBUF. */
    static final int MAX_RCVBUF = 16 << 20;

    private final UdpLayer layer;
    private final long id;
    private final DatagramQueue queue;
    private int slot = -1;
    private int localAddress;
    private int localPort;
    private int remoteAddress;
    private int remotePort;
    private int lastSourceAddress;
    private int lastSourcePort;
    private int error;
    private boolean broadcast;
    private boolean closed;
    private Object attachment;

    private long rxDatagrams;
    private long rxBytes;
    private long rxDropped;
    private long txDatagrams;
    private long txBytes;
    private long txFailed;

    UdpSocket(UdpLayer layer, long id, int receiveQueueBytes) {
        this.layer = layer;
        this.id = id;
        this.queue = new DatagramQueue(receiveQueueBytes);
    }

    void setSlot(int slot) {
        this.slot = slot;
    }

    void setLocal(int address, int port) {
        this.localAddress = address;
        this.localPort = port;
    }

    /**
     * Sets the default destination and filters received datagrams to it: 0, or -EBADF, -EINVAL (port 0 or out of
     * range, address 0 with a port), -EACCES (broadcast without SO_BROADCAST), -EADDRINUSE (no ephemeral port
     * left). {@code connect(0, 0)} dissolves the association, as connect(2) with AF_UNSPEC does.
     */
    public int connect(int address, int port) {
        if (closed) {
            return -Errno.EBADF;
        }
        if (address == 0 && port == 0) {
            remoteAddress = 0;
            remotePort = 0;
            return 0;
        }
        if (address == 0 || port <= 0 || port > 0xFFFF) {
            return -Errno.EINVAL;
        }
        if (layer.isBroadcast(address) && !broadcast) {
            return -Errno.EACCES;
        }
        if (localPort == 0) {
            int r = layer.bind(this, 0, 0);
            if (r < 0) {
                return r;
            }
        }
        remoteAddress = address;
        remotePort = port;
        return 0;
    }

    /**
     * Sends one datagram of {@code len} bytes to {@code address:port} (binding an ephemeral port if unbound).
     *
     * @return len, -EMSGSIZE if it does not fit one packet (no fragmentation), -ENOBUFS when no transmit buffer is
     *     free, -EHOSTUNREACH / -ENETUNREACH, -EDESTADDRREQ, -EINVAL (negative length, port 0 or out of range),
     *     -EFAULT (range outside {@code src}), -EACCES (broadcast without SO_BROADCAST), -EBADF, or a pending error
     */
    public int sendTo(MemorySegment src, long off, int len, int address, int port) {
        if (closed) {
            return -Errno.EBADF;
        }
        if (len < 0 || port <= 0 || port > 0xFFFF) {
            return -Errno.EINVAL;
        }
        if (off < 0 || off > src.byteSize() - len) {
            return -Errno.EFAULT;
        }
        if (error != 0) {
            return -takeError();
        }
        if (len > layer.ip().maxL4Length(address) - UdpDatagram.HEADER_LENGTH) {
            return -Errno.EMSGSIZE;
        }
        if (layer.isBroadcast(address) && !broadcast) {
            return -Errno.EACCES;
        }
        if (localPort == 0) {
            int r = layer.bind(this, 0, 0);
            if (r < 0) {
                return r;
            }
        }
        int r = layer.output(localPort, src, off, len, address, port);
        if (r < 0) {
            txFailed++;
        } else {
            txDatagrams++;
            txBytes += len;
        }
        return r;
    }

    /** {@link #sendTo} to the connected peer; -EDESTADDRREQ when not connected. */
    public int send(MemorySegment src, long off, int len) {
        if (closed) {
            return -Errno.EBADF;
        }
        if (remotePort == 0) {
            return -Errno.EDESTADDRREQ;
        }
        return sendTo(src, off, len, remoteAddress, remotePort);
    }

    /**
     * Takes the next datagram, copying at most {@code len} bytes (the rest of a longer datagram is discarded, as
     * recv(2) without MSG_TRUNC does); the sender is then in {@link #lastSourceAddress()}/{@link #lastSourcePort()}.
     *
     * @return bytes copied, -EAGAIN when the queue is empty, a pending error (e.g. -ECONNREFUSED after an ICMP port
     *     unreachable on a connected socket), -EINVAL, -EFAULT or -EBADF
     */
    public int recvFrom(MemorySegment dst, long off, int len) {
        if (closed) {
            return -Errno.EBADF;
        }
        if (len < 0) {
            return -Errno.EINVAL;
        }
        if (off < 0 || off > dst.byteSize() - len) {
            return -Errno.EFAULT;
        }
        if (error != 0) {
            return -takeError();
        }
        if (queue.isEmpty()) {
            return -Errno.EAGAIN;
        }
        lastSourceAddress = queue.headAddress();
        lastSourcePort = queue.headPort();
        return queue.take(dst, off, len);
    }

    /** The source address of the datagram the last {@link #recvFrom} returned. */
    public int lastSourceAddress() {
        return lastSourceAddress;
    }

    /** The source port of the datagram the last {@link #recvFrom} returned. */
    public int lastSourcePort() {
        return lastSourcePort;
    }

    /** Datagrams waiting to be received. */
    public int queuedDatagrams() {
        return queue.count();
    }

    /**
     * {@link #SO_RCVBUF} (clamped to 2 KiB .. 16 MiB) or {@link #SO_BROADCAST}: 0, -ENOPROTOOPT, -EINVAL, -EBADF.
     */
    public int setOption(int option, int value) {
        if (closed) {
            return -Errno.EBADF;
        }
        switch (option) {
            case SO_RCVBUF -> {
                if (value < 0) {
                    return -Errno.EINVAL;
                }
                queue.setLimit(Math.clamp(value, MIN_RCVBUF, MAX_RCVBUF));
            }
            case SO_BROADCAST -> broadcast = value != 0;
            default -> {
                return -Errno.ENOPROTOOPT;
            }
        }
        return 0;
    }

    /** The option's value, or -ENOPROTOOPT, -EBADF. */
    public int getOption(int option) {
        if (closed) {
            return -Errno.EBADF;
        }
        return switch (option) {
            case SO_RCVBUF -> queue.limit();
            case SO_BROADCAST -> broadcast ? 1 : 0;
            default -> -Errno.ENOPROTOOPT;
        };
    }

    @Override
    public int readiness() {
        if (closed) {
            return 0;
        }
        int bits = POLLOUT;
        if (!queue.isEmpty()) {
            bits |= POLLIN;
        }
        if (error != 0) {
            bits |= POLLERR;
        }
        return bits;
    }

    @Override
    public int takeError() {
        int e = error;
        error = 0;
        return e;
    }

    /**
     * Binds to a local address (0 = any, or one of the stack's: its own or a loopback address) and port (0 = an
     * ephemeral one): 0, -EINVAL (already bound, port out of range), -EADDRNOTAVAIL, -EADDRINUSE, -EBADF.
     */
    @Override
    public int bind(int address, int port) {
        if (closed) {
            return -Errno.EBADF;
        }
        if (localPort != 0 || port < 0 || port > 0xFFFF) {
            return -Errno.EINVAL;
        }
        if (!layer.isLocalAddress(address)) {
            return -Errno.EADDRNOTAVAIL;
        }
        return layer.bind(this, address, port);
    }

    @Override
    public int localAddress() {
        return localAddress;
    }

    @Override
    public int localPort() {
        return localPort;
    }

    @Override
    public int remoteAddress() {
        return remoteAddress;
    }

    @Override
    public int remotePort() {
        return remotePort;
    }

    /** Releases the port, the slot and the queue's storage: 0, or -EBADF if already closed. */
    @Override
    public int close() {
        if (closed) {
            return -Errno.EBADF;
        }
        closed = true;
        layer.close(this);
        queue.release();
        return 0;
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
    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public int slot() {
        return slot;
    }

    /** This socket's counters: datagrams and bytes received and sent, drops, failed sends. */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("rx.datagrams", rxDatagrams);
        m.put("rx.bytes", rxBytes);
        m.put("rx.drop.queue_full", rxDropped);
        m.put("rx.queued", (long) queue.count());
        m.put("tx.datagrams", txDatagrams);
        m.put("tx.bytes", txBytes);
        m.put("tx.failed", txFailed);
        return m;
    }

    @Override
    public String toString() {
        return "UdpSocket#" + id + "[" + localPort + (remotePort != 0 ? "->" + remotePort : "") + "]";
    }

    /** Whether a datagram from {@code src:srcPort} to {@code dst} is for this socket (bound address, peer). */
    boolean accepts(int src, int srcPort, int dst, boolean broadcastDst) {
        if (localAddress != 0 && (broadcastDst || localAddress != dst)) {
            return false;
        }
        return remotePort == 0 || (remoteAddress == src && remotePort == srcPort);
    }

    /** Queues a received datagram; false (counted) when the queue is full. */
    boolean enqueue(int src, int srcPort, MemorySegment seg, long off, int len) {
        boolean wasEmpty = queue.isEmpty();
        if (!queue.offer(src, srcPort, seg, off, len)) {
            rxDropped++;
            return false;
        }
        rxDatagrams++;
        rxBytes += len;
        if (wasEmpty) {
            layer.ready(this);
        }
        return true;
    }

    void setError(int errno) {
        error = errno;
        layer.ready(this);
    }
}
