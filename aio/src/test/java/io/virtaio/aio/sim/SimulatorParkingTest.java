package io.virtaio.aio.sim;

import static io.virtaio.aio.posix.Aio.AF_INET;
import static io.virtaio.aio.posix.Aio.SOCK_DGRAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.Simulator;
import io.virtaio.aio.node.LoopTask;
import io.virtaio.aio.node.NodeHost;
import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.netstack.Errno;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.host.VirtioHost;
import io.virtaio.virtio.backend.LinkModel;
import io.virtaio.virtio.backend.Wire;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The simulator waits as loop threads do: a loop that found no work and parked is woken by its doorbell, a
 * submission or its deadline — and by nothing else. In particular it does not look at its node again at every later
 * instant, which would find work no notification announced and make a lost interrupt cost nothing in simulation,
 * though it leaves a real loop asleep.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SimulatorParkingTest {
    private static final long MS = 1_000_000L;
    private static final int PORT = 9;
    private static final LoopTask NOTHING = (stack, nowNs) -> { };

    @Test
    void aParkedNodeWhoseNotificationsAreLostSleepsThroughArrivingFrames() {
        Wire wire = Wire.create(LinkModel.DEFAULT);
        VirtioHost[] deaf = new VirtioHost[1];
        AioRuntime rt = AioRuntime.builder()
                .node("a", Nodes.virtio(StackConfig.of(Nodes.ADDRESS_A, Nodes.PREFIX_LENGTH).withSeed(1), wire.a()))
                // Node b's host never gets the loop's doorbell: every interrupt it raises reaches nobody.
                .node("b", (wakeLoop, startNs) -> {
                    deaf[0] = new VirtioHost(VirtioNetDevice.Config.defaults().withMac(Nodes.macFor(Nodes.ADDRESS_B)),
                            VirtioNetDriver.Config.defaults(),
                            StackConfig.of(Nodes.ADDRESS_B, Nodes.PREFIX_LENGTH).withSeed(2), wire.b(), startNs);
                    return NodeHost.of(deaf[0]);
                })
                .simulated(0)
                .build();
        try (rt) {
            Simulator sim = rt.simulator();
            Aio a = rt.aio(0);
            Aio b = rt.aio(1);
            int server = b.socket(AF_INET, SOCK_DGRAM, 0);
            assertEquals(0, b.bind(server, new sockaddr_in(Nodes.ADDRESS_B, PORT)), () -> Errno.name(b.errno()));
            aiocb read = new aiocb(server, MemorySegment.ofArray(new byte[64]), 64, 0);
            assertEquals(0, b.aio_read(read));
            int client = a.socket(AF_INET, SOCK_DGRAM, 0);
            assertEquals(0, a.connect(client, new sockaddr_in(Nodes.ADDRESS_B, PORT)), () -> Errno.name(a.errno()));
            // Two quiet seconds: both nodes done with their start-up traffic and asleep without a deadline.
            assertEquals(Simulator.Outcome.DEADLOCK, sim.run(now -> false, 2_000 * MS));
            sim.advanceTo(2_000 * MS);
            // The datagram waits for ARP: a's request is the first frame b's device receives.
            assertEquals(0, a.aio_write(new aiocb(client, MemorySegment.ofArray(new byte[16]), 16, 0)));

            long[] arrivedAt = {-1};
            long[] seenAt = {-1};
            Simulator.Step step = now -> {
                if (arrivedAt[0] < 0 && deaf[0].device().counters().rxFrames() > 0) {
                    arrivedAt[0] = now;
                }
                if (seenAt[0] < 0 && deaf[0].stack().counters().get("arp.rx.packets") > 0) {
                    seenAt[0] = now;
                }
                return b.aio_error(read) != Errno.EINPROGRESS;
            };
            Simulator.Outcome o = sim.run(step, sim.nowNs() + 50 * MS);
            // Still waiting after 50 ms: a submission wakes b, as it unparks a real loop.
            int pokes = 0;
            for (; o != Simulator.Outcome.DONE && pokes < 4; pokes++) {
                assertTrue(rt.node(1).execute(NOTHING));
                o = sim.run(step, sim.nowNs() + 50 * MS);
            }

            assertEquals(Simulator.Outcome.DONE, o, "b woke up in the end and got the datagram");
            assertEquals(16, b.aio_return(read));
            assertTrue(arrivedAt[0] > 0 && seenAt[0] >= arrivedAt[0]);
            // Only b's own deadline or a submission may have woken it, never the arrival of the frame.
            boolean wokenByArrival = pokes == 0 && seenAt[0] == arrivedAt[0];
            assertFalse(wokenByArrival, "b, parked and deaf, saw the ARP request the instant it arrived ("
                    + arrivedAt[0] + " ns)");
        }
    }
}
