package io.virtaio.netstack.sim;

import io.virtaio.netstack.host.VirtioHost;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs hosts on one thread in virtual time: every host that was notified or whose deadline has come is polled;
 * when none has work left at the current instant, the clock jumps to the earliest deadline. Deterministic: the
 * same hosts, seeds and application steps give the same run, frame for frame.
 *
 * <p>Hosts wait exactly as a real loop would — notifications re-enabled, then re-checked
 * ({@link VirtioHost#prepareToWait}) — so the simulation exercises the virtqueue notification protocol too.
 */
public final class Simulation {
    /** Polls allowed at one instant before the run is declared a livelock. */
    private static final int MAX_POLLS_PER_INSTANT = 1_000_000;

    /** Application logic stepped between polls. */
    @FunctionalInterface
    public interface Step {
        /**
         * Called after every round of polls at time {@code nowNs}: make socket calls, drain events.
         *
         * @return true when the run is complete
         */
        boolean step(long nowNs);
    }

    /** Why {@link #run} stopped. */
    public enum Outcome {
        /** The step returned true. */
        DONE,
        /** Virtual time reached the limit first. */
        TIME_LIMIT,
        /** Nothing was scheduled and nothing notified: no event can ever come. */
        DEADLOCK
    }

    private static final class Node {
        final VirtioHost host;
        boolean notified = true;
        long deadline;

        Node(VirtioHost host) {
            this.host = host;
        }
    }

    private final List<Node> nodes = new ArrayList<>();
    private long nowNs;
    private long polls;
    private long instants;

    public Simulation(long startNs) {
        this.nowNs = startNs;
    }

    /** Adds a host; its notifications mark it for polling at the current instant. */
    public VirtioHost add(VirtioHost host) {
        Node node = new Node(host);
        host.setWakeup(() -> node.notified = true);
        nodes.add(node);
        return host;
    }

    public long nowNs() {
        return nowNs;
    }

    /** Host polls so far. */
    public long polls() {
        return polls;
    }

    /** Distinct instants the clock stopped at. */
    public long instants() {
        return instants;
    }

    /**
     * Runs until {@code app} says it is done, or virtual time would pass {@code untilNs}.
     *
     * @throws IllegalStateException if the hosts keep asking to be polled at one instant (a livelock)
     */
    public Outcome run(Step app, long untilNs) {
        int pollsHere = 0;
        while (true) {
            boolean polled = false;
            for (Node n : nodes) {
                if (n.notified || n.deadline <= nowNs) {
                    n.notified = false;
                    n.host.busy();
                    n.deadline = n.host.poll(nowNs);
                    polls++;
                    polled = true;
                }
            }
            if (app.step(nowNs)) {
                return Outcome.DONE;
            }
            if (polled) {
                if (++pollsHere > MAX_POLLS_PER_INSTANT) {
                    throw new IllegalStateException("livelock: hosts still busy after " + MAX_POLLS_PER_INSTANT
                            + " polls at t=" + nowNs + " ns");
                }
                continue;
            }
            // Nobody had work at this instant: wait as a loop would, re-checking after re-enabling notifications.
            boolean woke = false;
            for (Node n : nodes) {
                if (n.host.prepareToWait(nowNs)) {
                    n.notified = true;
                    woke = true;
                }
            }
            if (woke) {
                continue;
            }
            long next = Long.MAX_VALUE;
            for (Node n : nodes) {
                next = Math.min(next, n.deadline);
            }
            if (next == Long.MAX_VALUE) {
                return Outcome.DEADLOCK;
            }
            if (next > untilNs) {
                nowNs = untilNs;
                return Outcome.TIME_LIMIT;
            }
            nowNs = Math.max(nowNs, next);
            instants++;
            pollsHere = 0;
        }
    }
}
