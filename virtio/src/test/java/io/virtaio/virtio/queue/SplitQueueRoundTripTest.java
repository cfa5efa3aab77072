package io.virtaio.virtio.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Driver and device over one guest memory on one thread: what goes in comes out, byte for byte. */
class SplitQueueRoundTripTest {

    static Stream<Arguments> shapes() {
        List<Arguments> out = new ArrayList<>();
        for (boolean indirect : new boolean[] {false, true}) {
            for (int r = 0; r <= 3; r++) {
                for (int w = 0; w <= 3; w++) {
                    if (r + w > 0) {
                        out.add(Arguments.of(r, w, indirect));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} readable + {1} writable, indirect {2}")
    @MethodSource("shapes")
    void deviceSeesTheDriversBytesAndTheDriverSeesTheDevicesBytes(int readable, int writable, boolean indirect) {
        int n = readable + writable;
        try (QueuePair q = QueuePair.builder(8).indirect(indirect ? 8 : 0).buffers(n, 64).build()) {
            MemorySegment mem = q.guest.region();
            long[] addrs = new long[n];
            int[] lens = new int[n];
            for (int i = 0; i < n; i++) {
                addrs[i] = q.pool.address(q.pool.acquire());
                lens[i] = 10 + 7 * i;
                mem.asSlice(addrs[i] - q.guest.base(), 64).fill((byte) 0xA5);
            }
            // Readable buffers carry bytes 1, 2, 3, ... across buffer boundaries.
            int readableBytes = 0;
            for (int i = 0; i < readable; i++) {
                for (int k = 0; k < lens[i]; k++) {
                    mem.set(ValueLayout.JAVA_BYTE, addrs[i] - q.guest.base() + k, (byte) (++readableBytes));
                }
            }
            int head = q.driver.add(addrs, lens, readable, writable, 42);
            assertTrue(head >= 0);
            assertEquals(indirect && n > 1 ? 7 : 8 - n, q.driver.numFree());
            assertEquals(QueueStatus.EMPTY, q.device.pop(q.chain), "nothing is visible before publish");
            q.driver.publish();

            assertEquals(head, q.device.pop(q.chain));
            DescChain c = q.chain;
            assertEquals(head, c.head());
            assertEquals(readable, c.readableCount());
            assertEquals(writable, c.writableCount());
            assertEquals(n, c.count());
            long writableBytes = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(addrs[i] - q.guest.base(), c.offset(i), "buffer " + i + " translated to its offset");
                assertEquals(lens[i], c.length(i));
                if (i >= readable) {
                    writableBytes += lens[i];
                }
            }
            assertEquals(readableBytes, c.readableBytes());
            assertEquals(writableBytes, c.writableBytes());
            MemorySegment got = MemorySegment.ofArray(new byte[readableBytes + 5]);
            assertEquals(readableBytes, c.copyFromReadable(0, got, 0, readableBytes + 5), "copy stops at the end");
            for (int k = 0; k < readableBytes; k++) {
                assertEquals((byte) (k + 1), got.get(ValueLayout.JAVA_BYTE, k));
            }
            // The device fills all but the last 3 writable bytes with 0x10, 0x11, ...
            int written = (int) Math.max(0, writableBytes - 3);
            byte[] reply = new byte[written];
            for (int k = 0; k < written; k++) {
                reply[k] = (byte) (0x10 + k);
            }
            assertEquals(written, c.copyToWritable(0, MemorySegment.ofArray(reply), 0, written));
            assertTrue(q.device.pushUsed(head, written));
            assertEquals(QueueStatus.EMPTY, q.driver.reap(), "nothing is visible before publishUsed");
            q.device.publishUsed();

            assertEquals(42, q.driver.reap());
            assertEquals(written, q.driver.lastLen());
            assertEquals(8, q.driver.numFree());
            assertEquals(0, q.driver.outstanding());
            byte[] seen = new byte[written];
            int k = 0;
            for (int i = readable; i < n && k < written; i++) {
                int m = Math.min(lens[i], written - k);
                MemorySegment.copy(mem, ValueLayout.JAVA_BYTE, addrs[i] - q.guest.base(), seen, k, m);
                k += m;
            }
            assertArrayEquals(reply, seen);
            assertEquals(QueueStatus.EMPTY, q.driver.reap());
            assertEquals(QueueStatus.EMPTY, q.device.pop(q.chain));
        }
    }

    @Test
    void indirectChainMayBeLongerThanTheQueue() {
        try (QueuePair q = QueuePair.builder(2).indirect(16).buffers(16, 64).build()) {
            long[] addrs = new long[16];
            int[] lens = new int[16];
            for (int i = 0; i < 16; i++) {
                addrs[i] = q.pool.address(i);
                lens[i] = 64;
            }
            int head = q.driver.add(addrs, lens, 8, 8, 3);
            q.driver.publish();
            assertEquals(head, q.device.pop(q.chain));
            assertEquals(8, q.chain.readableCount());
            assertEquals(8, q.chain.writableCount());
            assertEquals(512, q.chain.writableBytes());
        }
    }

    /** §2.7.5.3.2: "the device MUST handle the case of zero or more normal chained descriptors followed by a
     * single descriptor with flags & VIRTQ_DESC_F_INDIRECT". The driver never makes one, so it is written raw. */
    @Test
    void deviceAcceptsDirectDescriptorsFollowedByOneIndirect() {
        try (QueuePair q = QueuePair.builder(4).deviceIndirect(4).buffers(5, 64).build()) {
            RawRing r = q.raw;
            long table = q.pool.address(4);
            r.writeDesc(2, q.pool.address(0), 10, RawRing.NEXT, 3);
            r.writeDesc(3, table, 3 * 16, RawRing.INDIRECT, 0);
            long t = table - q.guest.base();
            r.writeDescAt(t, q.pool.address(1), 20, RawRing.NEXT, 2);
            r.writeDescAt(t + 32, q.pool.address(2), 30, RawRing.NEXT | RawRing.WRITE, 1);
            r.writeDescAt(t + 16, q.pool.address(3), 40, RawRing.WRITE, 0);
            r.offer(2);

            assertEquals(2, q.device.pop(q.chain));
            DescChain c = q.chain;
            assertEquals(2, c.readableCount());
            assertEquals(2, c.writableCount());
            assertEquals(q.pool.offset(0), c.offset(0));
            assertEquals(q.pool.offset(1), c.offset(1), "table entry 0");
            assertEquals(q.pool.offset(2), c.offset(2), "table entry 2, reached through next");
            assertEquals(q.pool.offset(3), c.offset(3), "table entry 1, reached through next");
            assertEquals(30, c.readableBytes());
            assertEquals(70, c.writableBytes());
            assertTrue(q.device.pushUsed(2, 70));
            q.device.publishUsed();
            assertEquals(1, r.usedIdx());
            assertEquals(2, r.usedId(0));
            assertEquals(70, r.usedLen(0));
            assertFalse(q.device.isBroken());
        }
    }

    @Test
    void addReturnsNoSpaceWhenTheTableIsFullAndSpaceReturnsAfterReap() {
        try (QueuePair q = QueuePair.builder(4).buffers(4, 64).build()) {
            for (int i = 0; i < 4; i++) {
                assertEquals(i, q.driver.addOne(q.pool.address(i), 8, true, 100 + i));
            }
            assertEquals(QueueStatus.NO_SPACE, q.driver.addOne(q.pool.address(0), 8, true, 9));
            assertEquals(4, q.driver.outstanding());
            q.driver.publish();
            assertEquals(0, q.device.pop(q.chain));
            q.device.pushUsed(0, 0);
            q.device.publishUsed();
            assertEquals(100, q.driver.reap());
            assertEquals(1, q.driver.numFree());
            long[] two = {q.pool.address(0), q.pool.address(1)};
            assertEquals(QueueStatus.NO_SPACE, q.driver.add(two, new int[] {8, 8}, 1, 1, 9),
                    "a two-descriptor chain does not fit one free descriptor");
            assertEquals(0, q.driver.addOne(q.pool.address(0), 8, false, 9), "a one-descriptor chain does");
        }
    }

    @Test
    void indirectAddReturnsNoSpaceOnlyWhenNoRingDescriptorIsFree() {
        try (QueuePair q = QueuePair.builder(2).indirect(4).buffers(4, 64).build()) {
            long[] addrs = {q.pool.address(0), q.pool.address(1), q.pool.address(2)};
            int[] lens = {8, 8, 8};
            assertTrue(q.driver.add(addrs, lens, 1, 2, 1) >= 0);
            assertTrue(q.driver.add(addrs, lens, 1, 2, 2) >= 0);
            assertEquals(QueueStatus.NO_SPACE, q.driver.add(addrs, lens, 1, 2, 3));
        }
    }

    @Test
    void misuseThrowsAtOnce() {
        try (QueuePair q = QueuePair.builder(4).buffers(1, 64).build()) {
            long a = q.pool.address(0);
            assertThrows(IllegalArgumentException.class, () -> q.driver.add(new long[0], new int[0], 0, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> q.driver.addOne(a, 0, false, 1), "empty buffer");
            assertThrows(IllegalArgumentException.class, () -> q.driver.addOne(a, 8, false, -1), "negative token");
            assertThrows(IllegalArgumentException.class,
                    () -> q.driver.addOne(q.guest.base() + q.guest.size() - 4, 8, false, 1), "outside guest memory");
            assertThrows(IllegalArgumentException.class,
                    () -> q.driver.add(new long[] {a, a, a, a, a}, new int[] {1, 1, 1, 1, 1}, 5, 0, 1),
                    "longer than the queue without indirect tables");
            assertThrows(IllegalArgumentException.class, () -> q.device.pushUsed(0, 0), "head not in flight");
            assertThrows(IllegalArgumentException.class,
                    () -> SplitQueueDriver.create(q.guest, 3, false, 0, UsedLenPolicy.STRICT, Doorbell.NONE));
            assertThrows(IllegalArgumentException.class, () -> new SplitQueueDevice(q.guest, 4,
                    q.guest.base() + q.guest.size(), q.driver.availAddress(), q.driver.usedAddress(), false, 0,
                    Doorbell.NONE), "descriptor table outside guest memory");
            assertThrows(IllegalArgumentException.class, () -> new SplitQueueDevice(q.guest, 4,
                    q.driver.descAddress() + 8, q.driver.availAddress(), q.driver.usedAddress(), false, 0,
                    Doorbell.NONE), "descriptor table not 16-aligned");
        }
    }

    /** More than 65,536 chains in batches of random sizes: every index crosses the u16 wrap at least twice. */
    @ParameterizedTest(name = "queue size {0}")
    @ValueSource(ints = {1, 2, 8, 256, 32768})
    void indicesWrapAroundU16WithoutLosingOrDuplicatingChains(int size) {
        int total = 140_000;
        Random rnd = new Random(size);
        try (QueuePair q = QueuePair.builder(size).eventIdx(size % 2 == 0).buffers(1, 64).build()) {
            long addr = q.pool.address(0);
            int nextToken = 0;
            int nextReaped = 0;
            while (nextReaped < total) {
                int batch = 1 + rnd.nextInt(Math.min(size, 300));
                for (int i = 0; i < batch && nextToken < total; i++) {
                    if (q.driver.addOne(addr, 8, true, nextToken) < 0) {
                        break;
                    }
                    nextToken++;
                }
                q.driver.publish();
                assertEquals(nextToken & 0xFFFF, q.raw.availIdx(), "avail.idx is the free-running count mod 2^16");
                int head;
                while ((head = q.device.pop(q.chain)) >= 0) {
                    q.device.pushUsed(head, 1 + (head & 7));
                }
                assertEquals(QueueStatus.EMPTY, head);
                q.device.publishUsed();
                assertEquals(nextToken & 0xFFFF, q.raw.usedIdx());
                int token;
                while ((token = q.driver.reap()) >= 0) {
                    assertEquals(nextReaped++, token, "in-order device, in-order reaping");
                }
                assertEquals(QueueStatus.EMPTY, token);
            }
            assertEquals(size, q.driver.numFree());
            assertFalse(q.driver.isBroken());
            assertFalse(q.device.isBroken());
            assertEquals(total, q.driver.counters().chains());
            assertEquals(total, q.device.counters().chains());
        }
    }

    /**
     * §2.7.8: the device may use buffers in any order. Chains of 1–3 descriptors are held for a random time and
     * completed in random order; while a chain is in flight its descriptors must keep describing its buffers, so a
     * descriptor recycled too early shows up as a changed table entry.
     */
    @Test
    void outOfOrderCompletionRecyclesExactlyTheCompletedDescriptors() {
        int size = 16;
        Random rnd = new Random(7);
        try (QueuePair q = QueuePair.builder(size).buffers(3 * size, 64).build()) {
            record InFlight(int head, long[] addrs) {
            }
            List<InFlight> held = new ArrayList<>();
            ArrayDeque<Integer> freeBuffers = new ArrayDeque<>();
            for (int i = 0; i < 3 * size; i++) {
                freeBuffers.add(i);
            }
            long[][] chainAddrs = new long[100_000][];
            int nextToken = 0;
            int reaped = 0;
            for (int round = 0; round < 20_000; round++) {
                // Add a few chains of 1..3 buffers.
                for (int k = rnd.nextInt(4); k > 0; k--) {
                    int n = 1 + rnd.nextInt(3);
                    if (q.driver.numFree() < n) {
                        break;
                    }
                    long[] addrs = new long[n];
                    for (int i = 0; i < n; i++) {
                        addrs[i] = q.pool.address(freeBuffers.poll());
                    }
                    int[] lens = new int[n];
                    Arrays.fill(lens, 16);
                    int token = nextToken++ % chainAddrs.length;
                    chainAddrs[token] = addrs;
                    assertTrue(q.driver.add(addrs, lens, 0, n, token) >= 0);
                }
                q.driver.publish();
                int head;
                while ((head = q.device.pop(q.chain)) >= 0) {
                    long[] addrs = new long[q.chain.count()];
                    for (int i = 0; i < addrs.length; i++) {
                        addrs[i] = q.chain.offset(i) + q.guest.base();
                    }
                    held.add(new InFlight(head, addrs));
                }
                // Every held chain still reads the same from the shared table.
                for (InFlight f : held) {
                    int d = f.head();
                    for (int i = 0; i < f.addrs().length; i++) {
                        assertEquals(f.addrs()[i], q.raw.descAddr(d), "descriptor " + d + " of head " + f.head()
                                + " changed while its chain was in flight");
                        d = q.raw.descNext(d);
                    }
                }
                // Complete a random subset in random order.
                java.util.Collections.shuffle(held, rnd);
                int done = held.isEmpty() ? 0 : rnd.nextInt(held.size() + 1);
                List<InFlight> completed = new ArrayList<>(held.subList(0, done));
                held.subList(0, done).clear();
                for (InFlight f : completed) {
                    q.device.pushUsed(f.head(), 16 * f.addrs().length);
                }
                q.device.publishUsed();
                for (InFlight f : completed) {
                    int token = q.driver.reap();
                    assertTrue(token >= 0, "reap returned " + QueueStatus.name(token));
                    assertArrayEquals(chainAddrs[token], f.addrs(), "tokens come back in completion order");
                    assertEquals(16 * f.addrs().length, q.driver.lastLen());
                    for (long a : chainAddrs[token]) {
                        freeBuffers.add((int) ((a - q.pool.address(0)) / 64));
                    }
                    reaped++;
                }
                assertEquals(QueueStatus.EMPTY, q.driver.reap());
                int inFlightDescs = 0;
                for (InFlight f : held) {
                    inFlightDescs += f.addrs().length;
                }
                assertEquals(size - inFlightDescs, q.driver.numFree(), "free count = size - descriptors in flight");
            }
            assertTrue(reaped > 10_000, "the test exercised " + reaped + " completions");
            assertFalse(q.driver.isBroken());
        }
    }

    @Test
    void resetOnBothSidesForgetsEverythingAndTheQueueWorksAgain() {
        try (QueuePair q = QueuePair.builder(8).eventIdx(true).buffers(8, 64).build()) {
            for (int i = 0; i < 6; i++) {
                q.driver.addOne(q.pool.address(i), 8, true, 10 + i);
            }
            q.driver.publish();
            assertEquals(0, q.device.pop(q.chain));
            assertEquals(1, q.device.pop(q.chain));
            q.device.pushUsed(1, 3);
            q.device.publishUsed();
            assertEquals(11, q.driver.reap());
            List<Integer> abandoned = new ArrayList<>();
            q.driver.forEachOutstanding(abandoned::add);
            abandoned.sort(null);
            assertEquals(List.of(10, 12, 13, 14, 15), abandoned, "tokens of chains added and not reaped");

            q.resetBoth();
            assertEquals(8, q.driver.numFree());
            assertEquals(0, q.driver.outstanding());
            assertEquals(0, q.device.inFlight());
            assertEquals(0, q.raw.availIdx());
            assertEquals(0, q.raw.usedIdx());
            List<Integer> none = new ArrayList<>();
            q.driver.forEachOutstanding(none::add);
            assertEquals(List.of(), none);
            assertEquals(1, q.driver.counters().resets());
            assertEquals(1, q.device.counters().resets());

            for (int round = 0; round < 3; round++) {
                int head = q.driver.addOne(q.pool.address(7), 8, true, 99);
                q.driver.publish();
                assertEquals(head, q.device.pop(q.chain));
                q.device.pushUsed(head, 8);
                q.device.publishUsed();
                assertEquals(99, q.driver.reap());
            }
            assertNull(q.driver.brokenRule());
            assertEquals(3, q.raw.usedIdx());
        }
    }
}
