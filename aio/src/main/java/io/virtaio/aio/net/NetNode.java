package io.virtaio.aio.net;

import io.virtaio.aio.engine.Request;
import io.virtaio.aio.loop.Backoff;
import io.virtaio.aio.loop.EventLoop;
import io.virtaio.aio.loop.Pollable;
import io.virtaio.netstack.Socket;
import io.virtaio.netstack.SocketEventHandler;
import io.virtaio.netstack.Stack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * One network node: a {@link Stack} and the device side of its in-process backends, driven by one
 * {@link EventLoop}. Socket requests and control calls reach the loop through its submission ring; readiness
 * changes come back from the stack's event queue ({@link Stack#drainEvents}) and complete the requests queued on
 * the sockets. Nothing here takes a lock.
 */
public final class NetNode implements Pollable, EventLoop.Handler, SocketEventHandler, AutoCloseable {
    private final String name;
    private final EventLoop loop;
    private final Stack stack;
    private final Pollable[] devices;
    private final List<AutoCloseable> resources;
    private final List<SocketDescriptor> sockets = new ArrayList<>();

    /**
     * Creates the node's loop, builds the node with {@code factory} and starts the loop.
     *
     * @param ringCapacity bound of the loop's submission ring
     */
    public NetNode(String name, NodeFactory factory, int ringCapacity, Backoff backoff, LongSupplier clock) {
        this.name = name;
        this.loop = new EventLoop(name, ringCapacity, backoff, clock);
        NodeParts parts = factory.create(loop.doorbell());
        this.stack = parts.stack();
        this.devices = parts.devices().toArray(new Pollable[0]);
        this.resources = parts.resources();
        loop.start(this, this);
    }

    public String name() {
        return name;
    }

    public EventLoop loop() {
        return loop;
    }

    /** The node's stack; touch it only on the loop thread (from a {@link LoopCall}). */
    public Stack stack() {
        return stack;
    }

    @Override
    public long poll(long nowNs) {
        long next = stack.poll(nowNs);
        for (Pollable d : devices) {
            next = Math.min(next, d.poll(nowNs));
        }
        stack.drainEvents(this);
        if (stack.hasPendingWork()) {
            next = nowNs;
        }
        return next;
    }

    @Override
    public void onSubmission(Object item, long nowNs) {
        if (item instanceof Request r) {
            ((SocketDescriptor) r.target()).onSubmit(r);
        } else {
            ((LoopCall) item).runOnLoop(this);
        }
    }

    @Override
    public void onEvent(Socket socket, int readiness) {
        if (socket.attachment() instanceof SocketDescriptor sd) {
            sd.onReadiness(readiness);
        }
    }

    /** Loop thread: a socket descriptor of this node was created. */
    void register(SocketDescriptor sd) {
        sockets.add(sd);
    }

    /** Loop thread: a socket descriptor of this node released its stack socket. */
    void unregister(SocketDescriptor sd) {
        sockets.remove(sd);
    }

    /**
     * Hands {@code item} to the loop, waiting for room in the submission ring (control calls must not fail with
     * EAGAIN). False if the loop has stopped.
     */
    boolean post(Object item) {
        while (!loop.offer(item)) {
            if (!loop.isAlive()) {
                return false;
            }
            LockSupport.parkNanos(this, 50_000L);
        }
        return true;
    }

    /**
     * Runtime shutdown, after the grace period: completes every socket request still queued or in progress
     * (ECANCELED, or the bytes already moved) and aborts the connections.
     */
    public void abortAll() {
        new LoopCall() {
            @Override
            protected int run(NetNode node) {
                for (SocketDescriptor sd : List.copyOf(sockets)) {
                    sd.abortOnLoop();
                }
                return 0;
            }
        }.call(this);
    }

    public void counters(Map<String, Long> into) {
        loop.counters(into);
    }

    /** Stops the loop, then closes the stack and the node's resources. */
    @Override
    public void close() {
        loop.close();
        try {
            stack.close();
        } finally {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception ignored) {
                    // a resource failing to close must not keep the others open
                }
            }
        }
    }
}
