package io.virtaio.netstack.testing;

import io.virtaio.netstack.Stack;
import io.virtaio.netstack.StackConfig;

/**
 * Two stacks on one {@link FakeWire}, stepped together in virtual time: A at {@link Host#IP}, B at
 * {@link Host#PEER_IP}, both /24.
 */
public final class TwoHosts {
    public final FakeNetDevice devA;
    public final FakeNetDevice devB;
    public final Stack a;
    public final Stack b;
    public final FakeWire wire;
    private long now;
    private long nextA;
    private long nextB;

    public TwoHosts(StackConfig configA, FakeNetDevice devA, StackConfig configB, FakeNetDevice devB, FakeWire wire) {
        this.devA = devA;
        this.devB = devB;
        this.a = new Stack(devA, configA, 0);
        this.b = new Stack(devB, configB, 0);
        this.wire = wire;
    }

    /** Default stacks and devices over a lossless wire, settled (announcements exchanged). */
    public static TwoHosts create() {
        return create(FakeNetDevice.builder(Host.MAC), FakeNetDevice.builder(Host.PEER_MAC));
    }

    /** Default stacks over the given devices and a lossless wire, settled. */
    public static TwoHosts create(FakeNetDevice.Builder a, FakeNetDevice.Builder b) {
        return create(StackConfig.of(Host.IP, Host.PREFIX), a, StackConfig.of(Host.PEER_IP, Host.PREFIX), b, 0, 0);
    }

    /** Stacks and devices as given, over a wire dropping {@code dropRate} of frames by {@code seed}, settled. */
    public static TwoHosts create(StackConfig configA, FakeNetDevice.Builder a, StackConfig configB,
                                  FakeNetDevice.Builder b, long seed, double dropRate) {
        FakeNetDevice da = a.build();
        FakeNetDevice db = b.build();
        TwoHosts net = new TwoHosts(configA, da, configB, db, new FakeWire(da, db, seed, dropRate));
        net.run();
        return net;
    }

    public long now() {
        return now;
    }

    /** Polls both stacks and moves frames until nothing is left to do at the current time. */
    public void run() {
        for (int i = 0; i < 100_000; i++) {
            nextA = a.poll(now);
            nextB = b.poll(now);
            int moved = wire.transfer();
            if (moved == 0 && nextA > now && nextB > now) {
                return;
            }
        }
        throw new AssertionError("the network did not settle at " + now);
    }

    /** Advances time by {@code ns}, running at every deadline on the way and at the end. */
    public void runFor(long ns) {
        long end = now + ns;
        run();
        while (Math.min(nextA, nextB) <= end) {
            now = Math.max(now, Math.min(nextA, nextB));
            run();
        }
        now = end;
        run();
    }
}
