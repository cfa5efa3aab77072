package io.virtaio.faults;

import static io.virtaio.aio.posix.Aio.AF_INET;
import static io.virtaio.aio.posix.Aio.SOCK_STREAM;
import static io.virtaio.aio.posix.Aio.SOL_SOCKET;
import static io.virtaio.aio.posix.Aio.SO_KEEPALIVE;
import static io.virtaio.aio.posix.Aio.SO_LINGER;
import static io.virtaio.aio.posix.Aio.SO_SNDBUF;
import static io.virtaio.faults.FaultyAioPair.MS;
import static io.virtaio.faults.FaultyAioPair.SECOND;
import static io.virtaio.faults.FaultyAioPair.US;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.aio.posix.timespec;
import io.virtaio.netstack.Errno;
import io.virtaio.netstack.tcp.TcpConfig;
import io.virtaio.virtio.fault.DeviceFaultPlan;
import io.virtaio.virtio.fault.FaultPlan;
import io.virtaio.virtio.fault.FaultSpec;
import io.virtaio.virtio.fault.NotificationFaults;
import io.virtaio.virtio.fault.RingSaboteur;
import io.virtaio.virtio.net.VirtioNet;
import io.virtaio.virtio.queue.Violation;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Virtio-level faults seen from the POSIX AIO layer. A simulated runtime (one thread, virtual time) runs two nodes on
 * virtio-net devices joined by a modelled wire; node a's device is wrapped in the fault machinery
 * ({@code DeviceFaults(FaultStage(wire end))}). A client on a sends {@link #UP} bytes to a server on b while the
 * server sends {@link #DOWN} back, through aio_write and aio_read with three requests in flight each way — the client
 * notified by SIGEV_THREAD, the server polling aio_error — every byte checked with SHA-256 ({@link FaultyAioPair},
 * {@link StreamEnd}).
 *
 * <p>One test per fault: what the driver, the device and TCP did about it (counters) and what the aiocbs report —
 * success with the full byte count where the layers below can recover, a clean errno (ETIMEDOUT, ECONNRESET) where
 * they cannot — with exactly one notification per request and never a hang: every run is bounded in virtual time
 * and fails, naming its seed, if it stalls. Timed faults strike at {@link #FAULT_AT}, a quarter of the way through the
 * fault-free transfer; the tests check that both directions were under way then.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AioDeviceFaultsTest {
    static final long UP = 1L << 20;
    static final long DOWN = 2L << 20;
    /** About a quarter of the fault-free run (19 ms of virtual time on the 1 Gbit/s wire). */
    static final long FAULT_AT = 5 * MS;
    /** Bound on every run, in virtual time. */
    static final long LIMIT = 120 * SECOND;
    /**
     * For faults TCP cannot ride out: RTO from 20 ms to 200 ms, a connection given up when the timer expires again
     * after 4 retransmissions (about half a second), connect after 3 SYN retransmissions.
     */
    static final TcpConfig SHORT_PATIENCE = TcpConfig.defaults().withRto(20 * MS, 20 * MS, 200 * MS, 4)
            .withSynRetries(3);
    /** {@link #SHORT_PATIENCE} with keepalive on every socket: 3 probes 100 ms apart after 200 ms of silence. */
    static final TcpConfig KEEPALIVE = SHORT_PATIENCE.withKeepAlive(200 * MS, 100 * MS, 3);

    /** When the stream of {@code seed} ends without any fault. */
    static long faultFreeEndNs(long seed) {
        try (FaultyAioPair p = streaming(seed, DeviceFaultPlan.NONE)) {
            p.runToCompletion(LIMIT);
            p.assertIntact();
            return p.sim.nowNs();
        }
    }

    /** A connected pair with node a's device faulted as {@code plan} says, streaming {@link #UP} and {@link #DOWN}. */
    static FaultyAioPair streaming(long seed, DeviceFaultPlan plan) {
        return FaultyAioPair.of(seed, plan).connect().streams(UP, DOWN);
    }

    /** Runs to {@link #FAULT_AT}, checks that both directions are under way, runs to the end and checks every byte. */
    static void runThroughFault(FaultyAioPair p) {
        p.runTo(FAULT_AT);
        assertTrue(p.server.receivedBytes() > 0 && p.server.receivedBytes() < UP
                && p.client.receivedBytes() > 0 && p.client.receivedBytes() < DOWN,
                () -> "the fault must strike mid-transfer: " + p.client + " " + p.server);
        p.runToCompletion(LIMIT);
        p.assertIntact();
    }

    // ============================================================================================== notifications

    @Test
    void lostKicksCostNothingBecauseTheDriversOwnLoopStepsTheDevice() {
        // A kick wakes whoever steps the device; here that is the driver's own loop, which polls the device
        // anyway and suppresses notifications while it does. A stream gets kicks only when the driver
        // re-initializes the device (the receive ring re-stocked). Lose them: the run must not change at all.
        DeviceFaultPlan reset = DeviceFaultPlan.NONE.needsResetAt(FAULT_AT);
        List<Long> withKicks;
        try (FaultyAioPair p = streaming(2, reset)) {
            runThroughFault(p);
            withKicks = p.completionTimes();
        }
        try (FaultyAioPair p = streaming(2, reset.withKicks(NotificationFaults.lossOf(1)))) {
            runThroughFault(p);
            assertTrue(p.faults.kicks().lost() > 0, () -> "no kick to lose: " + p.faults.kicks().toMap());
            assertEquals(0, p.faults.kicks().delivered());
            assertEquals(withKicks, p.completionTimes(), "every completion at the same virtual instant");
        }
    }

    @Test
    void lostInterruptsDelayButNeverHangTheStream() {
        try (FaultyAioPair p = streaming(3, DeviceFaultPlan.NONE.withInterrupts(NotificationFaults.lossOf(1)))) {
            runThroughFault(p);
            assertTrue(p.faults.interrupts().lost() > 100, () -> p.faults.interrupts().toMap().toString());
            assertEquals(0, p.faults.interrupts().delivered());
            // A sleeping loop whose interrupt is lost sleeps on until a timer of its own or the driver's watchdog
            // (1 ms after the last frame, then doubling): a little late, where one RTO (hundreds of ms) was the
            // price before the watchdog.
            long late = p.sim.nowNs() - faultFreeEndNs(3);
            assertTrue(late > 0 && late < 20 * MS, () -> "ended " + late + " ns after the fault-free run");
            assertEquals(0, p.counter(0, "stack.device_resets"));
        }
    }

    @Test
    void aReceiverWhoseInterruptsAreAllLostStillGetsEveryByte() {
        // Only the server sends: the client has no retransmission timer to wake it. Before the driver had its
        // interrupt watchdog, it slept for good on the first lost interrupt while the server retransmitted.
        try (FaultyAioPair p = FaultyAioPair.of(4, DeviceFaultPlan.NONE.withInterrupts(NotificationFaults.lossOf(1)))
                .connect().streams(0, DOWN)) {
            p.runToCompletion(LIMIT);
            p.assertIntact();
            assertTrue(p.faults.interrupts().lost() > 100, () -> p.faults.interrupts().toMap().toString());
        }
    }

    @Test
    void delayedDuplicatedAndSpuriousNotificationsAreHarmless() {
        NotificationFaults noisy = new NotificationFaults(0, 0.3, 0.3, 200 * US, 100 * US);
        try (FaultyAioPair p = streaming(5, DeviceFaultPlan.NONE.withKicks(noisy).withInterrupts(noisy)
                .withConfigChanges(NotificationFaults.spuriousEvery(1 * MS)))) {
            runThroughFault(p);
            Map<String, Long> f = p.faults.counters();
            for (String c : List.of("irq.delayed", "irq.coalesced", "irq.duplicated", "irq.spurious", "kick.spurious",
                    "config.spurious")) {
                assertTrue(f.get(c) > 10, () -> c + ": " + f);
            }
            assertEquals(0, p.counter(0, "stack.device_resets"), "a config change with nothing changed is harmless");
            assertEquals(0, p.counter(0, "dev.device.needs_reset"));
        }
    }

    // ================================================================================================ completions

    @Test
    void transmitCompletionsLateAndOutOfOrderAcrossChainsAreHarmless() {
        DeviceFaultPlan shuffle = DeviceFaultPlan.NONE.shuffleCompletions(0, LIMIT,
                new DeviceFaultPlan.CompletionShuffle(64, 300 * US));
        try (FaultyAioPair p = streaming(6, shuffle)) {
            runThroughFault(p);
            p.runTo(p.sim.nowNs() + 1 * MS);
            Map<String, Long> f = p.faults.counters();
            assertTrue(f.get("completions.out_of_order") > 100, f::toString);
            assertEquals(f.get("completions.deferred"), f.get("completions.released"), "all held chains returned");
            assertEquals(0, p.counter(0, "stack.device_resets"), "§2.7.8: any order is legal");
            assertEquals(p.counter(0, "dev.driver.tx_frames"), p.counter(0, "dev.driver.tx_completed"),
                    "every transmit buffer came back to the driver");
        }
    }

    // ================================================================================ starvation, link and reset

    @Test
    void rxStarvationDropsFramesThatTcpRetransmits() {
        try (FaultyAioPair p = streaming(7, DeviceFaultPlan.NONE.rxStarvation(FAULT_AT, 2 * MS))) {
            runThroughFault(p);
            assertTrue(p.counter(0, "dev.device.drop_rx_no_buffer") > 10, "frames dropped and counted");
            assertTrue(p.counter(1, "tcp.retransSegs") > 0, "the server sent again what a could not take");
            assertEquals(0, p.counter(0, "stack.device_resets"), "starvation is no reason to reset");
        }
    }

    @Test
    void deviceNeedsResetMidTrafficIsDetectedResetAndReinitialized() {
        try (FaultyAioPair p = streaming(8, DeviceFaultPlan.NONE.needsResetAt(FAULT_AT))) {
            runThroughFault(p);
            assertEquals(1, p.counter(0, "dev.device.needs_reset"));
            assertEquals(1, p.counter(0, "dev.device.config_changes"), "§2.1.2: DEVICE_NEEDS_RESET is announced");
            assertEquals(1, p.counter(0, "dev.driver.resets"));
            assertEquals(1, p.counter(0, "stack.device_resets"));
            assertEquals(0, p.counter(1, "stack.device_resets"));
        }
    }

    @Test
    void deviceResetBehindTheDriversBackMidTrafficIsDetectedAndReinitialized() {
        try (FaultyAioPair p = streaming(9, DeviceFaultPlan.NONE.resetAt(FAULT_AT))) {
            runThroughFault(p);
            assertEquals(1, p.faults.counters().get("reset"));
            assertEquals(0, p.counter(0, "dev.device.needs_reset"), "nobody announced it: the driver noticed");
            assertEquals(1, p.counter(0, "dev.driver.resets"));
            assertEquals(1, p.counter(0, "stack.device_resets"));
        }
    }

    @Test
    void linkFlapPausesTheStreamWhichResumesAfterIt() {
        long down = 300 * MS;
        try (FaultyAioPair p = streaming(10, DeviceFaultPlan.NONE.linkDown(FAULT_AT, down))) {
            runThroughFault(p);
            assertEquals(2, p.counter(0, "dev.device.config_changes"), "LINK_UP cleared, then set (§5.1.4.2)");
            assertTrue(p.counter(0, "dev.device.drop_tx_link_down") > 0, "what a sent in the dark was dropped");
            assertTrue(p.counter(1, "tcp.retransSegs") > 0 && p.counter(0, "tcp.retransSegs") > 0);
            assertTrue(p.sim.nowNs() > FAULT_AT + down, "nothing crossed while the link was down");
            assertEquals(0, p.counter(0, "stack.device_resets"));
        }
    }

    // ====================================================================================================== rings

    /** Lies in the used ring are told to the driver's receive queue; lies in the available ring to transmit. */
    static int queueFor(RingSaboteur.Kind kind) {
        return kind.asDevice() ? VirtioNet.RX_QUEUE : VirtioNet.TX_QUEUE;
    }

    /** The rule the victim's check names. */
    static Violation violationOf(RingSaboteur.Kind kind) {
        return switch (kind) {
            case USED_ID_OUT_OF_RANGE -> Violation.USED_ID_OUT_OF_RANGE;
            case USED_LEN_TOO_LARGE -> Violation.USED_LEN_TOO_LARGE;
            case USED_IDX_JUMP -> Violation.USED_IDX_JUMP;
            case AVAIL_IDX_JUMP -> Violation.AVAIL_IDX_JUMP;
            case AVAIL_HEAD_OUT_OF_RANGE -> Violation.HEAD_OUT_OF_RANGE;
            case DESCRIPTOR_LOOP -> Violation.CHAIN_TOO_LONG;
        };
    }

    @ParameterizedTest
    @EnumSource(RingSaboteur.Kind.class)
    void hostileRingContentsBreakTheQueueAndAResetRecoversTheStream(RingSaboteur.Kind kind) {
        DeviceFaultPlan plan = DeviceFaultPlan.NONE.sabotage(FAULT_AT, queueFor(kind), kind);
        try (FaultyAioPair p = streaming(11 + kind.ordinal(), plan)) {
            runThroughFault(p);
            assertEquals(1, p.faults.counters().get("sabotage"));
            Violation rule = violationOf(kind);
            // The victim names the rule: the driver for a lying device, the device for a lying driver.
            String counter = (rule.checkedByDevice() ? "dev.device." : "dev.driver.") + "violation_" + rule.key();
            assertEquals(1, p.counter(0, counter), () -> counter + " " + p.counters().entrySet().stream()
                    .filter(e -> e.getKey().startsWith("node.a.dev") && e.getValue() > 0).toList());
            assertEquals(rule.checkedByDevice() ? 1 : 0, p.counter(0, "dev.device.needs_reset"));
            assertEquals(1, p.counter(0, "dev.driver.resets"));
            assertEquals(1, p.counter(0, "stack.device_resets"));
        }
    }

    // ========================================================================================= beyond TCP's reach

    /**
     * Checks that {@code end} settled with its connection dead: exactly one request reports {@code errno}, the
     * others success (a write cut short reports the bytes it moved), EPIPE (writes after the error) or end of
     * stream (reads after it); every request completed once, each SIGEV_THREAD request was notified once; and new
     * requests see the dead connection at once.
     */
    static void assertEndedBy(int errno, StreamEnd end, Aio aio) {
        assertTrue(end.settled(), end::toString);
        assertEquals(List.of(), end.problems());
        assertEquals(end.submissions(), end.completions().size(), "every request completed, once");
        long errors = end.completions().stream().filter(c -> c.error() == errno).count();
        List<StreamEnd.Completion> all = end.completions();
        String last = end.name() + ", last completions " + all.subList(Math.max(0, all.size() - 8), all.size());
        assertEquals(1, errors, () -> "one " + Errno.name(errno) + ": " + last);
        for (StreamEnd.Completion c : all) {
            boolean ok = c.error() == errno || c.error() == 0 || c.write() && c.error() == Errno.EPIPE;
            assertTrue(ok, () -> c + " " + last);
        }
        assertTrue(end.writeError() != 0 || end.readError() != 0, end::toString);
        aiocb write = new aiocb(end.fd(), MemorySegment.ofArray(new byte[8]), 8, 0);
        aiocb read = new aiocb(end.fd(), MemorySegment.ofArray(new byte[8]), 8, 0);
        assertEquals(0, aio.aio_write(write));
        assertEquals(0, aio.aio_read(read));
        assertEquals(0, aio.aio_suspend(new aiocb[] {write}, 1, new timespec(1, 0)));
        assertEquals(0, aio.aio_suspend(new aiocb[] {read}, 1, new timespec(1, 0)));
        assertEquals(Errno.EPIPE, aio.aio_error(write));
        assertEquals(0, aio.aio_error(read));
        assertEquals(0, aio.aio_return(read), "end of stream");
    }

    @Test
    void linkDownLongerThanTheRetransmissionLimitEndsTheRequestsOfBothEndsWithEtimedout() {
        try (FaultyAioPair p = FaultyAioPair.of(20, FaultPlan.NONE,
                DeviceFaultPlan.NONE.linkDown(FAULT_AT, 1_000 * SECOND), SHORT_PATIENCE).connect().streams(UP, DOWN)) {
            p.runTo(FAULT_AT);
            assertTrue(p.client.inFlight() > 0 && p.server.inFlight() > 0, "requests in flight when the link dies");
            p.runUntil(() -> p.client.settled() && p.server.settled(), FAULT_AT + 10 * SECOND);
            assertTrue(p.sim.nowNs() < FAULT_AT + 2 * SECOND, "four RTOs of at most 200 ms: " + p.sim.nowNs());
            assertEquals(p.client.submissions(), p.client.notifications(), "one notification per request");
            assertEndedBy(Errno.ETIMEDOUT, p.client, p.a);
            assertEndedBy(Errno.ETIMEDOUT, p.server, p.b);
            assertEquals(1, p.counter(0, "tcp.timeouts"));
            assertEquals(1, p.counter(1, "tcp.timeouts"));
        }
    }

    @Test
    void rxStarvedPastTheRetransmissionLimitEndsTheWriterWithEtimedoutAndAKeepaliveReaderToo() {
        // One way: the client writes, its device takes no frame in from FAULT_AT on, so no acknowledgment arrives.
        // The server only reads; without keepalive (its stack's, here) it would wait for ever, as on any TCP.
        try (FaultyAioPair p = FaultyAioPair.of(21, FaultPlan.NONE,
                DeviceFaultPlan.NONE.rxStarvation(FAULT_AT, 1_000 * SECOND), SHORT_PATIENCE, KEEPALIVE).connect()) {
            int[] keepalive = new int[1];
            assertEquals(0, p.b.getsockopt(p.serverFd, SOL_SOCKET, SO_KEEPALIVE, keepalive));
            assertEquals(1, keepalive[0], "on by its stack's default");
            // A small send buffer keeps the client's writes in progress when the acknowledgments stop.
            assertEquals(0, p.a.setsockopt(p.clientFd, SOL_SOCKET, SO_SNDBUF, 32 * 1024));
            p.streams(UP, 0);
            p.runTo(FAULT_AT);
            assertTrue(p.client.inFlight() > 0, "writes in flight when the device starves");
            p.runUntil(() -> p.client.settled() && p.server.settled(), FAULT_AT + 10 * SECOND);
            assertEquals(p.client.submissions(), p.client.notifications(), "one notification per request");
            assertEndedBy(Errno.ETIMEDOUT, p.client, p.a);
            assertEndedBy(Errno.ETIMEDOUT, p.server, p.b);
            assertTrue(p.counter(0, "dev.device.drop_rx_no_buffer") > 0);
            assertEquals(4, p.counter(0, "tcp.retransRto"), "the client gave up after 4 retransmissions");
            assertEquals(1, p.counter(0, "tcp.timeouts"));
            assertEquals(3, p.counter(1, "tcp.keepAliveProbes"), "the server, after its 3rd unanswered probe");
        }
    }

    @Test
    void partitionDuringConnectFailsItWithEtimedoutAndAConnectAfterItHealsSucceeds() {
        long healAt = 1 * SECOND;
        try (FaultyAioPair p = FaultyAioPair.of(22, FaultPlan.NONE, DeviceFaultPlan.NONE.linkDown(0, healAt),
                SHORT_PATIENCE)) {
            int listener = p.b.socket(AF_INET, SOCK_STREAM, 0);
            assertEquals(0, p.b.bind(listener, new sockaddr_in(Nodes.ADDRESS_B, FaultyAioPair.PORT)));
            assertEquals(0, p.b.listen(listener, 4));
            sockaddr_in server = new sockaddr_in(Nodes.ADDRESS_B, FaultyAioPair.PORT);
            int fd = p.a.socket(AF_INET, SOCK_STREAM, 0);
            assertEquals(-1, p.a.connect(fd, server));
            assertEquals(Errno.ETIMEDOUT, p.a.errno(), () -> Errno.name(p.a.errno()));
            // SYN at 0, then 3 retransmissions 20, 40 and 80 ms apart, the last one given 160 ms.
            assertTrue(Math.abs(p.sim.nowNs() - 300 * MS) < 1 * MS, "failed at " + p.sim.nowNs());
            assertTrue(p.sim.nowNs() < healAt);
            assertEquals(0, p.a.close(fd));
            p.runTo(healAt);
            int again = p.a.socket(AF_INET, SOCK_STREAM, 0);
            assertEquals(0, p.a.connect(again, server), () -> Errno.name(p.a.errno()));
            assertTrue(p.b.accept(listener, null) >= 0);
        }
    }

    @Test
    void peerAbortMidTransferEndsTheClientsRequestsWithEconnreset() {
        try (FaultyAioPair p = FaultyAioPair.of(23, DeviceFaultPlan.NONE).connect()) {
            // A small send buffer keeps the client's writes in progress when the reset arrives.
            assertEquals(0, p.a.setsockopt(p.clientFd, SOL_SOCKET, SO_SNDBUF, 32 * 1024));
            p.streams(UP, DOWN);
            p.runTo(FAULT_AT);
            assertTrue(p.client.inFlight() > 0, "requests in flight when the server aborts");
            // SO_LINGER 0: close() resets the connection (RFC 9293 §3.10.4 ABORT).
            assertEquals(0, p.b.setsockopt(p.serverFd, SOL_SOCKET, SO_LINGER, 0));
            assertEquals(0, p.b.close(p.serverFd));
            p.runUntil(() -> p.client.settled(), FAULT_AT + 10 * SECOND);
            assertEquals(p.client.submissions(), p.client.notifications(), "one notification per request");
            assertEndedBy(Errno.ECONNRESET, p.client, p.a);
            assertEquals(1, p.counter(0, "tcp.rstReceived"));
        }
    }

    // ============================================================================================== determinism

    /** Network and device faults at once, in the SPEC of {@code ./virtaio sim --faults}. */
    static final String MIXED = "loss=1%,reorder=1%:2ms,irq-loss=20%,kick-delay=100us@30%,needs-reset=6ms,"
            + "shuffle=2ms+20ms";

    /** What a run shows from outside: when each request completed, every counter, every injected fault. */
    record Replay(List<Long> completionTimes, Map<String, Long> counters, Map<String, Long> faults) {
    }

    static Replay replay(long seed) {
        try (FaultyAioPair p = FaultyAioPair.of(seed, FaultSpec.parse(MIXED), TcpConfig.defaults()).connect()
                .streams(UP, DOWN)) {
            p.runToCompletion(LIMIT);
            p.assertIntact();
            return new Replay(p.completionTimes(), p.counters(), p.faultCounters());
        }
    }

    @Test
    void sameSeedAndFaultSpecReplayIdenticallyAndAnotherSeedDiffers() {
        Replay first = replay(30);
        Replay second = replay(30);
        assertEquals(first.completionTimes(), second.completionTimes(), "completion times, in virtual ns");
        assertEquals(first.counters(), second.counters());
        assertEquals(first.faults(), second.faults());
        for (String injected : Set.of("fault.tx.loss", "fault.rx.reorder", "device_fault.irq.lost",
                "device_fault.needs_reset", "device_fault.completions.out_of_order")) {
            assertTrue(first.faults().get(injected) > 0, () -> injected + " in " + first.faults());
        }
        Replay other = replay(31);
        assertNotEquals(first.completionTimes(), other.completionTimes());
        assertNotEquals(first.faults(), other.faults());
    }
}
