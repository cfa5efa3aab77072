package io.virtaio.aio.net;

import io.virtaio.aio.engine.Buffers;
import io.virtaio.aio.engine.CancelResult;
import io.virtaio.aio.engine.Op;
import io.virtaio.aio.engine.Request;
import io.virtaio.aio.engine.RequestQueue;
import io.virtaio.aio.fd.Descriptor;
import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import io.virtaio.netstack.tcp.TcpSocket;
import io.virtaio.netstack.tcp.TcpState;
import io.virtaio.netstack.time.Timer;
import io.virtaio.netstack.udp.UdpSocket;
import java.lang.foreign.MemorySegment;

/**
 * A socket on a node's stack, as a descriptor. Everything but {@link #submit} runs on the node's event loop, which
 * alone touches the stack socket and the two request queues: no locks.
 *
 * <p>Requests wait in one FIFO per direction (decision 3: reads and writes are independent, so a blocked write never
 * holds up a read). The head of each queue is served whenever the socket's readiness may have changed: a write
 * sends what fits and stays at the head until all its bytes are queued in the stack (so writes land in call order,
 * whatever aio_offset says: the offset of a socket is ignored); a read completes as soon as any byte, the end of
 * the stream or an error arrives, as read(2) does (POSIX.1-2017 read: "the number of bytes actually read", at
 * least one on a stream socket unless at end of file).
 *
 * <p>Direct receive: a TCP socket's {@link TcpSocket.DirectReader} hands in-order payload straight from the
 * received segment into the buffers of the reads waiting in the queue, oldest first, whenever the receive ring is
 * empty; the receive ring is skipped, one copy fewer. Bytes moved that way make the read in progress; it completes
 * at the next readiness event of the same loop round with the bytes it got.
 *
 * <p>Cancellation (decision 4): a request is in progress, and no longer cancelable, once a byte has moved to or
 * from its buffer (or, for connect, once the SYN is out); queued requests are canceled with ECANCELED.
 *
 * <p>Errors of the connection surface as the error status of the request that meets them: the first call after a
 * reset or a timeout gets ECONNRESET or ETIMEDOUT (once, as SO_ERROR), later writes EPIPE, later reads 0; a refused
 * connect ECONNREFUSED. A write that moved bytes before the error completes with that count (POSIX.1-2017 write)
 * and leaves the error to the next request.
 *
 * <p>Close: queued requests are canceled; requests in progress finish; the stack socket is closed when none is
 * left (POSIX.1-2017 close: "completes as if the close() operation had not yet occurred").
 */
public final class SocketDescriptor extends Descriptor {
    private final NetNode node;
    private final Socket socket;
    private final TcpSocket tcp;
    private final UdpSocket udp;
    private final RequestQueue reads = new RequestQueue();
    private final RequestQueue writes = new RequestQueue();
    private boolean closing;
    private boolean released;
    // Timeouts of the Java channels: one timed request per direction at a time.
    private Timer readTimer;
    private Timer writeTimer;
    private Request readTimed;
    private Request writeTimed;
    private long directBytes;

    /** Loop thread: wraps a new stack socket (attaching itself for readiness events and direct receive). */
    SocketDescriptor(NetNode node, Socket socket) {
        this.node = node;
        this.socket = socket;
        this.tcp = socket instanceof TcpSocket t ? t : null;
        this.udp = socket instanceof UdpSocket u ? u : null;
        socket.attach(this);
        if (tcp != null) {
            // Installed now; the stack applies it once the connection is established.
            tcp.setDirectReader(this::takeDirect);
        }
        node.register(this);
    }

    public NetNode node() {
        return node;
    }

    /** Loop thread only. */
    public Socket socket() {
        return socket;
    }

    public boolean isStream() {
        return tcp != null;
    }

    /** Bytes received straight into request buffers, skipping the receive ring (loop thread; approximate elsewhere). */
    public long directBytes() {
        return directBytes;
    }

    // ------------------------------------------------------------------------------------------------ any thread

    @Override
    public int submit(Request r) {
        // The loop's submission ring is the only way in; when it is full nothing is queued (EAGAIN, decision 9).
        return node.loop().offer(r) ? 0 : -Errno.EAGAIN;
    }

    @Override
    public int cancel(Request r) {
        return new LoopCall() {
            @Override
            protected int run(NetNode n) {
                return cancelOnLoop(r);
            }
        }.call(node);
    }

    /** Cancels what is queued before close() returns, so aio_error shows ECANCELED at once, as for files. */
    @Override
    protected void onClose() {
        new LoopCall() {
            @Override
            protected int run(NetNode n) {
                closeOnLoop();
                return 0;
            }
        }.call(node);
    }

    @Override
    protected void onLastRelease() {
        // Often called on the loop itself (a completion drops the last reference): never post to our own ring.
        if (node.loop().inLoop()) {
            releaseSocket();
            return;
        }
        node.post(new LoopCall() {
            @Override
            protected int run(NetNode n) {
                releaseSocket();
                return 0;
            }
        });
    }

    @Override
    public void abortInProgress() {
        new LoopCall() {
            @Override
            protected int run(NetNode n) {
                abortOnLoop();
                return 0;
            }
        }.call(node);
    }

    /**
     * For a Java channel's close (after the descriptor was closed, which canceled what was queued): completes the
     * requests still in progress with ECANCELED at once, however many bytes they moved, and closes the stack socket
     * (gracefully: data already in the send buffer still goes out). The JDK's rule: close fails every pending
     * operation with AsynchronousCloseException.
     */
    public void abandonInProgress() {
        new LoopCall() {
            @Override
            protected int run(NetNode n) {
                closing = true;
                for (RequestQueue q : new RequestQueue[] {reads, writes}) {
                    Request r;
                    while ((r = q.poll()) != null) {
                        disarmTimeout(r);
                        r.complete(-1, Errno.ECANCELED);
                    }
                }
                releaseSocket();
                return 0;
            }
        }.call(node);
    }

    @Override
    public boolean readable() {
        return true;
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public boolean seekable() {
        return false;
    }

    @Override
    public boolean syncable() {
        return false;
    }

    @Override
    public String describe() {
        return (tcp != null ? "tcp socket " : "udp socket ") + node.name();
    }

    // ------------------------------------------------------------------------------------------------ loop thread

    /** A request arrived through the loop's submission ring. */
    void onSubmit(Request r, long nowNs) {
        if (closing) {
            r.complete(-1, Errno.ECANCELED);
            return;
        }
        int op = r.op();
        boolean read = Op.readsIntoBuffer(op);
        if (read || Op.writesFromBuffer(op)) {
            int bad = Buffers.check(r.buffer(), r.length(), read);
            if (bad != 0) {
                r.complete(-1, bad);
                return;
            }
        }
        if (op == Op.ACCEPT && tcp == null || op == Op.CONNECT && tcp == null && udp == null) {
            r.complete(-1, Errno.EOPNOTSUPP);
            return;
        }
        if (op == Op.ACCEPT && tcp.state() != TcpState.LISTEN) {
            // POSIX.1-2017 accept [EINVAL]: "The socket is not accepting connections."
            r.complete(-1, Errno.EINVAL);
            return;
        }
        r.markQueued();
        if (read || op == Op.ACCEPT) {
            reads.addLast(r);
            if (r.timeoutNs() > 0) {
                armTimeout(r, true, nowNs);
            }
            pumpReads();
        } else {
            writes.addLast(r);
            if (r.timeoutNs() > 0) {
                armTimeout(r, false, nowNs);
            }
            pumpWrites();
        }
    }

    /** The socket's readiness may have changed. */
    void onReadiness(int readiness) {
        pumpReads();
        pumpWrites();
    }

    /**
     * The stack's direct reader (during TCP input, while the receive ring is empty): in-order payload goes into
     * the waiting reads, oldest first, each up to its length. Returns how many bytes were taken; the stack keeps the
     * rest in the ring. Never calls back into the stack.
     */
    private int takeDirect(MemorySegment src, long off, int len) {
        int taken = 0;
        Request r = reads.peek();
        while (r != null && taken < len) {
            if (r.op() == Op.ACCEPT) {
                return taken;
            }
            long room = r.length() - r.moved();
            if (room > 0) {
                int n = (int) Math.min(room, len - taken);
                MemorySegment.copy(src, off + taken, r.buffer(), r.moved(), n);
                // In progress from the first byte on (decision 4); it completes at the next readiness event.
                r.markActive();
                r.addMoved(n);
                taken += n;
            }
            r = reads.after(r);
        }
        if (taken > 0) {
            directBytes += taken;
            node.countDirect(taken);
        }
        return taken;
    }

    private void pumpReads() {
        Request r;
        while ((r = reads.peek()) != null) {
            if (r.op() == Op.ACCEPT) {
                TcpSocket c = tcp.accept();
                if (c == null) {
                    int err = pendingError();
                    if (err == 0) {
                        return;
                    }
                    finish(reads, r, -err);
                    continue;
                }
                r.setValue(new SocketDescriptor(node, c));
                finish(reads, r, 0);
                continue;
            }
            if (r.moved() > 0) {
                // Filled (at least partly) by direct receive: bytes that arrived later wait in the ring for the
                // next read, so the stream stays in order.
                finish(reads, r, r.moved());
                continue;
            }
            long want = r.length();
            if (want == 0) {
                finish(reads, r, 0);
                continue;
            }
            int len = (int) Math.min(want, Integer.MAX_VALUE);
            int n = tcp != null ? tcp.recv(r.buffer(), 0, len) : udp.recvFrom(r.buffer(), 0, len);
            if (n == -Errno.EAGAIN) {
                return;
            }
            // POSIX.1-2017 read: a read on a stream returns what is available (>= 1 byte), 0 at end of stream.
            finish(reads, r, n);
        }
    }

    private void pumpWrites() {
        Request r;
        while ((r = writes.peek()) != null) {
            if (r.op() == Op.CONNECT) {
                if (!progressConnect(r)) {
                    return;
                }
                continue;
            }
            long left = r.length() - r.moved();
            if (left == 0) {
                finish(writes, r, r.moved());
                continue;
            }
            if (r.moved() > 0 && tcp != null && (tcp.readiness() & Socket.POLLERR) != 0) {
                // POSIX.1-2017 write: the count of a write an error cut short; the error is for the next call (Linux
                // tcp_sendmsg leaves sk_err when it copied bytes). send() would consume it, and it would be lost.
                finish(writes, r, r.moved());
                continue;
            }
            int len = (int) Math.min(left, Integer.MAX_VALUE);
            int n = tcp != null ? tcp.send(r.buffer(), r.moved(), len) : udp.send(r.buffer(), 0, len);
            if (n > 0) {
                r.markActive();
                r.addMoved(n);
                if (udp != null || r.moved() == r.length()) {
                    finish(writes, r, r.moved());
                }
                continue;
            }
            if (n == -Errno.EAGAIN || n == -Errno.ENOBUFS && tcp != null) {
                return;
            }
            // POSIX.1-2017 write: after a partial transfer the count is returned, the error comes next time.
            finish(writes, r, r.moved() > 0 ? r.moved() : n);
        }
    }

    /** True if the connect at the head of the write queue is finished (it was completed and dequeued). */
    private boolean progressConnect(Request r) {
        if (r.phase() == Request.QUEUED) {
            long peer = r.offset();
            int rc = tcp != null ? tcp.connect(Endpoint.address(peer), Endpoint.port(peer))
                    : udp.connect(Endpoint.address(peer), Endpoint.port(peer));
            if (rc == -Errno.EINPROGRESS) {
                r.markActive();
                return false;
            }
            finish(writes, r, rc);
            return true;
        }
        int readiness = socket.readiness();
        if ((readiness & Socket.POLLERR) != 0) {
            int err = socket.takeError();
            finish(writes, r, -(err != 0 ? err : Errno.ECONNREFUSED));
            return true;
        }
        if ((readiness & (Socket.POLLOUT | Socket.POLLHUP)) != 0) {
            finish(writes, r, 0);
            return true;
        }
        return false;
    }

    private int pendingError() {
        return (socket.readiness() & Socket.POLLERR) != 0 ? socket.takeError() : 0;
    }

    /** Dequeues and completes {@code r} with {@code rc} (bytes or -errno); closes the socket if it was the last. */
    private void finish(RequestQueue q, Request r, long rc) {
        q.remove(r);
        disarmTimeout(r);
        r.completeWith(rc);
        if (closing && reads.isEmpty() && writes.isEmpty()) {
            releaseSocket();
        }
    }

    // ------------------------------------------------------------------------------------------------ timeouts

    private void armTimeout(Request r, boolean read, long nowNs) {
        Timer t;
        if (read) {
            if (readTimer == null) {
                readTimer = new Timer(now -> onTimeout(true));
            }
            t = readTimer;
            readTimed = r;
        } else {
            if (writeTimer == null) {
                writeTimer = new Timer(now -> onTimeout(false));
            }
            t = writeTimer;
            writeTimed = r;
        }
        node.timers().arm(t, nowNs + r.timeoutNs());
    }

    private void disarmTimeout(Request r) {
        if (r == readTimed) {
            readTimed = null;
            node.timers().cancel(readTimer);
        } else if (r == writeTimed) {
            writeTimed = null;
            node.timers().cancel(writeTimer);
        }
    }

    /**
     * The timeout of the timed request of one direction passed. A request that moved no byte is withdrawn (nothing
     * happened to its buffer); a read that got bytes completes with them; a write that moved bytes is withdrawn too,
     * with {@link Request#moved()} telling how many left (the channel then refuses further writes).
     */
    private void onTimeout(boolean read) {
        RequestQueue q = read ? reads : writes;
        Request r = read ? readTimed : writeTimed;
        if (r == null || !q.contains(r)) {
            return;
        }
        if (read && r.moved() > 0) {
            finish(q, r, r.moved());
            return;
        }
        r.markTimedOut();
        finish(q, r, -Errno.ETIMEDOUT);
    }

    // ------------------------------------------------------------------------------------------------ cancel, close

    /** Loop thread: aio_cancel on this socket. */
    int cancelOnLoop(Request r) {
        int canceled = 0;
        int inProgress = 0;
        if (r == null) {
            canceled += cancelQueued(reads);
            canceled += cancelQueued(writes);
            inProgress = reads.size() + writes.size();
        } else if (reads.contains(r) || writes.contains(r)) {
            if (r.phase() == Request.QUEUED) {
                (reads.contains(r) ? reads : writes).remove(r);
                disarmTimeout(r);
                r.complete(-1, Errno.ECANCELED);
                canceled++;
            } else {
                inProgress++;
            }
        }
        return CancelResult.of(canceled, inProgress);
    }

    /** Cancels every request of {@code q} that moved nothing yet; the ones in progress stay. */
    private int cancelQueued(RequestQueue q) {
        int canceled = 0;
        Request c = q.peek();
        while (c != null) {
            Request next = q.after(c);
            if (c.phase() == Request.QUEUED) {
                q.remove(c);
                disarmTimeout(c);
                c.complete(-1, Errno.ECANCELED);
                canceled++;
            }
            c = next;
        }
        return canceled;
    }

    private void closeOnLoop() {
        closing = true;
        cancelOnLoop(null);
        // What is in progress finishes: reads that direct receive filled complete now, writes as the peer reads.
        pumpReads();
        pumpWrites();
        if (reads.isEmpty() && writes.isEmpty()) {
            releaseSocket();
        }
    }

    /** Loop thread: completes everything still queued or in progress and resets the connection. */
    void abortOnLoop() {
        closing = true;
        for (RequestQueue q : new RequestQueue[] {reads, writes}) {
            Request r;
            while ((r = q.poll()) != null) {
                disarmTimeout(r);
                if (r.moved() > 0) {
                    r.complete(r.moved(), 0);
                } else {
                    r.complete(-1, Errno.ECANCELED);
                }
            }
        }
        if (tcp != null && !released) {
            tcp.abort();
        }
        releaseSocket();
    }

    private void releaseSocket() {
        if (!released) {
            released = true;
            if (tcp != null) {
                tcp.setDirectReader(null);
            }
            socket.close();
            node.unregister(this);
        }
    }
}
