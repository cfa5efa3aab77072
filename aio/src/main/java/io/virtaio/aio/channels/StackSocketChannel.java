package io.virtaio.aio.channels;

import io.virtaio.aio.ErrnoException;
import io.virtaio.aio.engine.Op;
import io.virtaio.aio.net.Endpoint;
import io.virtaio.aio.net.SocketCalls;
import io.virtaio.aio.net.SocketDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.WritePendingException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An asynchronous TCP socket channel on the stack, following the JDK's {@link AsynchronousSocketChannel} rules:
 * at most one pending read and one pending write ({@link ReadPendingException}, {@link WritePendingException}); a
 * read completes with -1 at end of stream and with 0 at once for a buffer without room; a timeout fails the
 * operation with {@link java.nio.channels.InterruptedByTimeoutException}; {@link #close()} fails pending
 * operations with {@link java.nio.channels.AsynchronousCloseException}. Errors are {@link ErrnoException}s with the
 * errno, or the JDK's type where it has one (ConnectException, …, whose cause is then the ErrnoException).
 *
 * <pre>{@code
 * StackChannelGroup g = runtime.channelGroup(0);
 * StackSocketChannel ch = StackSocketChannel.open(g);
 * ch.connectAsync(new InetSocketAddress("10.0.0.2", 7))
 *   .thenCompose(v -> ch.writeAsync(ByteBuffer.wrap(hello)))
 *   .thenCompose(n -> ch.readAsync(reply));
 * }</pre>
 *
 * <p>Each operation is one request on the socket's descriptor, so it behaves as the matching POSIX call does:
 * a read completes as soon as bytes arrive (straight into the buffer when it is waiting first), a write when all of
 * the buffer's remaining bytes are in the socket's send buffer. When a read times out before any byte moved the
 * read direction stays usable: nothing happened to the buffer; a write that times out after moving bytes makes
 * further writes throw IllegalStateException, as the JDK specifies when it cannot tell what was written.
 *
 * <p>Threads: any thread may start operations. Handlers, futures and their dependent stages run on the group's
 * executor, or inline on the node's loop thread for a group made with {@link StackChannelGroup#LOOP_THREAD}.
 * {@link #inputStream()} and {@link #outputStream()} block by parking, so virtual threads unmount. Allocation:
 * per operation, a segment view of the buffer, plus the executor's task (none inline) and the future if any.
 */
public final class StackSocketChannel extends AsynchronousSocketChannel {
    private final ChannelCore core;
    private volatile boolean connected;
    private volatile boolean connecting;
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    private final ReentrantLock streamReadLock = new ReentrantLock();
    private final ReentrantLock streamWriteLock = new ReentrantLock();

    private StackSocketChannel(StackChannelGroup group, SocketDescriptor accepted) throws IOException {
        super(StackChannelProvider.INSTANCE);
        ChannelCore.Completion completion = new ChannelCore.Completion() {
            @Override
            public Object success(Direction d, long result, Object value) {
                return StackSocketChannel.this.success(d, result);
            }

            @Override
            public void failed(Direction d) {
                if (d.kind == Direction.CONNECT) {
                    connecting = false;
                    // As the JDK's channels: a channel whose connect failed is closed.
                    core.close();
                }
            }
        };
        this.core = accepted == null ? ChannelCore.open(group, completion)
                : ChannelCore.install(group, accepted, completion);
        this.connected = accepted != null;
        core.registerWith(this);
    }

    /** A new, unconnected channel in {@code group} (on the group's node). */
    public static StackSocketChannel open(StackChannelGroup group) throws IOException {
        return new StackSocketChannel(Objects.requireNonNull(group, "group"), null);
    }

    /** An accepted connection (by a server channel of the group). */
    static StackSocketChannel accepted(StackChannelGroup group, SocketDescriptor sd) throws IOException {
        return new StackSocketChannel(group, sd);
    }

    /** The channel's descriptor number in its runtime: the POSIX façade works on it too. */
    public int fd() {
        return core.fd();
    }

    /** The group this channel belongs to. */
    public StackChannelGroup group() {
        return core.group;
    }

    // ------------------------------------------------------------------------------------------------ set-up

    @Override
    public StackSocketChannel bind(SocketAddress local) throws IOException {
        ensureOpen();
        check(SocketCalls.bind(core.sd, Addresses.address(local), Addresses.port(local)), "bind");
        return this;
    }

    @Override
    public <T> StackSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name);
        ensureOpen();
        int[] lv = Options.levelAndName(name, supportedOptions());
        check(SocketCalls.setOption(core.sd, lv[0], lv[1], Options.toInt(name, value)), "setsockopt");
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name);
        ensureOpen();
        int[] lv = Options.levelAndName(name, supportedOptions());
        int[] out = new int[1];
        check(SocketCalls.getOption(core.sd, lv[0], lv[1], out), "getsockopt");
        return Options.fromInt(name, out[0]);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Options.SOCKET;
    }

    @Override
    public StackSocketChannel shutdownInput() throws IOException {
        ensureOpen();
        ensureConnected();
        check(SocketCalls.shutdown(core.sd, 0), "shutdown");
        inputShut = true;
        return this;
    }

    @Override
    public StackSocketChannel shutdownOutput() throws IOException {
        ensureOpen();
        ensureConnected();
        check(SocketCalls.shutdown(core.sd, 1), "shutdown");
        outputShut = true;
        return this;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        if (!connected) {
            return null;
        }
        return name(true);
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return name(false);
    }

    private InetSocketAddress name(boolean peer) throws IOException {
        int[] out = new int[2];
        int rc = SocketCalls.name(core.sd, peer, out);
        if (rc < 0) {
            return null;
        }
        return Addresses.of(out[0], out[1]);
    }

    // ------------------------------------------------------------------------------------------------ connect

    @Override
    public <A> void connect(SocketAddress remote, A attachment, CompletionHandler<Void, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        startConnect(remote, attachment, handler, null);
    }

    @Override
    public Future<Void> connect(SocketAddress remote) {
        return connectAsync(remote);
    }

    /**
     * Connects; the future completes when the connection is established, or fails (ConnectException when refused
     * or timed out) and the channel is closed, as the JDK's channels do.
     */
    public CompletableFuture<Void> connectAsync(SocketAddress remote) {
        ChannelFuture<Void> f = new ChannelFuture<>(core.writer);
        startConnect(remote, null, null, f);
        return f;
    }

    @SuppressWarnings("unchecked")
    private void startConnect(SocketAddress remote, Object att, CompletionHandler<?, ?> h, ChannelFuture<?> f) {
        int address = Addresses.address(Objects.requireNonNull(remote, "remote"));
        int port = Addresses.port(remote);
        Direction d = core.writer;
        if (!isOpen()) {
            fail(att, h, f, new ClosedChannelException());
            return;
        }
        if (connected) {
            throw new AlreadyConnectedException();
        }
        if (connecting || !d.begin()) {
            throw new ConnectionPendingException();
        }
        connecting = true;
        d.kind = Direction.CONNECT;
        d.attachment = att;
        d.handler = (CompletionHandler<Object, Object>) h;
        d.future = (ChannelFuture<Object>) f;
        d.requested = 0;
        int rc = core.submit(d, Op.CONNECT, null, 0, Endpoint.pack(address, port), 0, true);
        if (rc < 0) {
            connecting = false;
            core.completeNow(d, null, rc == -io.virtaio.netstack.Errno.EBADF ? new ClosedChannelException()
                    : ErrnoException.of(-rc, "connect"));
        }
    }

    // ------------------------------------------------------------------------------------------------ read

    @Override
    public <A> void read(ByteBuffer dst, long timeout, TimeUnit unit, A attachment,
            CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        startRead(dst, timeout, unit, attachment, handler, null, false);
    }

    @Override
    public Future<Integer> read(ByteBuffer dst) {
        return readAsync(dst);
    }

    /** Reads into {@code dst}: the future completes with the bytes read, -1 at end of stream. */
    public CompletableFuture<Integer> readAsync(ByteBuffer dst) {
        return readAsync(dst, 0, TimeUnit.NANOSECONDS);
    }

    /** As {@link #readAsync(ByteBuffer)}, failing with InterruptedByTimeoutException after {@code timeout}. */
    public CompletableFuture<Integer> readAsync(ByteBuffer dst, long timeout, TimeUnit unit) {
        ChannelFuture<Integer> f = new ChannelFuture<>(core.reader);
        startRead(dst, timeout, unit, null, null, f, false);
        return f;
    }

    /**
     * Scattering read: reads into the first of {@code dsts[offset .. offset+length)} with room (a read may
     * transfer fewer bytes than there is room for); the handler gets a {@code Long}.
     */
    @Override
    public <A> void read(ByteBuffer[] dsts, int offset, int length, long timeout, TimeUnit unit, A attachment,
            CompletionHandler<Long, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        Objects.checkFromIndexSize(offset, length, dsts.length);
        ByteBuffer target = null;
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].isReadOnly()) {
                throw new IllegalArgumentException("read-only buffer");
            }
            if (target == null && dsts[i].hasRemaining()) {
                target = dsts[i];
            }
        }
        startRead(target != null ? target : ByteBuffer.allocate(0), timeout, unit, attachment, handler, null, true);
    }

    @SuppressWarnings("unchecked")
    private void startRead(ByteBuffer dst, long timeout, TimeUnit unit, Object att, CompletionHandler<?, ?> h,
            ChannelFuture<?> f, boolean vectored) {
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(unit, "unit");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        if (!isOpen()) {
            fail(att, h, f, new ClosedChannelException());
            return;
        }
        if (!connected) {
            throw new NotYetConnectedException();
        }
        Direction d = core.reader;
        if (!d.begin()) {
            throw new ReadPendingException();
        }
        d.kind = Direction.READ;
        d.attachment = att;
        d.handler = (CompletionHandler<Object, Object>) h;
        d.future = (ChannelFuture<Object>) f;
        d.buffer = dst;
        d.vectored = vectored;
        if (inputShut) {
            core.completeNow(d, vectored ? (Object) (-1L) : (Object) (-1), null);
            return;
        }
        if (!dst.hasRemaining()) {
            core.completeNow(d, vectored ? (Object) 0L : (Object) 0, null);
            return;
        }
        MemorySegment seg = ChannelCore.segmentOf(dst);
        d.requested = seg.byteSize();
        int rc = core.submit(d, Op.READ, seg, seg.byteSize(), 0, unit.toNanos(timeout), true);
        if (rc < 0) {
            core.completeNow(d, null, rc == -io.virtaio.netstack.Errno.EBADF ? new ClosedChannelException()
                    : ErrnoException.of(-rc, "read"));
        }
    }

    // ------------------------------------------------------------------------------------------------ write

    @Override
    public <A> void write(ByteBuffer src, long timeout, TimeUnit unit, A attachment,
            CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        startWrite(src, timeout, unit, attachment, handler, null, false);
    }

    @Override
    public Future<Integer> write(ByteBuffer src) {
        return writeAsync(src);
    }

    /** Writes all of {@code src}'s remaining bytes: the future completes with their number once they are queued. */
    public CompletableFuture<Integer> writeAsync(ByteBuffer src) {
        return writeAsync(src, 0, TimeUnit.NANOSECONDS);
    }

    /** As {@link #writeAsync(ByteBuffer)}, failing with InterruptedByTimeoutException after {@code timeout}. */
    public CompletableFuture<Integer> writeAsync(ByteBuffer src, long timeout, TimeUnit unit) {
        ChannelFuture<Integer> f = new ChannelFuture<>(core.writer);
        startWrite(src, timeout, unit, null, null, f, false);
        return f;
    }

    /**
     * Gathering write: writes the first of {@code srcs[offset .. offset+length)} with bytes remaining (a write may
     * transfer fewer bytes than offered); the handler gets a {@code Long}.
     */
    @Override
    public <A> void write(ByteBuffer[] srcs, int offset, int length, long timeout, TimeUnit unit, A attachment,
            CompletionHandler<Long, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        Objects.checkFromIndexSize(offset, length, srcs.length);
        ByteBuffer source = null;
        for (int i = offset; i < offset + length && source == null; i++) {
            if (srcs[i].hasRemaining()) {
                source = srcs[i];
            }
        }
        startWrite(source != null ? source : ByteBuffer.allocate(0), timeout, unit, attachment, handler, null, true);
    }

    @SuppressWarnings("unchecked")
    private void startWrite(ByteBuffer src, long timeout, TimeUnit unit, Object att, CompletionHandler<?, ?> h,
            ChannelFuture<?> f, boolean vectored) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(unit, "unit");
        if (!isOpen()) {
            fail(att, h, f, new ClosedChannelException());
            return;
        }
        if (!connected) {
            throw new NotYetConnectedException();
        }
        Direction d = core.writer;
        if (d.poisoned) {
            throw new IllegalStateException("writing not allowed after a write timed out having moved bytes");
        }
        if (!d.begin()) {
            throw new WritePendingException();
        }
        d.kind = Direction.WRITE;
        d.attachment = att;
        d.handler = (CompletionHandler<Object, Object>) h;
        d.future = (ChannelFuture<Object>) f;
        d.buffer = src;
        d.vectored = vectored;
        if (outputShut) {
            core.completeNow(d, null, new ClosedChannelException());
            return;
        }
        if (!src.hasRemaining()) {
            core.completeNow(d, vectored ? (Object) 0L : (Object) 0, null);
            return;
        }
        MemorySegment seg = ChannelCore.segmentOf(src);
        d.requested = seg.byteSize();
        int rc = core.submit(d, Op.WRITE, seg, seg.byteSize(), 0, unit.toNanos(timeout), true);
        if (rc < 0) {
            core.completeNow(d, null, rc == -io.virtaio.netstack.Errno.EBADF ? new ClosedChannelException()
                    : ErrnoException.of(-rc, "write"));
        }
    }

    // ------------------------------------------------------------------------------------------------ completion

    /** Loop thread: the value for the handler of a successful operation; updates the buffer's position. */
    private Object success(Direction d, long result) {
        switch (d.kind) {
            case Direction.CONNECT -> {
                connecting = false;
                connected = true;
                return null;
            }
            case Direction.READ -> {
                if (result == 0 && d.requested > 0) {
                    // POSIX read returned 0 with room in the buffer: end of stream.
                    return d.vectored ? (Object) (-1L) : (Object) (-1);
                }
                advance(d.buffer, result);
                return d.vectored ? (Object) result : (Object) (int) result;
            }
            case Direction.WRITE -> {
                advance(d.buffer, result);
                return d.vectored ? (Object) result : (Object) (int) result;
            }
            default -> throw new IllegalStateException("completion of operation kind " + d.kind);
        }
    }

    private static void advance(ByteBuffer b, long n) {
        b.position(b.position() + (int) n);
    }

    // ------------------------------------------------------------------------------------------------ blocking

    /**
     * A blocking InputStream over this channel: {@code read} parks until bytes arrive (virtual threads unmount),
     * returns -1 at end of stream; an interrupt closes the channel. Closing the stream closes the channel.
     */
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (len == 0) {
                    return 0;
                }
                return readBlocking(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public int available() throws IOException {
                ensureOpen();
                int[] out = new int[1];
                check(SocketCalls.ioctl(core.sd, SocketCalls.FIONREAD, out), "ioctl");
                return out[0];
            }

            @Override
            public void close() throws IOException {
                StackSocketChannel.this.close();
            }
        };
    }

    /**
     * A blocking OutputStream over this channel: {@code write} parks until all bytes are in the socket's send
     * buffer; an interrupt closes the channel. Closing the stream closes the channel.
     */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                ByteBuffer src = ByteBuffer.wrap(b, off, len);
                while (src.hasRemaining()) {
                    writeBlocking(src);
                }
            }

            @Override
            public void close() throws IOException {
                StackSocketChannel.this.close();
            }
        };
    }

    /** Reads into {@code dst} and waits: bytes read, -1 at end of stream. */
    int readBlocking(ByteBuffer dst) throws IOException {
        streamReadLock.lock();
        try {
            ensureOpen();
            if (!connected) {
                throw new NotYetConnectedException();
            }
            Direction d = core.reader;
            if (!d.begin()) {
                throw new ReadPendingException();
            }
            try {
                if (inputShut) {
                    return -1;
                }
                MemorySegment seg = ChannelCore.segmentOf(dst);
                d.kind = Direction.READ;
                long n = core.runBlocking(d, Op.READ, seg, seg.byteSize());
                if (n == 0 && seg.byteSize() > 0) {
                    return -1;
                }
                advance(dst, n);
                return (int) n;
            } finally {
                d.end();
            }
        } finally {
            streamReadLock.unlock();
        }
    }

    /** Writes {@code src}'s remaining bytes and waits until they are queued. */
    void writeBlocking(ByteBuffer src) throws IOException {
        streamWriteLock.lock();
        try {
            ensureOpen();
            if (!connected) {
                throw new NotYetConnectedException();
            }
            Direction d = core.writer;
            if (d.poisoned) {
                throw new IllegalStateException("writing not allowed after a write timed out having moved bytes");
            }
            if (!d.begin()) {
                throw new WritePendingException();
            }
            try {
                if (outputShut) {
                    throw new ClosedChannelException();
                }
                MemorySegment seg = ChannelCore.segmentOf(src);
                d.kind = Direction.WRITE;
                advance(src, core.runBlocking(d, Op.WRITE, seg, seg.byteSize()));
            } finally {
                d.end();
            }
        } finally {
            streamWriteLock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------------ state

    @Override
    public boolean isOpen() {
        return core.isOpen();
    }

    /**
     * Closes the channel: pending operations fail with AsynchronousCloseException, the connection closes (data
     * already queued still goes out; unread received data makes it a reset, as in Linux). Idempotent.
     */
    @Override
    public void close() {
        core.close();
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private void ensureConnected() {
        if (!connected) {
            throw new NotYetConnectedException();
        }
    }

    static void check(int rc, String what) throws IOException {
        if (rc < 0) {
            throw ErrnoException.of(-rc, what);
        }
    }

    @SuppressWarnings("unchecked")
    private void fail(Object att, CompletionHandler<?, ?> h, ChannelFuture<?> f, Throwable t) {
        core.deliver((CompletionHandler<Object, Object>) h, att, (ChannelFuture<Object>) f, null, t);
    }

    @Override
    public String toString() {
        return "StackSocketChannel[fd " + core.fd() + ", " + (isOpen() ? connected ? "connected" : "unconnected"
                : "closed") + ", " + core.group.nodeName() + "]";
    }
}
