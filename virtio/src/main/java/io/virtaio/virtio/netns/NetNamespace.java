package io.virtaio.virtio.netns;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linux network namespace, driven through iproute2 (ip-netns(8), ip-link(8), ip-address(8), ip-neighbour(8)):
 * where a TAP's kernel side goes so that traffic with our stack stays off the host's own interfaces.
 *
 * <p>{@link #create} makes a namespace named {@code <prefix>-<pid>-<n>} that this object owns: {@link #close()}
 * kills the processes started in it and deletes it, and a JVM shutdown hook deletes whatever an owner failed to
 * close. The pid in the name lets {@link #reapStale} remove, at the next start, the namespaces of a JVM that died
 * without running its hooks, and only those: parallel runs never touch each other's. {@link #existing} wraps a
 * namespace someone else made; closing it deletes nothing. {@link #openOrCreate} is either, as a user asks for a
 * namespace by name ({@code serve --netns NAME}).
 *
 * <p>Control-path code: every method runs a command (tens of milliseconds) and throws
 * {@link CommandException} with the command and its stderr when it fails. Thread-safe.
 */
public final class NetNamespace implements AutoCloseable {
    /** ip-netns(8) names are file names under /run/netns; we keep to a portable subset. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern OWNED = Pattern.compile("(.+)-(\\d+)-(\\d+)");
    private static final Pattern LINK_MAC = Pattern.compile("link/ether ([0-9a-f]{2}(?::[0-9a-f]{2}){5})");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String name;
    private final boolean owned;
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private NetNamespace(String name, boolean owned) {
        this.name = name;
        this.owned = owned;
    }

    /**
     * Creates a namespace named {@code <prefix>-<pid>-<n>}, owned by the returned object, with its loopback up.
     *
     * @param prefix a recognisable prefix, e.g. "vtap" (letters, digits, '.', '_' and '-')
     */
    public static NetNamespace create(String prefix) throws CommandException {
        return createOwned(prefix + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet(), true);
    }

    /**
     * The namespace {@code name} as a user named it (e.g. {@code serve --netns NAME}): the existing one, which
     * {@link #close()} leaves in place, or — when there is none — a new one with its loopback up, owned by the
     * returned object. {@link #owned()} says which. Unlike {@link #create}, no shutdown hook deletes a namespace
     * made here: its owner does, in its own hook, after what lives inside is closed (hooks run concurrently, so a
     * second hook would pull the interfaces out from under it). Its name has no pid, so {@link #reapStale} cannot
     * find it after a kill either.
     */
    public static NetNamespace openOrCreate(String name) throws CommandException {
        checkName(name);
        return list().contains(name) ? new NetNamespace(name, false) : createOwned(name, false);
    }

    private static NetNamespace createOwned(String name, boolean reapAtExit) throws CommandException {
        checkName(name);
        HostCommands.check("ip", "netns", "add", name);
        NetNamespace ns = new NetNamespace(name, true);
        if (reapAtExit) {
            Reaper.register(ns);
        }
        try {
            HostCommands.check("ip", "-n", name, "link", "set", "dev", "lo", "up");
        } catch (CommandException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** A namespace that exists already (ip netns add NAME); {@link #close()} leaves it in place. */
    public static NetNamespace existing(String name) throws CommandException {
        checkName(name);
        if (!list().contains(name)) {
            throw new CommandException("network namespace " + name + " does not exist (ip netns add " + name + ")",
                    null, null);
        }
        return new NetNamespace(name, false);
    }

    /** The names of every namespace ip-netns(8) knows. */
    public static List<String> list() throws CommandException {
        List<String> names = new ArrayList<>();
        for (String line : HostCommands.run("ip", "netns", "list").lines()) {
            // "name" or "name (id: 3)"
            String n = line.strip();
            int space = n.indexOf(' ');
            if (!n.isEmpty()) {
                names.add(space < 0 ? n : n.substring(0, space));
            }
        }
        return names;
    }

    /**
     * Deletes the namespaces {@code <prefix>-<pid>-<n>} whose pid is no longer a live process: leftovers of a JVM
     * that was killed before its shutdown hook ran. Namespaces of live processes — parallel runs — are kept.
     *
     * @return the names deleted
     */
    public static List<String> reapStale(String prefix) throws CommandException {
        List<String> deleted = new ArrayList<>();
        for (String n : list()) {
            Matcher m = OWNED.matcher(n);
            if (!m.matches() || !m.group(1).equals(prefix)) {
                continue;
            }
            long pid = Long.parseLong(m.group(2));
            Optional<ProcessHandle> owner = ProcessHandle.of(pid);
            if (pid != ProcessHandle.current().pid() && (owner.isEmpty() || !owner.get().isAlive())) {
                killProcessesIn(n);
                if (HostCommands.run("ip", "netns", "del", n).ok()) {
                    deleted.add(n);
                }
            }
        }
        return deleted;
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a usable namespace name: \"" + name + "\"");
        }
    }

    public String name() {
        return name;
    }

    /** True if {@link #close()} deletes the namespace. */
    public boolean owned() {
        return owned;
    }

    /** Moves interface {@code link} of the caller's namespace into this one (ip link set dev LINK netns NAME). */
    public void adoptLink(String link) throws CommandException {
        HostCommands.check("ip", "link", "set", "dev", link, "netns", name);
    }

    /** Adds {@code cidr} (e.g. "198.18.0.1/24") to {@code link}. */
    public void addAddress(String link, String cidr) throws CommandException {
        ip("addr", "add", cidr, "dev", link);
    }

    /** Brings {@code link} up. */
    public void linkUp(String link) throws CommandException {
        ip("link", "set", "dev", link, "up");
    }

    /** Sets the MTU of {@code link}. */
    public void setMtu(String link, int mtu) throws CommandException {
        ip("link", "set", "dev", link, "mtu", Integer.toString(mtu));
    }

    /** Adds a route, e.g. {@code addRoute("default", "via", "198.18.0.2")}. */
    public void addRoute(String... spec) throws CommandException {
        List<String> args = new ArrayList<>(List.of("route", "add"));
        args.addAll(List.of(spec));
        ip(args.toArray(String[]::new));
    }

    /** The MAC address of {@code link}, e.g. "76:9d:5c:a2:2e:96". */
    public String linkMac(String link) throws CommandException {
        String out = ip("-o", "link", "show", "dev", link);
        Matcher m = LINK_MAC.matcher(out);
        if (!m.find()) {
            throw new CommandException("no Ethernet address for " + link + " in namespace " + name + ": " + out,
                    null, null);
        }
        return m.group(1);
    }

    /**
     * A neighbour-table entry (ip-neighbour(8)).
     *
     * @param lladdr the link-layer address, or null while unresolved
     * @param state  NUD state as ip prints it: REACHABLE, STALE, DELAY, PROBE, INCOMPLETE, FAILED, PERMANENT...
     */
    public record Neighbour(String address, String device, String lladdr, String state) {
    }

    /** The kernel's neighbour entry for {@code address} on {@code link}, if it has one. */
    public Optional<Neighbour> neighbour(String link, String address) throws CommandException {
        for (String line : ip("neigh", "show", address, "dev", link).split("\n")) {
            // "198.18.0.2 lladdr 02:00:00:00:00:01 REACHABLE", or "198.18.0.2 FAILED" (dev implied by the filter)
            String[] t = line.strip().split("\\s+");
            if (t.length < 2 || !t[0].equals(address)) {
                continue;
            }
            String lladdr = null;
            for (int i = 1; i + 1 < t.length; i++) {
                if (t[i].equals("lladdr")) {
                    lladdr = t[i + 1];
                }
            }
            return Optional.of(new Neighbour(address, link, lladdr, t[t.length - 1]));
        }
        return Optional.empty();
    }

    /** Runs {@code ip -n NAME args...} and returns its output. */
    public String ip(String... args) throws CommandException {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", name));
        argv.addAll(List.of(args));
        return HostCommands.check(HostCommands.DEFAULT_TIMEOUT, argv);
    }

    /** Sets a sysctl inside the namespace (ip netns exec NAME sysctl -qw key=value). */
    public void sysctl(String key, String value) throws CommandException {
        HostCommands.check(HostCommands.DEFAULT_TIMEOUT, execArgv(List.of("sysctl", "-qw", key + "=" + value)));
    }

    /** Runs a command inside the namespace and waits for it, up to {@code timeout}; a nonzero exit is returned. */
    public CommandResult exec(Duration timeout, String... command) throws CommandException {
        return HostCommands.run(timeout, execArgv(List.of(command)));
    }

    /**
     * Starts a long-running command inside the namespace (a server, a client under test); it is killed by
     * {@link #close()} if still running. Standard input is empty; stdout and stderr are the caller's to read.
     */
    public Process start(String... command) throws IOException {
        checkOpen();
        ProcessBuilder pb = new ProcessBuilder(execArgv(List.of(command)))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private List<String> execArgv(List<String> command) throws CommandException {
        List<String> argv = new ArrayList<>(List.of(
                HostCommands.require("ip", "iproute2").toString(), "netns", "exec", name));
        argv.addAll(command);
        return argv;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("namespace " + name + " is closed");
        }
    }

    /** Kills what {@link #start} started (and, when owned, anything else in it), then deletes an owned namespace. */
    @Override
    public void close() throws CommandException {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!owned) {
            return;
        }
        try {
            killProcessesIn(name);
            CommandResult r = HostCommands.run("ip", "netns", "del", name);
            if (!r.ok() && list().contains(name)) {
                throw new CommandException(r.describe(), r, null);
            }
        } finally {
            Reaper.deregister(this);
        }
    }

    /** SIGKILLs every process in namespace {@code ns} (ip netns pids), so that deleting it really frees it. */
    private static void killProcessesIn(String ns) throws CommandException {
        CommandResult pids = HostCommands.run("ip", "netns", "pids", ns);
        for (String line : pids.lines()) {
            try {
                ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(ProcessHandle::destroyForcibly);
            } catch (NumberFormatException e) {
                // not a pid line
            }
        }
    }

    /** Deletes on JVM exit the owned namespaces nobody closed (best effort; {@link #reapStale} covers a kill). */
    private static final class Reaper {
        private static final List<NetNamespace> LIVE = new CopyOnWriteArrayList<>();
        private static volatile boolean hooked;

        static synchronized void register(NetNamespace ns) {
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("virtaio-netns-reaper").unstarted(
                        Reaper::closeAll));
                hooked = true;
            }
            LIVE.add(ns);
        }

        static void deregister(NetNamespace ns) {
            LIVE.remove(ns);
        }

        private static void closeAll() {
            for (NetNamespace ns : LIVE) {
                try {
                    ns.close();
                } catch (CommandException | RuntimeException e) {
                    System.err.println("virtaio: could not delete network namespace " + ns.name + ": "
                            + e.getMessage());
                }
            }
        }
    }

    @Override
    public String toString() {
        return "NetNamespace[" + name + (owned ? ", owned" : "") + (closed ? ", closed" : "") + "]";
    }
}
