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
import io.virtaio.netstack.udp.UdpSocket;

/**
 * A socket on a node's stack, as a descriptor. Everything but {@link #submit} runs on the node's event loop, which
 * alone touches the stack socket and the two request queues: no locks.
 *
 * <p>Requests wait in one FIFO per direction (decision 3: reads and writes are independent, so a blocked write never
 * holds up a read). The head of each queue is served whenever the socket's readiness may have changed: a write
 * sends what fits and stays at the head until all its bytes are queued in the stack (so writes land in call order,
 * whatever aio_offset says: the offset of a socket is ignored); a read completes as soon as any byte, the end of
 * the stream or an error arrives, as read(2) does. Bytes are copied straight between the request's buffer and the
 * stack's socket buffers.
 *
 * <p>Cancellation (decision 4): a request is in progress, and no longer cancelable, once a byte has moved to or
 * from its buffer (or, for connect, once the SYN is out); queued requests are canceled with ECANCELED.
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

    /** Loop thread: wraps a new stack socket (attaching itself for readiness events). */
    SocketDescriptor(NetNode node, Socket socket) {
        this.node = node;
        this.socket = socket;
        this.tcp = socket instanceof TcpSocket t ? t : null;
        this.udp = socket instanceof UdpSocket u ? u : null;
        socket.attach(this);
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

    @Override
    protected void onClose() {
        if (node.loop().inLoop()) {
            closeOnLoop();
            return;
        }
        node.post(new LoopCall() {
            @Override
            protected int run(NetNode n) {
                closeOnLoop();
                return 0;
            }
        });
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
    void onSubmit(Request r) {
        if (closing) {
            r.complete(-1, Errno.ECANCELED);
            return;
        }
        int op = r.op();
        if (Op.readsIntoBuffer(op) || Op.writesFromBuffer(op)) {
            int bad = Buffers.check(r.buffer(), r.length(), Op.readsIntoBuffer(op));
            if (bad != 0) {
                r.complete(-1, bad);
                return;
            }
        }
        if (op == Op.ACCEPT && tcp == null || op == Op.CONNECT && tcp == null && udp == null) {
            r.complete(-1, Errno.EOPNOTSUPP);
            return;
        }
        r.markQueued();
        if (Op.readsIntoBuffer(op) || op == Op.ACCEPT) {
            reads.addLast(r);
            pumpReads();
        } else {
            writes.addLast(r);
            pumpWrites();
        }
    }

    /** The socket's readiness may have changed. */
    void onReadiness(int readiness) {
        pumpReads();
        pumpWrites();
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
            if (n == -Errno.EAGAIN || n == -Errno.ENOBUFS) {
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
        r.completeWith(rc);
        if (closing && reads.isEmpty() && writes.isEmpty()) {
            releaseSocket();
        }
    }

    /** Loop thread: aio_cancel on this socket. */
    int cancelOnLoop(Request r) {
        int canceled = 0;
        int inProgress = 0;
        if (r == null) {
            for (RequestQueue q : new RequestQueue[] {reads, writes}) {
                Request c = q.peek();
                while (c != null) {
                    Request next = q.after(c);
                    if (c.phase() == Request.QUEUED) {
                        q.remove(c);
                        c.complete(-1, Errno.ECANCELED);
                        canceled++;
                    } else {
                        inProgress++;
                    }
                    c = next;
                }
            }
        } else if (reads.contains(r) || writes.contains(r)) {
            if (r.phase() == Request.QUEUED) {
                (reads.contains(r) ? reads : writes).remove(r);
                r.complete(-1, Errno.ECANCELED);
                canceled++;
            } else {
                inProgress++;
            }
        }
        return CancelResult.of(canceled, inProgress);
    }

    private void closeOnLoop() {
        closing = true;
        cancelOnLoop(null);
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
            socket.close();
            node.unregister(this);
        }
    }
}
