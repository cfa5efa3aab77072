package io.virtaio.netstack;

import io.virtaio.netstack.ip.Ipv4Output;
import io.virtaio.netstack.time.TimerWheel;
import java.util.SplittableRandom;

/**
 * What the protocol layers of one stack share: configuration, the IPv4 output path, the timer wheel, the socket
 * table and its event queue, the seeded randomness and the time of the current poll. Confined to the stack's
 * thread. Protocol layers (TCP, UDP, ICMP) get it at construction and never reach around it.
 */
public final class StackContext {
    private final StackConfig config;
    private final TimerWheel timers;
    private final SocketEvents events;
    private final Socket[] sockets;
    private final int[] freeSlots;
    private final SplittableRandom random;
    private final long secret0;
    private final long secret1;
    private Ipv4Output ip;
    private int freeCount;
    private long nextSocketId = 1;
    private long nowNs;

    public StackContext(StackConfig config, long startNs) {
        this.config = config;
        this.timers = new TimerWheel(TimerWheel.DEFAULT_TICK_SHIFT, Math.max(0, startNs));
        this.events = new SocketEvents(config.maxSockets());
        this.sockets = new Socket[config.maxSockets()];
        this.freeSlots = new int[config.maxSockets()];
        for (int i = 0; i < freeSlots.length; i++) {
            freeSlots[i] = freeSlots.length - 1 - i;
        }
        this.freeCount = freeSlots.length;
        this.random = new SplittableRandom(config.seed());
        // Keys for RFC 6528 ISNs and SYN cookies: derived from the seed, never from the wall clock.
        SplittableRandom keys = random.split();
        this.secret0 = keys.nextLong();
        this.secret1 = keys.nextLong();
        this.nowNs = startNs;
    }

    public StackConfig config() {
        return config;
    }

    public TimerWheel timers() {
        return timers;
    }

    public SocketEvents events() {
        return events;
    }

    /** The stack's seeded random source (ephemeral ports, jitter); splits of it for independent streams. */
    public SplittableRandom random() {
        return random;
    }

    /** Secret key words for keyed hashes (RFC 6528 ISN, SYN cookies). */
    public long secret0() {
        return secret0;
    }

    public long secret1() {
        return secret1;
    }

    public Ipv4Output ip() {
        return ip;
    }

    public void setIp(Ipv4Output output) {
        this.ip = output;
    }

    /** Time of the poll in progress (or the last one). */
    public long nowNs() {
        return nowNs;
    }

    public void setNow(long now) {
        this.nowNs = now;
    }

    /** Queues {@code s} for the layer above: its readiness may have changed. */
    public void ready(Socket s) {
        events.offer(s);
    }

    /** A slot in the socket table for {@code s}, or -1 when the table is full. */
    public int allocateSlot(Socket s) {
        if (freeCount == 0) {
            return -1;
        }
        int slot = freeSlots[--freeCount];
        sockets[slot] = s;
        return slot;
    }

    /** Frees {@code slot} and drops its queued event; the socket must never be queued for events again. */
    public void releaseSlot(int slot) {
        if (sockets[slot] == null) {
            throw new IllegalStateException("socket slot " + slot + " released twice");
        }
        sockets[slot] = null;
        events.forget(slot);
        freeSlots[freeCount++] = slot;
    }

    /** Sockets in the table. */
    public int socketCount() {
        return sockets.length - freeCount;
    }

    /** The socket in {@code slot}, or null. */
    public Socket socketAt(int slot) {
        return sockets[slot];
    }

    public int maxSockets() {
        return sockets.length;
    }

    public long nextSocketId() {
        return nextSocketId++;
    }
}
