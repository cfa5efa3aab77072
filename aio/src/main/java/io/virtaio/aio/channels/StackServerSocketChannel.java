package io.virtaio.aio.channels;

import io.virtaio.aio.ErrnoException;
import io.virtaio.aio.engine.Op;
import io.virtaio.aio.net.SocketCalls;
import io.virtaio.aio.net.SocketDescriptor;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.NotYetBoundException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * A listening TCP channel on the stack, following the JDK's {@link AsynchronousServerSocketChannel} rules: one
 * pending accept at a time ({@link AcceptPendingException}), {@link NotYetBoundException} before {@link #bind},
 * close fails a pending accept with {@link java.nio.channels.AsynchronousCloseException}. Accepted connections are
 * {@link StackSocketChannel}s of the same group, with this channel's options.
 *
 * <p>Threads and delivery: as {@link StackSocketChannel}.
 */
public final class StackServerSocketChannel extends AsynchronousServerSocketChannel {
    private final ChannelCore core;
    private volatile boolean bound;

    private StackServerSocketChannel(StackChannelGroup group) throws IOException {
        super(StackChannelProvider.INSTANCE);
        this.core = ChannelCore.open(group, this::success);
        core.registerWith(this);
    }

    /** A new, unbound server channel in {@code group} (on the group's node). */
    public static StackServerSocketChannel open(StackChannelGroup group) throws IOException {
        return new StackServerSocketChannel(Objects.requireNonNull(group, "group"));
    }

    /** The channel's descriptor number in its runtime. */
    public int fd() {
        return core.fd();
    }

    /** Binds to {@code local} (null: any address, an ephemeral port) and listens with {@code backlog} (≤ 0: 50). */
    @Override
    public StackServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        ensureOpen();
        if (bound) {
            throw new java.nio.channels.AlreadyBoundException();
        }
        StackSocketChannel.check(SocketCalls.bind(core.sd, Addresses.address(local), Addresses.port(local)), "bind");
        StackSocketChannel.check(SocketCalls.listen(core.sd, backlog < 1 ? 50 : backlog), "listen");
        bound = true;
        return this;
    }

    @Override
    public <T> StackServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name);
        ensureOpen();
        int[] lv = Options.levelAndName(name, supportedOptions());
        StackSocketChannel.check(SocketCalls.setOption(core.sd, lv[0], lv[1], Options.toInt(name, value)),
                "setsockopt");
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name);
        ensureOpen();
        int[] lv = Options.levelAndName(name, supportedOptions());
        int[] out = new int[1];
        StackSocketChannel.check(SocketCalls.getOption(core.sd, lv[0], lv[1], out), "getsockopt");
        return Options.fromInt(name, out[0]);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Options.SERVER;
    }

    @Override
    public <A> void accept(A attachment, CompletionHandler<AsynchronousSocketChannel, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        startAccept(attachment, handler, null);
    }

    @Override
    public Future<AsynchronousSocketChannel> accept() {
        ChannelFuture<AsynchronousSocketChannel> f = new ChannelFuture<>(core.reader);
        startAccept(null, null, f);
        return f;
    }

    /** Accepts the next connection. */
    public CompletableFuture<StackSocketChannel> acceptAsync() {
        ChannelFuture<StackSocketChannel> f = new ChannelFuture<>(core.reader);
        startAccept(null, null, f);
        return f;
    }

    @SuppressWarnings("unchecked")
    private void startAccept(Object att, CompletionHandler<?, ?> h, ChannelFuture<?> f) {
        if (!isOpen()) {
            core.deliver((CompletionHandler<Object, Object>) h, att, (ChannelFuture<Object>) f, null,
                    new ClosedChannelException());
            return;
        }
        if (!bound) {
            throw new NotYetBoundException();
        }
        Direction d = core.reader;
        if (!d.begin()) {
            throw new AcceptPendingException();
        }
        d.kind = Direction.ACCEPT;
        d.attachment = att;
        d.handler = (CompletionHandler<Object, Object>) h;
        d.future = (ChannelFuture<Object>) f;
        int rc = core.submit(d, Op.ACCEPT, null, 0, 0, 0, true);
        if (rc < 0) {
            core.completeNow(d, null, rc == -io.virtaio.netstack.Errno.EBADF ? new ClosedChannelException()
                    : ErrnoException.of(-rc, "accept"));
        }
    }

    /** Loop thread: the accepted connection becomes a channel (a descriptor number of its own). */
    private Object success(Direction d, long result, Object value) throws IOException {
        return StackSocketChannel.accepted(core.group, (SocketDescriptor) value);
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        if (!bound) {
            return null;
        }
        int[] out = new int[2];
        StackSocketChannel.check(SocketCalls.name(core.sd, false, out), "getsockname");
        return Addresses.of(out[0], out[1]);
    }

    @Override
    public boolean isOpen() {
        return core.isOpen();
    }

    /** Closes the channel: a pending accept fails with AsynchronousCloseException. Idempotent. */
    @Override
    public void close() {
        core.close();
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public String toString() {
        return "StackServerSocketChannel[fd " + core.fd() + ", " + (isOpen() ? bound ? "listening" : "unbound"
                : "closed") + ", " + core.group.nodeName() + "]";
    }
}
