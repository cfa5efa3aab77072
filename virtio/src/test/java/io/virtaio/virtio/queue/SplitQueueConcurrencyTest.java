package io.virtaio.virtio.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import io.virtaio.virtio.mem.BufferPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Driver and device on two threads, sharing only guest memory: millions of requests with checksummed payloads go
 * driver → device → driver, and nothing may be lost, duplicated, reordered or corrupted.
 *
 * <p>The device in this test is in-order, so the driver expects sequence numbers back in order. In the PARK
 * variants each side, finding nothing to do, re-enables notifications, re-checks, and parks until the other
 * side's doorbell unparks it: a lost wakeup parks a side for {@link #WAKE_TIMEOUT_NS} and fails the test with a
 * message naming it, rather than hanging. Every wait is also bounded by the run's deadline.
 */
class SplitQueueConcurrencyTest {
    private static final long WAKE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    // A hang detector, not a speed check: a quiet 2-core machine needs ~10 s for the slowest run, a loaded one far more.
    private static final long RUN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(300);
    private static final int REQUEST = 64;
    private static final int RESPONSE = 16;

    enum Wait { SPIN, PARK }

    /** Size 2 uses indirect tables so that two chains (of two buffers each) can be in flight, not one. */
    @ParameterizedTest(name = "queue size {0}, {1}, event idx {2}, indirect {3}, {4} buffers")
    @CsvSource({
        "2,     SPIN, false, true,  10000000",
        "256,   SPIN, true,  false, 10000000",
        "32768, SPIN, true,  false, 10000000",
        "2,     PARK, true,  false, 100000",
        "256,   PARK, false, false, 2000000",
        "256,   PARK, true,  true,  2000000",
    })
    void everyRequestComesBackOnceInOrderWithItsResponse(int size, Wait wait, boolean eventIdx, boolean indirect,
                                                         int total) throws InterruptedException {
        Run run = new Run(size, wait, eventIdx, indirect, total);
        try {
            run.go();
        } finally {
            run.close();
        }
    }

    /** splitmix64: a payload word that depends on the sequence number and the position. */
    static long mix(long x) {
        x += 0x9E37_79B9_7F4A_7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return x ^ (x >>> 31);
    }

    private static final class Run {
        final int size;
        final Wait wait;
        final int total;
        final int slots;
        final int descsPerChain;
        final QueuePair q;
        final BufferPool pool;
        final long deadline;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean stop;
        volatile Thread driverThread;
        volatile Thread deviceThread;
        // Progress, for the failure message (each written by one thread).
        volatile long added;
        volatile long popped;
        volatile long reaped;
        volatile long driverParks;
        volatile long deviceParks;

        Run(int size, Wait wait, boolean eventIdx, boolean indirect, int total) {
            this.size = size;
            this.wait = wait;
            this.total = total;
            // Each chain is one request + one response buffer: two ring descriptors, or one pointing at a table.
            this.descsPerChain = indirect ? 1 : 2;
            this.slots = Math.max(1, size / descsPerChain);
            this.q = QueuePair.builder(size).eventIdx(eventIdx).indirect(indirect ? 2 : 0)
                    .kick(() -> LockSupport.unpark(deviceThread))
                    .interrupt(() -> LockSupport.unpark(driverThread))
                    .buffers(2 * slots, REQUEST).build();
            this.pool = q.pool;
            this.deadline = System.nanoTime() + RUN_TIMEOUT_NS;
        }

        void go() throws InterruptedException {
            Thread dev = new Thread(() -> guard(this::device), "device");
            Thread drv = new Thread(() -> guard(this::driver), "driver");
            deviceThread = dev;
            driverThread = drv;
            dev.start();
            drv.start();
            long left = deadline - System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            drv.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            dev.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1000));
            stop = true;
            LockSupport.unpark(dev);
            LockSupport.unpark(drv);
            dev.join(5000);
            drv.join(5000);
            if (failure.get() != null) {
                throw new AssertionError(failure.get().getMessage() + " [" + progress() + "]", failure.get());
            }
            if (dev.isAlive() || drv.isAlive() || reaped != total) {
                fail("did not finish within " + TimeUnit.NANOSECONDS.toSeconds(RUN_TIMEOUT_NS) + " s: "
                        + progress());
            }
            assertEquals(total, q.driver.counters().chains());
            assertEquals(total, q.device.counters().chains());
            assertEquals((long) total * RESPONSE, q.driver.counters().bytes());
            assertEquals(0, q.driver.counters().violations());
            assertEquals(0, q.device.counters().violations());
            assertFalse(q.driver.isBroken());
            assertFalse(q.device.isBroken());
            assertEquals(size, q.driver.numFree());
        }

        String progress() {
            return "added " + added + ", popped " + popped + ", reaped " + reaped + " of " + total
                    + "; parks: driver " + driverParks + ", device " + deviceParks
                    + "; driver " + q.driver.counters() + "; device " + q.device.counters();
        }

        void close() {
            stop = true;
            Thread a = deviceThread;
            Thread b = driverThread;
            try {
                if (a != null) {
                    a.join(5000);
                }
                if (b != null) {
                    b.join(5000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            q.close();
        }

        void guard(Runnable body) {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                stop = true;
                LockSupport.unpark(deviceThread);
                LockSupport.unpark(driverThread);
            }
        }

        void check(boolean ok, String what) {
            if (!ok) {
                throw new AssertionError(what);
            }
        }

        /** Throws when the run is over (another thread failed) or past its deadline. */
        void checkAlive(String side) {
            if (stop) {
                throw new AssertionError(side + " stopped: the other side failed or the run timed out");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(side + " still waiting at the run's deadline");
            }
        }

        // -----------------------------------------------------------------------------------------------------
        // Driver thread: writes requests, checks responses.

        void driver() {
            SplitQueueDriver d = q.driver;
            MemorySegment mem = q.guest.region();
            long[] addrs = new long[2];
            int[] lens = {REQUEST, RESPONSE};
            long nextSeq = 0;
            long expectSeq = 0;
            int spins = 0;
            while (expectSeq < total) {
                // Offer as many requests as fit: slot seq % slots is free because completions are in order.
                boolean addedAny = false;
                while (nextSeq < total && d.numFree() >= descsPerChain) {
                    int slot = (int) (nextSeq % slots);
                    long req = pool.offset(2 * slot);
                    writeRequest(mem, req, nextSeq);
                    mem.asSlice(pool.offset(2 * slot + 1), RESPONSE).fill((byte) 0);
                    addrs[0] = pool.address(2 * slot);
                    addrs[1] = pool.address(2 * slot + 1);
                    int head = d.add(addrs, lens, 1, 1, (int) (nextSeq & 0x7FFF_FFFF));
                    check(head >= 0, "add returned " + QueueStatus.name(head) + " with " + d.numFree() + " free");
                    nextSeq++;
                    addedAny = true;
                }
                if (addedAny) {
                    d.publish();
                    added = nextSeq;
                }
                int token;
                boolean reapedAny = false;
                while ((token = d.reap()) >= 0) {
                    check(token == (int) (expectSeq & 0x7FFF_FFFF), "reaped token " + token + ", expected "
                            + expectSeq + " (lost, duplicated or reordered)");
                    check(d.lastLen() == RESPONSE, "used len " + d.lastLen() + " for " + expectSeq);
                    long resp = pool.offset(2 * (int) (expectSeq % slots) + 1);
                    long seq = mem.get(ValueLayout.JAVA_LONG_UNALIGNED, resp);
                    long sum = mem.get(ValueLayout.JAVA_LONG_UNALIGNED, resp + 8);
                    check(seq == expectSeq && sum == ~mix(expectSeq), "response to " + expectSeq + " reads seq "
                            + seq + " and check " + Long.toHexString(sum));
                    expectSeq++;
                    reapedAny = true;
                }
                check(token == QueueStatus.EMPTY, "reap returned " + QueueStatus.name(token) + ": "
                        + d.brokenReason());
                reaped = expectSeq;
                if (addedAny || reapedAny) {
                    spins = 0;
                    continue;
                }
                if (wait == Wait.SPIN) {
                    spin(++spins, "driver");
                } else if (!d.enableInterrupts()) {
                    // Nothing used and interrupts asked for after a fence: the device's next publish must ring.
                    driverParks++;
                    parkUntil(d::hasUsed, "driver", "used chains (an interrupt was lost)");
                    d.disableInterrupts();
                } else {
                    d.disableInterrupts();
                }
            }
        }

        void writeRequest(MemorySegment mem, long off, long seq) {
            mem.set(ValueLayout.JAVA_LONG_UNALIGNED, off, seq);
            long sum = seq;
            for (int i = 1; i < 7; i++) {
                long w = mix(seq * 7 + i);
                mem.set(ValueLayout.JAVA_LONG_UNALIGNED, off + 8L * i, w);
                sum = sum * 31 + w;
            }
            mem.set(ValueLayout.JAVA_LONG_UNALIGNED, off + 56, sum);
        }

        // -----------------------------------------------------------------------------------------------------
        // Device thread: in-order; checks each request, writes a response.

        void device() {
            SplitQueueDevice dev = q.device;
            DescChain chain = q.chain;
            MemorySegment scratch = Arena.ofAuto().allocate(REQUEST, 8);
            long expectSeq = 0;
            int spins = 0;
            dev.disableNotifications();
            while (expectSeq < total) {
                int head;
                boolean any = false;
                while ((head = dev.pop(chain)) >= 0) {
                    check(chain.readableCount() == 1 && chain.writableCount() == 1
                            && chain.readableBytes() == REQUEST && chain.writableBytes() == RESPONSE,
                            "chain shape of " + expectSeq);
                    check(chain.copyFromReadable(0, scratch, 0, REQUEST) == REQUEST, "short request");
                    long seq = scratch.get(ValueLayout.JAVA_LONG, 0);
                    check(seq == expectSeq, "device got request " + seq + ", expected " + expectSeq);
                    long sum = seq;
                    for (int i = 1; i < 7; i++) {
                        long w = scratch.get(ValueLayout.JAVA_LONG, 8L * i);
                        check(w == mix(seq * 7 + i), "payload word " + i + " of request " + seq + " corrupted");
                        sum = sum * 31 + w;
                    }
                    check(sum == scratch.get(ValueLayout.JAVA_LONG, 56), "checksum of request " + seq);
                    scratch.set(ValueLayout.JAVA_LONG, 0, seq);
                    scratch.set(ValueLayout.JAVA_LONG, 8, ~mix(seq));
                    check(chain.copyToWritable(0, scratch, 0, RESPONSE) == RESPONSE, "short response buffer");
                    check(dev.pushUsed(head, RESPONSE), "pushUsed on a broken queue");
                    expectSeq++;
                    any = true;
                }
                check(head == QueueStatus.EMPTY, "pop returned " + QueueStatus.name(head) + ": "
                        + dev.brokenReason());
                if (any) {
                    dev.publishUsed();
                    popped = expectSeq;
                    spins = 0;
                    continue;
                }
                if (wait == Wait.SPIN) {
                    spin(++spins, "device");
                } else if (!dev.enableNotifications()) {
                    deviceParks++;
                    parkUntil(dev::hasAvailable, "device", "available chains (a kick was lost)");
                    dev.disableNotifications();
                } else {
                    dev.disableNotifications();
                }
            }
        }

        /**
         * Busy polling that stays fair when the two threads share a core (another process may hold the other):
         * spin a little, then yield, so the peer can run.
         */
        void spin(int spins, String side) {
            if ((spins & 0x3F) != 0) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
                if ((spins & 0xFFF) == 0) {
                    checkAlive(side);
                }
            }
        }

        /**
         * Parks until {@code ready} holds. A doorbell unparks us; spurious returns re-check. If the wait reaches
         * {@link #WAKE_TIMEOUT_NS} the wakeup was lost: fail, whether or not the work has shown up by then.
         */
        void parkUntil(java.util.function.BooleanSupplier ready, String side, String what) {
            long start = System.nanoTime();
            while (true) {
                checkAlive(side);
                LockSupport.parkNanos(this, WAKE_TIMEOUT_NS);
                long waited = System.nanoTime() - start;
                if (waited >= WAKE_TIMEOUT_NS) {
                    throw new AssertionError(side + " parked " + TimeUnit.NANOSECONDS.toMillis(waited)
                            + " ms without a notification; " + what + ": ready now = " + ready.getAsBoolean());
                }
                if (ready.getAsBoolean()) {
                    return;
                }
            }
        }
    }
}
