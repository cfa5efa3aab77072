package io.virtaio.aio.conformance;

import io.virtaio.netstack.link.FrameHandler;
import io.virtaio.netstack.link.NetDevice;
import io.virtaio.virtio.queue.Doorbell;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Two {@link NetDevice}s joined by a crossover cable, for tests that need two stacks talking without the virtio
 * layer: a frame transmitted by one end is copied into the other end's receive queue and rings that end's loop.
 * A test double (it allocates per frame), not a model of a NIC.
 */
final class CrossoverLink implements AutoCloseable {
    private static final int FRAMES = 256;
    private static final int FRAME_BYTES = 1514;

    final End a;
    final End b;
    private final Arena arena = Arena.ofShared();

    CrossoverLink() {
        a = new End(0x02_00_00_00_00_01L);
        b = new End(0x02_00_00_00_00_02L);
        a.peer = b;
        b.peer = a;
    }

    @Override
    public void close() {
        arena.close();
    }

    /** One end of the cable. */
    final class End implements NetDevice {
        private final long mac;
        private final MemorySegment tx = arena.allocate((long) FRAMES * FRAME_BYTES, 64);
        private final boolean[] busy = new boolean[FRAMES];
        private final ConcurrentLinkedQueue<byte[]> rx = new ConcurrentLinkedQueue<>();
        private End peer;
        private volatile Doorbell doorbell = Doorbell.NONE;

        End(long mac) {
            this.mac = mac;
        }

        /** The doorbell of the loop that polls this end. */
        void wakeWith(Doorbell d) {
            doorbell = d;
        }

        @Override
        public long mac() {
            return mac;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public int capabilities() {
            return 0;
        }

        @Override
        public int receive(FrameHandler handler, int budget) {
            int n = 0;
            byte[] f;
            while (n < budget && (f = rx.poll()) != null) {
                handler.onFrame(MemorySegment.ofArray(f), 0, f.length, 0);
                n++;
            }
            return n;
        }

        @Override
        public int txAcquire() {
            for (int i = 0; i < FRAMES; i++) {
                if (!busy[i]) {
                    busy[i] = true;
                    return i;
                }
            }
            return -1;
        }

        @Override
        public MemorySegment txSegment() {
            return tx;
        }

        @Override
        public long txFrameOffset(int id) {
            return (long) id * FRAME_BYTES;
        }

        @Override
        public int txFrameCapacity() {
            return FRAME_BYTES;
        }

        @Override
        public int txSubmit(int id, int frameLength, int csumStart, int csumOffset) {
            byte[] copy = new byte[frameLength];
            MemorySegment.copy(tx, txFrameOffset(id), MemorySegment.ofArray(copy), 0, frameLength);
            busy[id] = false;
            peer.rx.add(copy);
            peer.doorbell.ring();
            return 0;
        }

        @Override
        public void txAbort(int id) {
            busy[id] = false;
        }

        @Override
        public boolean flush() {
            return false;
        }

        @Override
        public boolean enableInterrupts() {
            return !rx.isEmpty();
        }

        @Override
        public void disableInterrupts() {
        }

        @Override
        public boolean needsReset() {
            return false;
        }

        @Override
        public String resetReason() {
            return null;
        }

        @Override
        public void reinitialize() {
            rx.clear();
        }

        @Override
        public Map<String, Long> counters() {
            return Map.of();
        }
    }
}
