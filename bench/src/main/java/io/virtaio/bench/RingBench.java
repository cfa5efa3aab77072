package io.virtaio.bench;

import io.virtaio.virtio.mem.BufferPool;
import io.virtaio.virtio.mem.GuestMemory;
import io.virtaio.virtio.queue.DescChain;
import io.virtaio.virtio.queue.Doorbell;
import io.virtaio.virtio.queue.SplitQueueDevice;
import io.virtaio.virtio.queue.SplitQueueDriver;
import io.virtaio.virtio.queue.UsedLenPolicy;
import java.util.concurrent.TimeUnit;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * One split virtqueue driven from two threads: the driver adds one-buffer chains and reaps them, the device pops
 * them and pushes them used. The peer, {@code jctools}, moves the same information (a token and a length) through
 * two JCTools {@link SpscArrayQueue}s of the same capacity, one for requests and one for responses.
 *
 * <p>The driver adds {@code batch} chains (or requests) and publishes once, then reaps everything used; the device
 * pops up to {@code batch}, pushes each used and publishes once. The score that counts is {@code roundTrips}, an
 * {@link AuxCounters} counter of chains reaped by the driver: the group's primary score also counts the device's
 * empty polls.
 *
 * <p>Both sides busy-poll: {@link Thread#onSpinWait()}, and a {@link Thread#yield()} every 64 empty polls in a row,
 * so that a third process holding one of two cores slows the run down instead of leaving the two pollers to share
 * one core a scheduler slice at a time (on idle cores the yield returns at once).
 *
 * <pre>./virtaio jmh RingBench -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc</pre>
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class RingBench {
    /** Queue size of the virtqueue and capacity of each JCTools queue. */
    public static final int QUEUE_SIZE = 256;
    private static final int BUFFER_SIZE = 64;

    @Param({"split", "jctools"})
    public String impl;

    @Param({"1", "32"})
    public int batch;

    private boolean split;

    // split
    private GuestMemory guest;
    private SplitQueueDriver driver;
    private SplitQueueDevice device;
    private DescChain chain;
    private long bufferAddress;

    // jctools: the same token and length, in preallocated holders so nothing is allocated per round trip.
    private SpscArrayQueue<Message> requests;
    private SpscArrayQueue<Message> responses;
    private Message[] messages;
    private int[] freeMessages;
    private int freeCount;

    /** A request or response of the jctools peer: what a used element carries. */
    static final class Message {
        final int token;
        int len;

        Message(int token) {
            this.token = token;
        }
    }

    /** Round trips completed, counted by the driver thread. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class RoundTrips {
        public long roundTrips;

        @Setup(Level.Iteration)
        public void clear() {
            roundTrips = 0;
        }
    }

    /**
     * Empty polls in a row, one per thread: in the shared group state, the device's count would sit on the line
     * holding the fields the driver reads on every call.
     */
    @State(Scope.Thread)
    public static class Idle {
        int polls;
    }

    @Setup(Level.Trial)
    public void setUp() {
        split = switch (impl) {
            case "split" -> true;
            case "jctools" -> false;
            default -> throw new IllegalArgumentException("impl must be split or jctools: " + impl);
        };
        if (batch < 1 || batch > QUEUE_SIZE) {
            throw new IllegalArgumentException("batch must be in 1.." + QUEUE_SIZE + ": " + batch);
        }
        if (split) {
            guest = GuestMemory.allocate(1 << 20);
            driver = SplitQueueDriver.create(guest, QUEUE_SIZE, true, 0, UsedLenPolicy.STRICT, Doorbell.NONE);
            device = new SplitQueueDevice(guest, QUEUE_SIZE, driver.descAddress(), driver.availAddress(),
                    driver.usedAddress(), true, 0, Doorbell.NONE);
            // Busy-polling on both sides: neither wants notifications.
            device.disableNotifications();
            driver.disableInterrupts();
            chain = device.newChain();
            bufferAddress = new BufferPool(guest, 1, BUFFER_SIZE).address(0);
        } else {
            requests = new SpscArrayQueue<>(QUEUE_SIZE);
            responses = new SpscArrayQueue<>(QUEUE_SIZE);
            messages = new Message[QUEUE_SIZE];
            freeMessages = new int[QUEUE_SIZE];
            for (int i = 0; i < QUEUE_SIZE; i++) {
                messages[i] = new Message(i);
                freeMessages[i] = i;
            }
            freeCount = QUEUE_SIZE;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (guest != null) {
            guest.close();
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // Driver thread

    @Benchmark
    @Group("ring")
    @GroupThreads(1)
    public void driver(RoundTrips counters, Idle idle, Control control) {
        if (split) {
            splitDriver(counters, idle, control);
        } else {
            jctoolsDriver(counters, idle, control);
        }
    }

    private void splitDriver(RoundTrips counters, Idle idle, Control control) {
        SplitQueueDriver d = driver;
        // Room for the whole batch first: a batch half added into a full ring and held back from publish() would
        // stall the pipeline until the device drained everything older.
        while (d.numFree() < batch) {
            if (reapSplit(d, counters) == 0) {
                if (control.stopMeasurement) {
                    return;
                }
                idle(idle);
            }
        }
        for (int i = 0; i < batch; i++) {
            d.addOne(bufferAddress, BUFFER_SIZE, true, i);
        }
        d.publish();
        reapSplit(d, counters);
    }

    private static int reapSplit(SplitQueueDriver d, RoundTrips counters) {
        int n = 0;
        while (d.reap() >= 0) {
            n++;
        }
        counters.roundTrips += n;
        return n;
    }

    private void jctoolsDriver(RoundTrips counters, Idle idle, Control control) {
        // Same rule as the split driver: room for the whole batch, then offer it.
        while (freeCount < batch) {
            if (reapJctools(counters) == 0) {
                if (control.stopMeasurement) {
                    return;
                }
                idle(idle);
            }
        }
        for (int i = 0; i < batch; i++) {
            Message m = messages[freeMessages[--freeCount]];
            m.len = BUFFER_SIZE;
            requests.offer(m); // never full: at most QUEUE_SIZE messages exist
        }
        reapJctools(counters);
    }

    private int reapJctools(RoundTrips counters) {
        int n = 0;
        Message m;
        while ((m = responses.poll()) != null) {
            freeMessages[freeCount++] = m.token;
            n++;
        }
        counters.roundTrips += n;
        return n;
    }

    // -------------------------------------------------------------------------------------------------------------
    // Device thread

    @Benchmark
    @Group("ring")
    @GroupThreads(1)
    public int device(Idle idle) {
        if (split) {
            SplitQueueDevice dev = device;
            int n = 0;
            int head;
            while (n < batch && (head = dev.pop(chain)) >= 0) {
                dev.pushUsed(head, chain.length(0));
                n++;
            }
            if (n > 0) {
                dev.publishUsed();
            } else {
                idle(idle);
            }
            return n;
        }
        int n = 0;
        Message m;
        while (n < batch && (m = requests.poll()) != null) {
            m.len = BUFFER_SIZE; // the "used length"
            responses.offer(m); // never full: at most QUEUE_SIZE messages exist
            n++;
        }
        if (n == 0) {
            idle(idle);
        }
        return n;
    }

    /** One empty poll: spin, and every 64th time in a row yield the core. */
    private static void idle(Idle idle) {
        if ((++idle.polls & 63) != 0) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }
}
