package io.virtaio.netstack.fault;

import io.virtaio.netstack.sim.Simulation;
import io.virtaio.netstack.udp.UdpSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A paced UDP stream from host A to host B of a {@link FaultyPair}: datagram k (a 4-byte sequence number, then bytes
 * that depend on k, 64…1400 bytes long) leaves A at k × {@code intervalNs} after the first step. Every datagram B receives is checked
 * byte for byte; a damaged one fails the test at once.
 */
final class Traffic implements Simulation.Step {
    static final int PORT = 9;
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    final int count;
    final long intervalNs;
    final long drainNs;
    final UdpSocket client;
    final UdpSocket server;
    final List<Integer> received = new ArrayList<>();
    final List<Long> receivedAt = new ArrayList<>();
    final List<String> damaged = new ArrayList<>();
    int sent;
    long lastSendNs;
    private long startNs = -1;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment out = arena.allocate(2048);
    private final MemorySegment in = arena.allocate(2048);

    Traffic(FaultyPair p, int count, long intervalNs, long drainNs) {
        this.count = count;
        this.intervalNs = intervalNs;
        this.drainNs = drainNs;
        this.server = p.b.stack().udpSocket();
        if (server.bind(0, PORT) != 0) {
            throw new IllegalStateException("bind");
        }
        this.client = p.a.stack().udpSocket();
    }

    static int length(int k) {
        return 64 + (k * 331) % 1337;
    }

    static byte pattern(int k, int i) {
        return (byte) ((k * 0x9E3779B1 + i * 0x85EBCA6B) >>> 24);
    }

    @Override
    public boolean step(long nowNs) {
        if (startNs < 0) {
            startNs = nowNs;
        }
        while (sent < count && nowNs >= startNs + (long) sent * intervalNs) {
            int len = length(sent);
            out.set(BE32, 0, sent);
            for (int i = 4; i < len; i++) {
                out.set(ValueLayout.JAVA_BYTE, i, pattern(sent, i));
            }
            int r = client.sendTo(out, 0, len, FaultyPair.IP_B, PORT);
            if (r < 0) {
                break;
            }
            sent++;
            lastSendNs = nowNs;
        }
        for (int n = server.recvFrom(in, 0, 2048); n > 0; n = server.recvFrom(in, 0, 2048)) {
            int k = in.get(BE32, 0);
            String bad = check(k, n);
            if (bad != null) {
                damaged.add(bad);
            }
            received.add(k);
            receivedAt.add(nowNs);
        }
        return sent == count && nowNs >= lastSendNs + drainNs;
    }

    private String check(int k, int n) {
        if (k < 0 || k >= sent) {
            return "datagram with sequence " + k + " never sent";
        }
        if (n != length(k)) {
            return "datagram " + k + ": " + n + " bytes, sent " + length(k);
        }
        for (int i = 4; i < n; i++) {
            if (in.get(ValueLayout.JAVA_BYTE, i) != pattern(k, i)) {
                return "datagram " + k + ": byte " + i + " differs";
            }
        }
        return null;
    }

    /** Distinct sequence numbers received. */
    long distinct() {
        return received.stream().distinct().count();
    }
}
