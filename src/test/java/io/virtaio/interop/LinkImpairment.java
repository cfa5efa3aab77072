package io.virtaio.interop;

import io.virtaio.virtio.netns.CommandException;
import io.virtaio.virtio.netns.HostCommands;
import io.virtaio.virtio.netns.NetNamespace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes the kernel's side of a TAP a worse link, inside the test's namespace only: random loss with an nftables
 * {@code numgen random} rule (nft(8), "NUMGEN EXPRESSION") and a rate limit with a token-bucket qdisc
 * (tc-tbf(8)). For the phase-B TCP tests: a transfer under 2 % loss, a rate-limited transfer, retransmissions
 * compared with tshark's count.
 *
 * <p>Directions are named from our stack's side: {@link Direction#TO_US} is what the kernel sends out of the
 * TAP (postrouting, and the TAP's root qdisc), {@link Direction#FROM_US} what it receives from us (prerouting).
 * The rules live in table {@code inet vtap} and match IPv4 only, so ARP is never dropped.
 */
final class LinkImpairment {
    private LinkImpairment() {
    }

    enum Direction {
        TO_US("to_us", "postrouting", "oifname", 300),
        FROM_US("from_us", "prerouting", "iifname", -300);

        final String chain;
        final String hook;
        final String ifMatch;
        final int priority;

        Direction(String chain, String hook, String ifMatch, int priority) {
            this.chain = chain;
            this.hook = hook;
            this.ifMatch = ifMatch;
            this.priority = priority;
        }
    }

    static final String TABLE = "vtap";
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+) bytes (\\d+)");

    /**
     * Drops {@code percent} % of the IPv4 packets {@code matching} an nft expression (e.g. "ip protocol tcp", or
     * "" for all) on {@code dev} in {@code direction}, each packet drawn independently: {@code numgen random mod
     * 100 < percent}. Replaces an earlier rule of that direction.
     */
    static void dropRandomly(NetNamespace ns, String dev, Direction direction, int percent, String matching)
            throws CommandException {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent must be 0..100: " + percent);
        }
        nft(ns, "add table inet " + TABLE);
        nft(ns, "add chain inet " + TABLE + " " + direction.chain + " { type filter hook " + direction.hook
                + " priority " + direction.priority + "; policy accept; }");
        nft(ns, "flush chain inet " + TABLE + " " + direction.chain);
        nft(ns, "add rule inet " + TABLE + " " + direction.chain + " " + direction.ifMatch + " \"" + dev
                + "\" meta nfproto ipv4 " + matching + " numgen random mod 100 < " + percent + " counter drop");
    }

    /** Packets the drop rule of {@code direction} has dropped so far. */
    static long dropped(NetNamespace ns, Direction direction) throws CommandException {
        String out = nft(ns, "list chain inet " + TABLE + " " + direction.chain);
        Matcher m = COUNTER.matcher(out);
        if (!m.find()) {
            throw new CommandException("no counter in chain " + direction.chain + ": " + out, null, null);
        }
        return Long.parseLong(m.group(1));
    }

    /**
     * Limits what the kernel sends to us on {@code dev} to {@code rate} (tc syntax: "1mbit", "100mbit") with a
     * token bucket of {@code burst} ("10kb") and at most {@code latency} of queueing ("50ms"); beyond that tbf drops.
     */
    static void rateLimit(NetNamespace ns, String dev, String rate, String burst, String latency)
            throws CommandException {
        tc(ns, "qdisc", "replace", "dev", dev, "root", "tbf", "rate", rate, "burst", burst, "latency", latency);
    }

    /** The TAP's root qdisc as tc shows it, statistics included. */
    static String qdisc(NetNamespace ns, String dev) throws CommandException {
        return tc(ns, "-s", "qdisc", "show", "dev", dev);
    }

    /** Removes the nftables table and the root qdisc (back to the default). */
    static void clear(NetNamespace ns, String dev) throws CommandException {
        HostCommands.run(Duration.ofSeconds(10), execIn(ns, List.of("nft", "delete", "table", "inet", TABLE)));
        HostCommands.run(Duration.ofSeconds(10), execIn(ns, List.of("tc", "qdisc", "del", "dev", dev, "root")));
    }

    private static String nft(NetNamespace ns, String command) throws CommandException {
        return HostCommands.check(Duration.ofSeconds(10), execIn(ns, List.of("nft", command)));
    }

    private static String tc(NetNamespace ns, String... args) throws CommandException {
        List<String> argv = new ArrayList<>(List.of("tc"));
        argv.addAll(List.of(args));
        return HostCommands.check(Duration.ofSeconds(10), execIn(ns, argv));
    }

    private static List<String> execIn(NetNamespace ns, List<String> command) throws CommandException {
        List<String> argv = new ArrayList<>(List.of(HostCommands.require("ip", "iproute2").toString(), "netns",
                "exec", ns.name()));
        argv.addAll(command);
        return argv;
    }
}
