package io.virtaio.aio.net;

import io.virtaio.aio.engine.Request;
import io.virtaio.aio.loop.EventLoop;
import io.virtaio.aio.loop.Pollable;
import io.virtaio.aio.node.LoopTask;
import io.virtaio.aio.node.Node;
import io.virtaio.aio.node.NodeFactory;
import io.virtaio.aio.node.NodeHost;
import io.virtaio.netstack.Socket;
import io.virtaio.netstack.SocketEventHandler;
import io.virtaio.netstack.Stack;
import io.virtaio.netstack.time.TimerWheel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * One network node: a {@link NodeHost} (a stack on its device) driven by one {@link EventLoop}. Socket requests,
 * control calls and loop tasks reach the loop through its submission ring; readiness changes come back from the
 * stack's event queue ({@link Stack#drainEvents}) and complete the requests queued on the sockets; request timeouts
 * (Java channels) fire from the node's timer wheel. Nothing here takes a lock.
 *
 * <p>Waiting: before the loop parks, {@link #prepareToWait} re-enables the device's notifications and re-checks the
 * host, the stack's event queue and the timers, so nothing that happened in between is lost.
 */
public final class NetNode implements Pollable, EventLoop.Handler, SocketEventHandler, Node, AutoCloseable {
    /** Request timeouts are coarse: a tick of 2^16 ns (65 µs) keeps the wheel's range far beyond any timeout. */
    private static final int TIMER_TICK_SHIFT = 16;

    private final String name;
    private final int index;
    private final EventLoop loop;
    private final NodeHost host;
    private final Stack stack;
    private final TimerWheel timers;
    private final List<SocketDescriptor> sockets = new ArrayList<>();
    private long loopTasks;
    private long taskErrors;
    private long directBytes;

    /**
     * Builds the node's host with {@code factory} (its doorbell rings {@code loop}); the caller then starts or
     * attaches the loop with this node as handler and pollable.
     */
    public NetNode(String name, int index, EventLoop loop, NodeFactory factory, long startNs) {
        this.name = name;
        this.index = index;
        this.loop = loop;
        this.host = factory.create(loop.doorbell(), startNs);
        if (host == null) {
            throw new IllegalArgumentException("node factory for " + name + " returned no host");
        }
        this.stack = host.stack();
        this.timers = new TimerWheel(TIMER_TICK_SHIFT, Math.max(0, startNs));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public int address() {
        return stack.address();
    }

    public EventLoop loop() {
        return loop;
    }

    /** The node's stack; touch it only on the loop thread (from a {@link LoopCall}). */
    public Stack stack() {
        return stack;
    }

    /** The node's timer wheel (loop thread only). */
    TimerWheel timers() {
        return timers;
    }

    // ------------------------------------------------------------------------------------------------ loop thread

    @Override
    public long poll(long nowNs) {
        long next = host.poll(nowNs);
        stack.drainEvents(this);
        if (timers.armed() > 0) {
            timers.advance(nowNs);
            next = Math.min(next, timers.nextDeadlineNs());
        }
        if (stack.hasPendingWork() || stack.hasEvents()) {
            next = nowNs;
        }
        return next;
    }

    @Override
    public boolean prepareToWait(long nowNs) {
        boolean work = host.prepareToWait(nowNs);
        return work || stack.hasEvents();
    }

    @Override
    public void busy() {
        host.busy();
    }

    @Override
    public void onSubmission(Object item, long nowNs) {
        if (item instanceof Request r) {
            ((SocketDescriptor) r.target()).onSubmit(r, nowNs);
        } else if (item instanceof LoopCall c) {
            c.runOnLoop(this);
        } else {
            loopTasks++;
            try {
                ((LoopTask) item).run(stack, nowNs);
            } catch (RuntimeException e) {
                taskErrors++;
                throw e;
            }
        }
    }

    @Override
    public void onEvent(Socket socket, int readiness) {
        Object a = socket.attachment();
        if (a instanceof SocketDescriptor sd) {
            sd.onReadiness(readiness);
        } else if (a instanceof SocketEventHandler h) {
            // A raw socket made by a LoopTask.
            h.onEvent(socket, readiness);
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

    /** Loop thread: {@code n} bytes went straight from a received segment into a read's buffer. */
    void countDirect(int n) {
        directBytes += n;
    }

    /** Native memory the node's host holds (its guest memory), 0 once closed. */
    public long nativeBytes() {
        return host.nativeBytes();
    }

    /** Socket descriptors whose stack socket is still open (approximate from other threads). */
    public int openSockets() {
        return sockets.size();
    }

    // ------------------------------------------------------------------------------------------------ any thread

    @Override
    public boolean execute(LoopTask task) {
        return loop.isAlive() && loop.offer(task);
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

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> c = new TreeMap<>();
        if (loop.isAlive()) {
            new LoopCall() {
                @Override
                protected int run(NetNode node) {
                    host.counters().forEach((k, v) -> c.put("node." + name + "." + k, v));
                    return 0;
                }
            }.call(this);
        }
        counters(c);
        return c;
    }

    /** The loop's and the node's own counters (readable from any thread, approximate). */
    public void counters(Map<String, Long> into) {
        loop.counters(into);
        into.put("node." + name + ".sockets", (long) sockets.size());
        into.put("node." + name + ".tasks", loopTasks);
        into.put("node." + name + ".taskErrors", taskErrors);
        into.put("node." + name + ".directBytes", directBytes);
    }

    /** Stops the loop, then closes the host (stack, device, backend, guest memory). */
    @Override
    public void close() {
        loop.close();
        host.close();
    }

    @Override
    public String toString() {
        return "node " + name + " (" + host + ")";
    }
}
