package io.virtaio.netstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.StackContext;
import io.virtaio.netstack.wire.Ipv4Address;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The established data path allocates nothing: two layers joined back to back through preallocated packet slots,
 * a bulk transfer in both directions, and the thread's allocation counter read across the steady state.
 */
class TcpAllocationTest {
    private static final int SLOTS = 8192;

    /** A preallocated FIFO of packets for one direction. */
    static final class Pipe {
        final MemorySegment[] data = new MemorySegment[SLOTS];
        final int[] length = new int[SLOTS];
        final int[] src = new int[SLOTS];
        int head;
        int size;

        Pipe() {
            for (int i = 0; i < SLOTS; i++) {
                data[i] = MemorySegment.ofArray(new byte[2048]);
            }
        }

        void put(int from, MemorySegment seg, long off, int len) {
            int k = (head + size) % SLOTS;
            MemorySegment.copy(seg, off, data[k], 0, len);
            length[k] = len;
            src[k] = from;
            size++;
        }
    }

    @Test
    void steadyStateTransferAllocatesNothing() {
        int addrA = Ipv4Address.of(10, 1, 0, 1);
        int addrB = Ipv4Address.of(10, 1, 0, 2);
        long[] now = {0};
        Pipe toA = new Pipe();
        Pipe toB = new Pipe();
        StackContext ca = new StackContext(StackConfig.of(addrA, 24).withSeed(1), 0);
        StackContext cb = new StackContext(StackConfig.of(addrB, 24).withSeed(2), 0);
        ca.setIp(new FakeIp(addrA, () -> now[0], (s, d, seg, off, len, t) -> toB.put(s, seg, off, len)));
        cb.setIp(new FakeIp(addrB, () -> now[0], (s, d, seg, off, len, t) -> toA.put(s, seg, off, len)));
        TcpLayer a = new TcpLayer(ca);
        TcpLayer b = new TcpLayer(cb);
        TcpSocket l = b.newSocket();
        l.bind(0, 9);
        l.listen(1);
        TcpSocket x = a.newSocket();
        assertEquals(-Errno.EINPROGRESS, x.connect(addrB, 9));
        TcpSocket[] y = new TcpSocket[1];
        MemorySegment out = MemorySegment.ofArray(new byte[16 * 1024]);
        MemorySegment in = MemorySegment.ofArray(new byte[64 * 1024]);
        long[] moved = new long[1];
        StackContext[] ctxs = {ca, cb};
        TcpLayer[] layers = {a, b};
        Pipe[] pipes = {toA, toB};
        TcpSocket[] socks = {x, null};
        Runnable step = () -> {
            now[0] += 20_000;
            for (int side = 0; side < 2; side++) {
                StackContext ctx = ctxs[side];
                TcpLayer layer = layers[side];
                Pipe p = pipes[side];
                ctx.setNow(now[0]);
                while (p.size > 0) {
                    layer.input(p.src[p.head], ctx.config().address(), p.data[p.head], 0, p.length[p.head], false,
                            now[0]);
                    p.head = (p.head + 1) % SLOTS;
                    p.size--;
                }
                ctx.timers().advance(now[0]);
                while (ctx.events().poll() != null) {
                    // readiness is polled directly below
                }
            }
            if (y[0] == null) {
                y[0] = l.accept();
                socks[1] = y[0];
            }
            for (int k = 0; k < 2; k++) {
                TcpSocket s = socks[k];
                if (s == null) {
                    continue;
                }
                while (s.send(out, 0, (int) out.byteSize()) > 0) {
                    // fill the send buffer
                }
                int n;
                while ((n = s.recv(in, 0, (int) in.byteSize())) > 0) {
                    moved[0] += n;
                }
            }
            a.output(now[0]);
            b.output(now[0]);
        };
        // Warm up (JIT, pools, rings), then measure.
        while (moved[0] < 200L << 20) {
            step.run();
        }
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        long movedBefore = moved[0];
        long wallStart = System.nanoTime();
        for (int i = 0; i < 8_000; i++) {
            step.run();
        }
        long wallNs = System.nanoTime() - wallStart;
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        long bytes = moved[0] - movedBefore;
        // Wall-clock throughput is printed for information only (both stacks on one thread, 1500-byte MTU).
        System.out.printf("steady state: %d MiB moved in %d ms wall (%.1f Gbit/s both directions), %d bytes "
                + "allocated%n", bytes >> 20, wallNs / 1_000_000, bytes * 8.0 / wallNs, allocated);
        assertTrue(bytes > 50L << 20, "data flowed while measuring");
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for " + bytes + " bytes moved");
    }
}
