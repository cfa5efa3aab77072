package io.virtaio.netstack.tcp;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.ip.Ipv4Output;
import io.virtaio.netstack.ip.TxPacket;
import io.virtaio.netstack.wire.TcpSegment;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.LongSupplier;

/**
 * An {@link Ipv4Output} for TCP tests: hands out one reusable buffer, fills the TCP checksum in software on commit
 * (as the real output layer does without offload) and passes the finished transport part to a {@link Sink}.
 * Can be told to run out of buffers (back-pressure) or to have no route.
 */
final class FakeIp implements Ipv4Output {
    /** Receives every committed TCP segment (header + payload), valid only during the call. */
    @FunctionalInterface
    interface Sink {
        void packet(int src, int dst, MemorySegment seg, long offset, int length, long nowNs);
    }

    private static final VarHandle SEGMENT;
    private static final VarHandle L4_OFFSET;
    private static final VarHandle L4_CAPACITY;
    private static final VarHandle SRC;
    private static final VarHandle DST;
    private static final VarHandle PROTOCOL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(TxPacket.class, MethodHandles.lookup());
            SEGMENT = l.findVarHandle(TxPacket.class, "segment", MemorySegment.class);
            L4_OFFSET = l.findVarHandle(TxPacket.class, "l4Offset", long.class);
            L4_CAPACITY = l.findVarHandle(TxPacket.class, "l4Capacity", int.class);
            SRC = l.findVarHandle(TxPacket.class, "src", int.class);
            DST = l.findVarHandle(TxPacket.class, "dst", int.class);
            PROTOCOL = l.findVarHandle(TxPacket.class, "protocol", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int address;
    private final MemorySegment buffer = MemorySegment.ofArray(new byte[65_536 + 64]);
    private final TxPacket packet = new TxPacket();
    private final TcpSegment view = new TcpSegment();
    private final LongSupplier clock;
    private Sink sink;
    int mtu = 1500;
    /** Buffers left before begin returns null (ENOBUFS); negative = unlimited. */
    int buffersLeft = -1;
    boolean noRoute;
    private int lastError;
    long committed;

    FakeIp(int address, LongSupplier clock, Sink sink) {
        this.address = address;
        this.clock = clock;
        this.sink = sink;
    }

    void sink(Sink s) {
        sink = s;
    }

    @Override
    public TxPacket begin(int dst, int protocol, int maxL4Length) {
        if (noRoute) {
            lastError = -Errno.EHOSTUNREACH;
            return null;
        }
        if (buffersLeft == 0) {
            lastError = -Errno.ENOBUFS;
            return null;
        }
        if (buffersLeft > 0) {
            buffersLeft--;
        }
        SEGMENT.set(packet, buffer);
        L4_OFFSET.set(packet, 34L);                 // as if behind Ethernet + IPv4 headers
        L4_CAPACITY.set(packet, Math.min(maxL4Length, mtu - 20));
        SRC.set(packet, address);
        DST.set(packet, dst);
        PROTOCOL.set(packet, protocol);
        lastError = 0;
        return packet;
    }

    @Override
    public void commit(TxPacket p, int l4Length, int checksumOffset) {
        if (l4Length > p.l4Capacity()) {
            throw new AssertionError("TCP wrote " + l4Length + " bytes into a packet of capacity " + p.l4Capacity());
        }
        TcpSegment v = view.wrap(p.segment(), p.l4Offset(), l4Length);
        if (v.checksum() != 0) {
            throw new AssertionError("checksum field must be zero at commit");
        }
        v.fillChecksum(p.src(), p.dst());
        committed++;
        sink.packet(p.src(), p.dst(), p.segment(), p.l4Offset(), l4Length, clock.getAsLong());
    }

    @Override
    public void abort(TxPacket p) {
    }

    @Override
    public int lastError() {
        return lastError;
    }

    @Override
    public int maxL4Length(int dst) {
        return mtu - 20;
    }

    @Override
    public int sourceFor(int dst) {
        return noRoute ? 0 : address;
    }
}
