package io.virtaio.aio.sim;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.Simulator;
import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sigevent;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.netstack.Errno;
import io.virtaio.netstack.StackConfig;
import io.virtaio.virtio.backend.LinkModel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A simulated runtime: two stacks on virtio-net devices joined by a modelled wire (1 Gbit/s, 100 µs), stepped in
 * virtual time on the test thread. An aio echo (the server's read completions fire SIGEV_THREAD notifications that
 * queue the echo; the client writes, reads and checks) runs twice with the same seeds and must give the same run:
 * the same completion times, the same bytes, the same counters.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimulatedEchoTest {
    private static final int PORT = 7;
    private static final int MESSAGES = 200;

    /** What one run observed. */
    private record Trace(List<Long> completionTimes, long crc, long endNs, Map<String, Long> counters, long rounds) {
    }

    @Test
    void sameSeedSameRun() {
        Trace first = echo(42);
        Trace second = echo(42);
        assertEquals(MESSAGES, first.completionTimes().size());
        assertEquals(first.completionTimes(), second.completionTimes(), "completion times in virtual ns");
        assertEquals(first.crc(), second.crc());
        assertEquals(first.endNs(), second.endNs());
        assertEquals(first.rounds(), second.rounds());
        assertEquals(first.counters(), second.counters());
        // A different seed changes the ISNs, ports and message sizes: the run really depends on it.
        Trace other = echo(43);
        assertNotEquals(first.crc(), other.crc());
    }

    private static Trace echo(long seed) {
        AioRuntime rt = AioRuntime.builder()
                .config(AioConfig.builder().name("sim").build())
                .wiredPair(StackConfig.of(Nodes.ADDRESS_A, 24).withSeed(seed),
                        StackConfig.of(Nodes.ADDRESS_B, 24).withSeed(seed + 1), LinkModel.DEFAULT)
                .simulated(0)
                .build();
        try {
            Simulator sim = rt.simulator();
            assertEquals(0, rt.counters().entrySet().stream()
                    .filter(e -> e.getKey().startsWith("loop.") && e.getKey().endsWith(".parks"))
                    .mapToLong(Map.Entry::getValue).sum(), "no loop thread ever parked: there is none");
            Aio client = rt.aio(0);
            Aio server = rt.aio(1);
            int listener = server.socket(AF_INET, SOCK_STREAM, 0);
            assertEquals(0, server.bind(listener, new sockaddr_in(Nodes.ADDRESS_B, PORT)));
            assertEquals(0, server.listen(listener, 4));
            int c = client.socket(AF_INET, SOCK_STREAM, 0);
            // Blocking calls on the simulation thread step the simulation until they can return.
            assertEquals(0, client.connect(c, new sockaddr_in(Nodes.ADDRESS_B, PORT)),
                    () -> Errno.name(client.errno()));
            long connectedAt = sim.nowNs();
            assertTrue(connectedAt >= 200_000, "a handshake takes at least one round trip: " + connectedAt);
            int s = server.accept(listener, null);
            assertTrue(s >= 0);

            SplittableRandom random = new SplittableRandom(seed);
            MemorySegment serverBuf = MemorySegment.ofArray(new byte[4096]);
            aiocb serverRead = new aiocb(s, serverBuf, serverBuf.byteSize(), 0);
            aiocb serverWrite = new aiocb(s, serverBuf, 0, 0);
            // The server echoes from its read's SIGEV_THREAD notification, which runs on the simulation thread.
            serverRead.aio_sigevent.set(sigevent.thread(v -> {
                long n = server.aio_return(serverRead);
                assertTrue(n > 0, "server read " + n);
                serverWrite.aio_nbytes = n;
                assertEquals(0, server.aio_write(serverWrite));
            }, null));

            List<Long> times = new ArrayList<>();
            CRC32C crc = new CRC32C();
            MemorySegment out = MemorySegment.ofArray(new byte[2048]);
            MemorySegment in = MemorySegment.ofArray(new byte[2048]);
            aiocb write = new aiocb(c, out, 0, 0);
            aiocb read = new aiocb(c, in, 0, 0);
            int[] state = {0, 0};              // messages done, bytes still expected back for the current one
            long[] sent = {0};
            Simulator.Step step = now -> {
                if (state[1] == 0) {
                    if (state[0] == MESSAGES) {
                        return true;
                    }
                    int len = 1 + random.nextInt(2048);
                    for (int i = 0; i < len; i++) {
                        out.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
                    }
                    write.aio_nbytes = len;
                    assertEquals(0, client.aio_write(write));
                    sent[0] = len;
                    state[1] = len;
                    read.aio_offset = 0;
                    read.aio_nbytes = len;
                    assertEquals(0, client.aio_read(read));
                    if (server.aio_error(serverRead) != Errno.EINPROGRESS) {
                        assertEquals(0, server.aio_read(serverRead));
                    }
                    return false;
                }
                if (client.aio_error(read) == Errno.EINPROGRESS) {
                    if (server.aio_error(serverWrite) == 0 && server.aio_error(serverRead) != Errno.EINPROGRESS) {
                        server.aio_return(serverWrite);
                        assertEquals(0, server.aio_read(serverRead));
                    }
                    return false;
                }
                long n = client.aio_return(read);
                assertTrue(n > 0, "client read " + n + " " + Errno.name(client.aio_error(read)));
                int off = (int) (sent[0] - state[1]);
                assertEquals(-1, in.asSlice(0, n).mismatch(out.asSlice(off, n)), "echoed bytes");
                crc.update(in.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                state[1] -= (int) n;
                if (state[1] > 0) {
                    read.aio_nbytes = state[1];
                    assertEquals(0, client.aio_read(read));
                    return false;
                }
                client.aio_return(write);
                times.add(now);
                state[0]++;
                return false;
            };
            assertEquals(Simulator.Outcome.DONE, sim.run(step, 60_000_000_000L));
            Map<String, Long> counters = new java.util.TreeMap<>(rt.node(0).counters());
            counters.putAll(rt.node(1).counters());
            counters.keySet().removeIf(k -> k.contains(".loop.") || k.endsWith(".rounds"));
            assertEquals(0, client.close(c));
            assertEquals(0, server.close(s));
            assertEquals(0, server.close(listener));
            long end = sim.nowNs();
            long rounds = sim.rounds();
            rt.close();
            assertEquals(0, rt.inFlight());
            assertEquals(0, rt.ownedMemoryBytes());
            assertEquals(0, rt.threadsAlive());
            return new Trace(times, crc.getValue(), end, counters, rounds);
        } finally {
            rt.close();
        }
    }

    @Test
    void blockingCallThatNothingCanEndFailsWithEdeadlk() {
        try (AioRuntime rt = AioRuntime.builder().wiredPair().simulated(0).build()) {
            Aio b = rt.aio(1);
            int listener = b.socket(AF_INET, SOCK_STREAM, 0);
            assertEquals(0, b.bind(listener, new sockaddr_in(Nodes.ADDRESS_B, PORT)));
            assertEquals(0, b.listen(listener, 1));
            assertEquals(-1, b.accept(listener, null));
            assertEquals(Errno.EDEADLK, b.errno());
            // The canceled accept left nothing behind: the listener still works.
            int c = rt.aio(0).socket(AF_INET, SOCK_STREAM, 0);
            assertEquals(0, rt.aio(0).connect(c, new sockaddr_in(Nodes.ADDRESS_B, PORT)));
            assertTrue(b.accept(listener, null) >= 0);
        }
    }

    @Test
    void suspendTimeoutIsVirtual() {
        try (AioRuntime rt = AioRuntime.builder().wiredPair().simulated(1_000).build()) {
            Aio a = rt.aio(0);
            int[] sv = new int[2];
            assertEquals(0, a.socketpair(AF_INET, SOCK_STREAM, 0, sv), () -> Errno.name(a.errno()));
            aiocb read = new aiocb(sv[0], MemorySegment.ofArray(new byte[16]), 16, 0);
            assertEquals(0, a.aio_read(read));
            long before = rt.simulator().nowNs();
            assertEquals(-1, a.aio_suspend(new aiocb[] {read}, 1, new io.virtaio.aio.posix.timespec(3, 0)));
            assertEquals(Errno.EAGAIN, a.errno());
            assertEquals(before + 3_000_000_000L, rt.simulator().nowNs(), "exactly the timeout, in virtual time");
            assertArrayEquals(new int[] {Errno.EINPROGRESS}, new int[] {a.aio_error(read)});
        }
    }
}
