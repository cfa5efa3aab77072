package io.virtaio.virtio.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.mem.BufferPool;
import io.virtaio.virtio.mem.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A driver and a device take turns doing normal work while, between turns, random bytes land in the other side's
 * ring memory: the descriptor table, indirect tables and available ring when the device is the victim, the used
 * ring when the driver is. Whatever the bytes, neither side may throw out of its API, touch memory outside the
 * guest region (the region is sized exactly, so any overrun throws), loop without bound, or hand back a token it
 * was not given; each step ends with the side working or broken, and a broken pair is reset and goes on.
 *
 * <p>Seeded and reproducible: a failure names the seed and round; rerun one seed with
 * {@code -Dvirtaio.fuzz.seed=N}.
 */
class RandomHostilityTest {
    private static final int ROUNDS = 100_000;
    private static final int BUFFERS = 16;
    private static final int BUFFER_SIZE = 64;

    /** {@code indirect}: the driver's table entries; {@code deviceIndirect}: the largest table the device takes. */
    @ParameterizedTest(name = "queue size {0}, event idx {1}, indirect {2}/{3}, seed {4}")
    @CsvSource({
        "8,  true,  4, 4, 1",
        "4,  false, 0, 0, 2",
        "16, true,  0, 4, 3",
        "2,  false, 8, 8, 4",
    })
    void neitherSideThrowsOverrunsHangsOrForgesTokens(int size, boolean eventIdx, int indirect, int deviceIndirect,
                                                      long defaultSeed) {
        long seed = Long.getLong("virtaio.fuzz.seed", defaultSeed);
        Fuzz f = new Fuzz(size, eventIdx, indirect, deviceIndirect, seed);
        try {
            f.run();
        } catch (Throwable t) {
            throw new AssertionError("seed " + seed + ", round " + f.round + " (" + f.phase + "): " + t, t);
        } finally {
            f.guest.close();
        }
        System.out.printf("size %d event idx %b indirect %d seed %d: %d completed, %d resets, driver %s, device %s%n",
                size, eventIdx, indirect, seed, f.completed, f.resets, f.driverRules, f.deviceRules);
        // The run only proves something if both sides both worked and broke, for several reasons.
        assertTrue(f.completed > ROUNDS / 10, "only " + f.completed + " chains completed");
        assertTrue(f.driverRules.size() >= 3, "driver broke for too few rules: " + f.driverRules);
        assertTrue(f.deviceRules.size() >= 5, "device broke for too few rules: " + f.deviceRules);
    }

    private static final class Fuzz {
        final int size;
        final Random rnd;
        final GuestMemory guest;
        final MemorySegment mem;
        final SplitQueueDriver driver;
        final SplitQueueDevice device;
        final BufferPool pool;
        final DescChain chain;
        final RawRing raw;
        final long indirectOff;
        final long indirectBytes;
        final int maxIndirect;
        final MemorySegment scratch = MemorySegment.ofArray(new byte[BUFFER_SIZE * 8]);
        final Set<Integer> outstanding = new HashSet<>();
        final List<int[]> held = new ArrayList<>(); // {head, writable bytes} popped and not yet pushed
        final Map<Violation, Integer> driverRules = new EnumMap<>(Violation.class);
        final Map<Violation, Integer> deviceRules = new EnumMap<>(Violation.class);
        final long[] addrs = new long[8];
        final int[] lens = new int[8];
        int nextToken;
        int round;
        String phase = "setup";
        long completed;
        long resets;

        Fuzz(int size, boolean eventIdx, int indirect, int deviceIndirect, long seed) {
            this.size = size;
            this.maxIndirect = deviceIndirect;
            this.rnd = new Random(seed);
            this.guest = GuestMemory.allocate(exactSize(size, eventIdx, indirect));
            this.mem = guest.region();
            this.driver = SplitQueueDriver.create(guest, size, eventIdx, indirect, UsedLenPolicy.STRICT,
                    Doorbell.NONE);
            this.device = new SplitQueueDevice(guest, size, driver.descAddress(), driver.availAddress(),
                    driver.usedAddress(), eventIdx, deviceIndirect, Doorbell.NONE);
            long before = guest.size() - guest.remaining();
            this.pool = new BufferPool(guest, BUFFERS, BUFFER_SIZE);
            assertEquals(0, guest.remaining(), "the region ends at the last buffer: an overrun throws");
            this.chain = device.newChain();
            this.raw = RawRing.of(guest, driver);
            // Indirect tables (if any) lie between the used ring and the buffers.
            long usedEnd = raw.used + SplitQueueLayout.usedSize(size);
            this.indirectOff = usedEnd;
            this.indirectBytes = Math.max(0, before - usedEnd);
        }

        /** The bytes the driver's rings, its indirect tables and the pool take, found by a dry run. */
        static long exactSize(int size, boolean eventIdx, int indirect) {
            try (GuestMemory probe = GuestMemory.allocate(1 << 24)) {
                SplitQueueDriver.create(probe, size, eventIdx, indirect, UsedLenPolicy.STRICT, Doorbell.NONE);
                new BufferPool(probe, BUFFERS, BUFFER_SIZE);
                return probe.size() - probe.remaining();
            }
        }

        void run() {
            for (round = 0; round < ROUNDS; round++) {
                phase = "driver adds";
                driverAdds();
                phase = "corrupting the driver's rings";
                if (rnd.nextInt(4) == 0) {
                    corruptDriverSide();
                }
                phase = "device pops";
                devicePopsAndPushes();
                phase = "corrupting the used ring";
                if (rnd.nextInt(4) == 0) {
                    corruptUsedRing();
                }
                phase = "driver reaps";
                driverReaps();
                if (driver.isBroken() || device.isBroken()) {
                    phase = "reset";
                    if (driver.isBroken()) {
                        driverRules.merge(driver.brokenRule(), 1, Integer::sum);
                    }
                    if (device.isBroken()) {
                        deviceRules.merge(device.brokenRule(), 1, Integer::sum);
                    }
                    Set<Integer> abandoned = new HashSet<>();
                    driver.forEachOutstanding(abandoned::add);
                    assertEquals(outstanding, abandoned, "the driver's outstanding tokens");
                    outstanding.clear();
                    held.clear();
                    device.reset();
                    driver.reset();
                    resets++;
                }
            }
        }

        void driverAdds() {
            int chains = rnd.nextInt(4);
            for (int c = 0; c < chains; c++) {
                int n = 1 + rnd.nextInt(Math.min(6, Math.max(size, driver.indirectEntries())));
                int readable = rnd.nextInt(n + 1);
                for (int i = 0; i < n; i++) {
                    addrs[i] = pool.address(rnd.nextInt(BUFFERS));
                    lens[i] = 1 + rnd.nextInt(BUFFER_SIZE);
                }
                int token = nextToken++ & 0x7FFF_FFFF;
                int head = n == 1 ? driver.addOne(addrs[0], lens[0], readable == 0, token)
                        : driver.add(addrs, lens, readable, n - readable, token);
                if (head >= 0) {
                    assertTrue(head < size, "head " + head);
                    assertTrue(outstanding.add(token), "token " + token + " reused");
                } else {
                    assertTrue(head == QueueStatus.NO_SPACE || head == QueueStatus.BROKEN, QueueStatus.name(head));
                }
            }
            driver.publish();
            switch (rnd.nextInt(4)) {
                case 0 -> driver.disableInterrupts();
                case 1 -> driver.enableInterrupts();
                default -> { }
            }
            assertTrue(driver.numFree() >= 0 && driver.numFree() <= size, "numFree " + driver.numFree());
            assertEquals(outstanding.size(), driver.outstanding());
        }

        void devicePopsAndPushes() {
            int head = 0;
            int pops = 0;
            // At most size chains can be in flight, so EMPTY or BROKEN must come within size + 1 pops.
            while (pops <= size + 1 && (head = device.pop(chain)) >= 0) {
                pops++;
                assertTrue(head < size, "popped head " + head);
                checkChainInsideGuestMemory();
                chain.copyFromReadable(0, scratch, 0, (int) Math.min(scratch.byteSize(), chain.readableBytes()));
                int w = (int) Math.min(scratch.byteSize(), chain.writableBytes());
                int written = chain.copyToWritable(0, scratch, 0, w);
                held.add(new int[] {head, written});
            }
            assertTrue(head == QueueStatus.EMPTY || head == QueueStatus.BROKEN,
                    "pop did not reach EMPTY or BROKEN within " + (size + 1) + " pops: " + QueueStatus.name(head));
            assertTrue(device.inFlight() <= size);
            // Push a random part of what is held, in random order.
            java.util.Collections.shuffle(held, rnd);
            int push = held.isEmpty() ? 0 : rnd.nextInt(held.size() + 1);
            for (int i = 0; i < push; i++) {
                int[] h = held.remove(held.size() - 1);
                device.pushUsed(h[0], h[1]); // false when broken: the push is dropped
            }
            device.publishUsed();
            switch (rnd.nextInt(4)) {
                case 0 -> device.disableNotifications();
                case 1 -> device.enableNotifications();
                default -> { }
            }
            device.hasAvailable();
        }

        void checkChainInsideGuestMemory() {
            assertTrue(chain.count() > 0 && chain.count() <= size + maxIndirect);
            for (int i = 0; i < chain.count(); i++) {
                long off = chain.offset(i);
                int len = chain.length(i);
                assertTrue(len > 0 && off >= 0 && off + len <= mem.byteSize(),
                        "buffer " + i + " at " + off + " len " + len + " outside the region");
            }
        }

        void driverReaps() {
            int token = 0;
            int reaps = 0;
            while (reaps <= size + 1 && (token = driver.reap()) >= 0) {
                reaps++;
                assertTrue(outstanding.remove(token), "reap returned token " + token + " that is not outstanding");
                assertTrue(driver.lastLen() >= 0, "len " + driver.lastLen());
                completed++;
            }
            assertTrue(token == QueueStatus.EMPTY || token == QueueStatus.BROKEN,
                    "reap did not reach EMPTY or BROKEN within " + (size + 1) + " reaps: " + token);
            driver.hasUsed();
        }

        // ---------------------------------------------------------------------------------------------------------

        void corruptDriverSide() {
            int writes = 1 + rnd.nextInt(3);
            for (int i = 0; i < writes; i++) {
                switch (rnd.nextInt(6)) {
                    case 0 -> randomBytes(raw.desc, 16L * size);
                    case 1 -> randomBytes(raw.avail, SplitQueueLayout.availSize(size));
                    case 2 -> {
                        if (indirectBytes > 0) {
                            randomBytes(indirectOff, indirectBytes);
                        } else {
                            randomBytes(raw.desc, 16L * size);
                        }
                    }
                    case 3 -> raw.setAvailIdx(raw.availIdx() + rnd.nextInt(3)); // a plausible extra offer
                    case 4 -> raw.setAvailRing(rnd.nextInt(size), rnd.nextInt(size + 2));
                    default -> raw.writeDesc(rnd.nextInt(size), plausibleAddress(), plausibleLength(),
                            rnd.nextInt(8), rnd.nextInt(size + 1));
                }
            }
        }

        void corruptUsedRing() {
            int writes = 1 + rnd.nextInt(3);
            for (int i = 0; i < writes; i++) {
                switch (rnd.nextInt(4)) {
                    case 0 -> randomBytes(raw.used, SplitQueueLayout.usedSize(size));
                    case 1 -> raw.setUsedIdx(raw.usedIdx() + rnd.nextInt(3));
                    case 2 -> raw.setUsedElem(rnd.nextInt(size), rnd.nextInt(size + 2), rnd.nextInt(2 * BUFFER_SIZE));
                    default -> raw.complete(rnd.nextInt(size + 1), rnd.nextInt(BUFFER_SIZE * 3));
                }
            }
        }

        long plausibleAddress() {
            return switch (rnd.nextInt(4)) {
                case 0 -> pool.address(rnd.nextInt(BUFFERS));
                case 1 -> guest.base() + rnd.nextInt((int) guest.size() + 64);
                case 2 -> indirectBytes > 0 ? guest.addressOf(indirectOff + 16L * rnd.nextInt(8)) : rnd.nextLong();
                default -> rnd.nextLong();
            };
        }

        long plausibleLength() {
            return switch (rnd.nextInt(4)) {
                case 0 -> 16L * rnd.nextInt(6);
                case 1 -> rnd.nextInt(BUFFER_SIZE + 1);
                case 2 -> Integer.toUnsignedLong(rnd.nextInt());
                default -> rnd.nextInt(1 << 20);
            };
        }

        void randomBytes(long off, long len) {
            int n = 1 + rnd.nextInt(8);
            for (int i = 0; i < n; i++) {
                mem.set(ValueLayout.JAVA_BYTE, off + (long) (rnd.nextDouble() * len), (byte) rnd.nextInt());
            }
        }
    }
}
