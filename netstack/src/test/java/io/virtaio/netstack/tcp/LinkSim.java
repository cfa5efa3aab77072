package io.virtaio.netstack.tcp;

import io.virtaio.netstack.Socket;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.StackContext;
import io.virtaio.netstack.wire.Ipv4Address;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Two TCP layers joined by a simulated link, on one thread in virtual time: per direction a rate (bits/s), a
 * one-way delay, a bounded queue (tail drop) and seeded random loss. {@link #run} delivers packets and fires timers
 * in time order, lets each side's application react to socket events, and jumps to the next event when idle; it
 * fails if nothing is pending before the work is done (a stall).
 */
final class LinkSim {
    static final long MS = TcpConfig.MS;

    /** One host: a context, its TCP layer, and the application's reaction to socket events. */
    final class Host {
        final int address;
        final StackContext ctx;
        final FakeIp ip;
        final TcpLayer tcp;
        Consumer<Socket> app = s -> { };

        Host(int address, TcpConfig cfg, long seed, int mtu, int maxSockets) {
            this.address = address;
            ctx = new StackContext(StackConfig.of(address, 24).withTcp(cfg).withSeed(seed)
                    .withMaxSockets(maxSockets), 0);
            ip = new FakeIp(address, () -> now, LinkSim.this::transmit);
            ip.mtu = mtu;
            ctx.setIp(ip);
            tcp = new TcpLayer(ctx);
        }

        void poll() {
            ctx.setNow(now);
            Direction in = this == a ? ba : ab;
            Packet p;
            while ((p = in.queue.peek()) != null && p.arriveNs <= now) {
                in.queue.poll();
                in.queuedBytes -= p.length;
                tcp.input(p.src, p.dst, MemorySegment.ofArray(p.data), 0, p.length, false, now);
                in.delivered++;
                free.add(p.data);
            }
            ctx.timers().advance(now);
            drainEvents();
            tcp.output(now);
            // The application may have written after output (as between polls, then Stack.flush).
            if (tcp.hasPendingOutput()) {
                drainEvents();
                tcp.output(now);
            }
        }

        private void drainEvents() {
            Socket s;
            int guard = 0;
            while ((s = ctx.events().poll()) != null && guard++ < 1_000_000) {
                app.accept(s);
            }
        }

        long nextDeadline() {
            Direction in = this == a ? ba : ab;
            Packet p = in.queue.peek();
            long d = ctx.timers().nextDeadlineNs();
            if (p != null) {
                d = Math.min(d, p.arriveNs);
            }
            if (tcp.hasPendingOutput() || !ctx.events().isEmpty()) {
                d = Math.min(d, now);
            }
            return d;
        }
    }

    record Packet(byte[] data, int length, int src, int dst, long arriveNs) {
    }

    /** One direction of the link. */
    static final class Direction {
        final ArrayDeque<Packet> queue = new ArrayDeque<>();
        long busyUntilNs;
        long queuedBytes;
        long maxQueuedBytes;
        long sent;
        long delivered;
        long droppedRandom;
        long droppedQueue;
        double lossRate;
    }

    final Host a;
    final Host b;
    final Direction ab = new Direction();
    final Direction ba = new Direction();
    final SplittableRandom random;
    final long rateBitsPerSecond;
    final long delayNs;
    final long queueLimitBytes;
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private final int mtu;
    long now;
    long steps;

    LinkSim(TcpConfig cfgA, TcpConfig cfgB, long seed, long rateBitsPerSecond, long delayNs, long queueLimitBytes,
            int mtu, int maxSockets) {
        this.random = new SplittableRandom(seed);
        this.rateBitsPerSecond = rateBitsPerSecond;
        this.delayNs = delayNs;
        this.queueLimitBytes = queueLimitBytes;
        this.mtu = mtu;
        a = new Host(Ipv4Address.of(10, 0, 0, 1), cfgA, seed * 31 + 1, mtu, maxSockets);
        b = new Host(Ipv4Address.of(10, 0, 0, 2), cfgB, seed * 31 + 2, mtu, maxSockets);
    }

    /** 1 Gbit/s, 100 µs one way, a 256 KiB queue, 1500-byte MTU. */
    static LinkSim gigabit(TcpConfig cfg, long seed) {
        return new LinkSim(cfg, cfg, seed, 1_000_000_000L, 100_000, 256 * 1024, 1500, 4096);
    }

    void loss(double rate) {
        ab.lossRate = rate;
        ba.lossRate = rate;
    }

    /** Extra work of a test (e.g. a SYN flood) run before each poll, and when it next needs to run. */
    Runnable extraWork = () -> { };
    java.util.function.LongSupplier extraDeadline = () -> Long.MAX_VALUE;
    /** Packets to addresses that are neither host (e.g. SYN-ACKs to spoofed sources), dropped. */
    long nowhere;

    private void transmit(int src, int dst, MemorySegment l4, long offset, int length, long nowNs) {
        if (dst != a.address && dst != b.address) {
            nowhere++;
            return;
        }
        Direction d = src == a.address ? ab : ba;
        d.sent++;
        if (d.lossRate > 0 && random.nextDouble() < d.lossRate) {
            d.droppedRandom++;
            return;
        }
        int wire = length + 20;         // IPv4 header
        long start = Math.max(nowNs, d.busyUntilNs);
        long backlogBytes = (start - nowNs) * rateBitsPerSecond / 8_000_000_000L;
        if (backlogBytes + wire > queueLimitBytes) {
            d.droppedQueue++;
            return;
        }
        d.busyUntilNs = start + wire * 8_000_000_000L / rateBitsPerSecond;
        d.maxQueuedBytes = Math.max(d.maxQueuedBytes, backlogBytes + wire);
        byte[] buf = free.poll();
        if (buf == null || buf.length < length) {
            buf = new byte[Math.max(length, Math.min(mtu, 65_536))];
        }
        MemorySegment.copy(l4, ValueLayout.JAVA_BYTE, offset, buf, 0, length);
        d.queuedBytes += length;
        d.queue.add(new Packet(buf, length, src, dst, d.busyUntilNs + delayNs));
    }

    /** Runs until {@code done} or {@code maxNs} of virtual time; throws if nothing is pending before done. */
    void run(BooleanSupplier done, long maxNs) {
        while (!done.getAsBoolean()) {
            long next = Math.min(Math.min(a.nextDeadline(), b.nextDeadline()), extraDeadline.getAsLong());
            if (next == Long.MAX_VALUE) {
                throw new AssertionError("stalled at " + now / 1e6 + " ms: nothing pending and not done");
            }
            if (next > maxNs) {
                throw new AssertionError("not done after " + maxNs / 1e6 + " ms of virtual time");
            }
            now = Math.max(now, next);
            extraWork.run();
            a.poll();
            b.poll();
            steps++;
        }
    }

    String stats() {
        return String.format("a->b sent %d dropped %d+%d, b->a sent %d dropped %d+%d, maxQueue %d/%d B",
                ab.sent, ab.droppedRandom, ab.droppedQueue, ba.sent, ba.droppedRandom, ba.droppedQueue,
                ab.maxQueuedBytes, ba.maxQueuedBytes);
    }
}
