package io.virtaio.netstack.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DatagramQueueTest {
    private record Datagram(int address, int port, byte[] data) {}

    private static boolean offer(DatagramQueue q, Datagram d) {
        return q.offer(d.address, d.port, MemorySegment.ofArray(d.data), 0, d.data.length);
    }

    private static byte[] take(DatagramQueue q, int max) {
        byte[] buf = new byte[max];
        int n = q.take(MemorySegment.ofArray(buf), 0, max);
        return Arrays.copyOf(buf, n);
    }

    @Test
    void eachDatagramIsChargedItsPaddedSizePlusAHeader() {
        DatagramQueue q = new DatagramQueue(64);
        assertTrue(offer(q, new Datagram(1, 2, new byte[20])));     // 8 + 24
        assertTrue(offer(q, new Datagram(1, 2, new byte[24])));     // 8 + 24 = 64 in all
        assertEquals(64, q.used());
        assertFalse(offer(q, new Datagram(1, 2, new byte[0])), "even an empty datagram costs its header");
        take(q, 100);
        assertTrue(offer(q, new Datagram(1, 2, new byte[0])));
    }

    @Test
    void keepsSenderAndTruncatesToTheBuffer() {
        DatagramQueue q = new DatagramQueue(1024);
        offer(q, new Datagram(0xC6120002, 5353, new byte[] {1, 2, 3, 4, 5}));
        assertEquals(0xC6120002, q.headAddress());
        assertEquals(5353, q.headPort());
        assertEquals(5, q.headLength());
        assertArrayEquals(new byte[] {1, 2, 3}, take(q, 3));
        assertTrue(q.isEmpty(), "the rest of a datagram is discarded");
    }

    @Test
    void growingKeepsWhatIsQueuedIncludingAWrappedPayload() {
        DatagramQueue q = new DatagramQueue(64);
        offer(q, new Datagram(1, 1, new byte[40]));
        take(q, 40);
        Datagram wrapped = new Datagram(2, 2, new byte[30]);
        new SplittableRandom(1).nextBytes(wrapped.data);
        assertTrue(offer(q, wrapped));       // starts at 48: header to 56, payload wraps at 64
        q.setLimit(4096);
        assertTrue(offer(q, new Datagram(3, 3, new byte[1000])));
        assertEquals(2, q.headAddress());
        assertArrayEquals(wrapped.data, take(q, 100));
        assertEquals(3, q.headAddress());
        assertEquals(1000, take(q, 2000).length);
    }

    @Test
    void shrinkingTheLimitKeepsQueuedDatagramsButAdmitsNoMore() {
        DatagramQueue q = new DatagramQueue(256);
        offer(q, new Datagram(1, 1, new byte[100]));
        q.setLimit(64);
        assertEquals(1, q.count());
        assertFalse(offer(q, new Datagram(1, 1, new byte[1])));
        assertEquals(100, take(q, 200).length);
    }

    @Test
    void agreesWithAModel() {
        SplittableRandom random = new SplittableRandom(3);
        DatagramQueue q = new DatagramQueue(3000);
        ArrayDeque<Datagram> model = new ArrayDeque<>();
        int used = 0;
        for (int i = 0; i < 100_000; i++) {
            if (random.nextBoolean()) {
                byte[] data = new byte[random.nextInt(700)];
                random.nextBytes(data);
                Datagram d = new Datagram(random.nextInt(), random.nextInt(65536), data);
                int charge = 8 + (data.length + 7) / 8 * 8;
                boolean fits = used + charge <= 3000;
                assertEquals(fits, offer(q, d));
                if (fits) {
                    model.add(d);
                    used += charge;
                }
            } else if (!model.isEmpty()) {
                Datagram d = model.poll();
                used -= 8 + (d.data.length + 7) / 8 * 8;
                assertEquals(d.address, q.headAddress());
                assertEquals(d.port, q.headPort());
                assertArrayEquals(d.data, take(q, 1000));
            }
            assertEquals(used, q.used());
        }
    }
}
