package io.virtaio.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.netns.CommandException;
import io.virtaio.virtio.netns.CommandResult;
import io.virtaio.virtio.netns.HostCommands;
import io.virtaio.virtio.netns.NetNamespace;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The namespace toolkit's promises: names, clean-up of what it owns only, stale reaping that spares live runs. */
@LinuxInterop
class NetNamespaceTest {
    /** A prefix of this test's own, so that reaping here can never touch another test's namespaces. */
    private static final String PREFIX = "vtapnstest";

    @Test
    void createNamesAfterThePidAndCloseDeletesEverything() throws Exception {
        NetNamespace ns = NetNamespace.create(PREFIX);
        try {
            assertTrue(ns.name().matches(PREFIX + "-" + ProcessHandle.current().pid() + "-\\d+"), ns.name());
            assertTrue(NetNamespace.list().contains(ns.name()));
            assertTrue(ns.ip("-o", "link", "show", "dev", "lo").contains("UP"), "loopback is up");
            Process sleeper = ns.start("sleep", "60");
            assertTrue(sleeper.isAlive());
            ns.close();
            assertTrue(sleeper.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "processes started in it are killed");
            assertFalse(NetNamespace.list().contains(ns.name()), "deleted");
        } finally {
            ns.close();
        }
    }

    @Test
    void reapStaleDeletesTheNamespacesOfDeadProcessesOnly() throws Exception {
        // pid_max is at most 2^22 on Linux: this pid is dead for sure. Pid 1 is alive for sure.
        String dead = PREFIX + "-99999999-1";
        String alive = PREFIX + "-1-1";
        HostCommands.check("ip", "netns", "add", dead);
        HostCommands.check("ip", "netns", "add", alive);
        try {
            List<String> reaped = NetNamespace.reapStale(PREFIX);
            assertEquals(List.of(dead), reaped);
            List<String> left = NetNamespace.list();
            assertFalse(left.contains(dead));
            assertTrue(left.contains(alive), "a live process's namespace is someone's running test");
        } finally {
            HostCommands.run("ip", "netns", "del", dead);
            HostCommands.run("ip", "netns", "del", alive);
        }
    }

    @Test
    void existingNamespacesAreLeftInPlaceAndMissingOnesAreAnError() throws Exception {
        try (NetNamespace owned = NetNamespace.create(PREFIX)) {
            NetNamespace borrowed = NetNamespace.existing(owned.name());
            assertFalse(borrowed.owned());
            borrowed.close();
            assertTrue(NetNamespace.list().contains(owned.name()), "closing a borrowed namespace deletes nothing");
        }
        CommandException e = assertThrows(CommandException.class, () -> NetNamespace.existing(PREFIX + "-nope"));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NetNamespace.existing("../etc"));
    }

    /** What {@code serve --netns NAME} relies on: it removes on exit only the namespace it created. */
    @Test
    void openOrCreateOwnsOnlyWhatItCreated() throws Exception {
        String name = PREFIX + "-named-" + ProcessHandle.current().pid();
        NetNamespace created = NetNamespace.openOrCreate(name);
        try {
            assertTrue(created.owned());
            assertTrue(created.ip("-o", "link", "show", "dev", "lo").contains("UP"), "loopback is up");
            NetNamespace again = NetNamespace.openOrCreate(name);
            assertFalse(again.owned(), "the second caller finds it");
            again.close();
            assertTrue(NetNamespace.list().contains(name), "closing the found one deletes nothing");
            created.close();
            assertFalse(NetNamespace.list().contains(name), "closing the created one deletes it");
        } finally {
            created.close();
        }
    }

    @Test
    void failedCommandsSayWhatRanAndWhatTheToolPrinted() throws Exception {
        try (NetNamespace ns = NetNamespace.create(PREFIX)) {
            CommandException e = assertThrows(CommandException.class, () -> ns.linkUp("nosuchdev0"));
            CommandResult r = e.result();
            assertTrue(r.command().contains("nosuchdev0"), r.toString());
            assertTrue(r.exitCode() != 0);
            assertTrue(e.getMessage().contains("ip -n " + ns.name()) && e.getMessage().contains("nosuchdev0"),
                    e.getMessage());
            assertFalse(r.stderr().isBlank(), "iproute2's own message is kept");
            CommandException slow = assertThrows(CommandException.class,
                    () -> HostCommands.run(Duration.ofMillis(200), List.of("sleep", "5")));
            assertTrue(slow.getMessage().contains("no answer within"), slow.getMessage());
        }
    }
}
