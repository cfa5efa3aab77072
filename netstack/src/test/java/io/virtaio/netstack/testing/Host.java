package io.virtaio.netstack.testing;

import io.virtaio.netstack.Stack;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.wire.ArpRepr;
import io.virtaio.netstack.wire.Ipv4Address;
import java.util.List;

/**
 * One stack on a {@link FakeNetDevice} with a virtual clock, for tests that play the other end of the link by hand:
 * inject frames, poll, look at what was sent.
 */
public final class Host {
    /** 198.18.0.1/24 (RFC 2544 benchmarking space), the default address of a test stack. */
    public static final int IP = Ipv4Address.of(198, 18, 0, 1);
    public static final long MAC = 0x02_00_00_00_00_01L;
    /** A peer on the same link. */
    public static final int PEER_IP = Ipv4Address.of(198, 18, 0, 2);
    public static final long PEER_MAC = 0x02_00_00_00_00_02L;
    public static final int PREFIX = 24;

    public final FakeNetDevice device;
    public final Stack stack;
    private long now;
    private long deadline;

    public Host(FakeNetDevice device, StackConfig config) {
        this.device = device;
        this.stack = new Stack(device, config, 0);
    }

    /** A stack at {@link #IP}/24 with default limits over a default device; its start-up announcement taken. */
    public static Host create() {
        return create(StackConfig.of(IP, PREFIX), FakeNetDevice.create(MAC));
    }

    /** A stack with {@code config} over {@code device}, polled once and its start-up announcement taken. */
    public static Host create(StackConfig config, FakeNetDevice device) {
        Host h = new Host(device, config);
        h.poll();
        device.discardTx();
        return h;
    }

    public long now() {
        return now;
    }

    /** Polls at the current time; returns the stack's next deadline. */
    public long poll() {
        deadline = stack.poll(now);
        return deadline;
    }

    /** Advances the clock by {@code ns}, polling at every deadline on the way and at the end. */
    public void advance(long ns) {
        long end = now + ns;
        poll();
        for (int polls = 0; deadline <= end; polls++) {
            if (polls == 1_000_000) {
                throw new AssertionError("stack keeps asking for time at " + now);
            }
            now = Math.max(now, deadline);
            poll();
        }
        now = end;
        poll();
    }

    /** Queues {@code frame} and polls. */
    public void receive(byte[] frame) {
        receive(frame, 0);
    }

    /** Queues {@code frame} with receive {@code flags} and polls. */
    public void receive(byte[] frame, int flags) {
        if (!device.inject(frame, flags)) {
            throw new AssertionError("device receive queue full");
        }
        poll();
    }

    /** Every frame sent since the last call. */
    public List<SentFrame> sent() {
        return device.takeAllTx();
    }

    /** Teaches the stack that {@code ip} is at {@code mac} (an ARP request from it for us), dropping the reply. */
    public void learn(int ip, long mac) {
        receive(Frames.arp(ArpRepr.request(mac, ip, stack.address())));
        device.discardTx();
    }

    /** {@link #learn} for {@link #PEER_IP}. */
    public void learnPeer() {
        learn(PEER_IP, PEER_MAC);
    }

    /** A counter of the stack (0 if absent). */
    public long counter(String name) {
        return stack.counters().getOrDefault(name, 0L);
    }
}
