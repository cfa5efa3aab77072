package io.virtaio.netstack.fault;

import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.host.VirtioHost;
import io.virtaio.netstack.sim.Simulation;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.LinkModel;
import io.virtaio.virtio.backend.Wire;
import io.virtaio.virtio.fault.DeviceFaultPlan;
import io.virtaio.virtio.fault.DeviceFaults;
import io.virtaio.virtio.fault.FaultPlan;
import io.virtaio.virtio.fault.FaultStage;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;

/**
 * Two hosts on a modelled wire in a simulation, each device behind {@code DeviceFaults(FaultStage(wire end))}:
 * the composition a fault-injection test of a server would use.
 */
final class FaultyPair implements AutoCloseable {
    static final int IP_A = Ipv4Address.parse("198.18.0.1");
    static final int IP_B = Ipv4Address.parse("198.18.0.2");

    final Simulation sim = new Simulation(0);
    final FaultStage stageA;
    final FaultStage stageB;
    final DeviceFaults devA;
    final DeviceFaults devB;
    final VirtioHost a;
    final VirtioHost b;

    /** Builds the pair; a {@code tickNs} above 0 gives host A a heartbeat (see {@link Ticker}). */
    FaultyPair(FaultPlan planA, DeviceFaultPlan deviceA, FaultPlan planB, DeviceFaultPlan deviceB, long seed,
               long tickNs) {
        Wire wire = Wire.create(LinkModel.DEFAULT);
        stageA = new FaultStage(wire.a(), planA, seed);
        stageB = new FaultStage(wire.b(), planB, seed + 1);
        Backend backA = tickNs > 0 ? new Ticker(stageA, tickNs) : stageA;
        devA = new DeviceFaults(backA, deviceA, seed + 2);
        devB = new DeviceFaults(stageB, deviceB, seed + 3);
        a = sim.add(new VirtioHost(VirtioNetDevice.Config.defaults().withMac(0x02_00_00_00_00_01L),
                VirtioNetDriver.Config.defaults(), StackConfig.of(IP_A, 24).withSeed(seed), devA, 0));
        b = sim.add(new VirtioHost(VirtioNetDevice.Config.defaults().withMac(0x02_00_00_00_00_02L),
                VirtioNetDriver.Config.defaults(), StackConfig.of(IP_B, 24).withSeed(seed + 5), devB, 0));
    }

    /** Network faults only; A ticks every {@code tickNs} if above 0. */
    static FaultyPair network(String specA, String specB, long seed, long tickNs) {
        return new FaultyPair(FaultPlan.parse(specA), DeviceFaultPlan.NONE, FaultPlan.parse(specB),
                DeviceFaultPlan.NONE, seed, tickNs);
    }

    /** A counter of host {@code h}'s stack, 0 if absent. */
    static long counter(VirtioHost h, String name) {
        return h.stack().counters().getOrDefault(name, 0L);
    }

    /** The sum of host {@code h}'s counters whose names start with {@code prefix}. */
    static long sum(VirtioHost h, String prefix) {
        return h.stack().counters().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(java.util.Map.Entry::getValue).sum();
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
