package io.virtaio.netstack.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.udp.UdpSocket;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.virtio.backend.LinkModel;
import io.virtaio.virtio.backend.Wire;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The interrupt watchdog, with both hosts stepped as loop threads step them: polled when notified or at their
 * deadline, and otherwise asleep. Host B's interrupts all go nowhere (lost), so only its deadlines wake it.
 */
class VirtioHostWatchdogTest {
    static final int IP_A = Ipv4Address.parse("198.18.0.1");
    static final int IP_B = Ipv4Address.parse("198.18.0.2");
    static final long MS = 1_000_000L;

    VirtioHost a;
    VirtioHost b;
    boolean aNotified;
    long aDeadline;
    long bDeadline;
    long nowNs;

    @BeforeEach
    void setUp() {
        Wire wire = Wire.create(LinkModel.DEFAULT);
        a = new VirtioHost(VirtioNetDevice.Config.defaults().withMac(0x02_00_00_00_00_01L),
                VirtioNetDriver.Config.defaults(), StackConfig.of(IP_A, 24), wire.a(), 0);
        b = new VirtioHost(VirtioNetDevice.Config.defaults().withMac(0x02_00_00_00_00_02L),
                VirtioNetDriver.Config.defaults(), StackConfig.of(IP_B, 24), wire.b(), 0);
        a.setWakeup(() -> aNotified = true);
        // b keeps Doorbell.NONE: every interrupt its device raises is lost.
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
    }

    /** Steps both hosts until {@code untilNs}: a as a loop that is woken by notifications, b by deadlines only. */
    void runUntil(long untilNs) {
        while (true) {
            if (aNotified || aDeadline <= nowNs) {
                aNotified = false;
                a.busy();
                aDeadline = a.poll(nowNs);
                continue;
            }
            if (bDeadline <= nowNs) {
                b.busy();
                bDeadline = b.poll(nowNs);
                // The re-check before sleeping is part of the protocol: work found there is polled at once.
                if (b.prepareToWait(nowNs)) {
                    bDeadline = nowNs;
                }
                continue;
            }
            if (a.prepareToWait(nowNs)) {
                aNotified = true;
                continue;
            }
            long next = Math.min(aDeadline, bDeadline);
            if (next > untilNs) {
                nowNs = untilNs;
                return;
            }
            nowNs = next;
        }
    }

    @Test
    void framesBehindALostInterruptAreFoundByTheWatchdogSoonAfterTraffic() {
        UdpSocket server = b.stack().udpSocket();
        assertEquals(0, server.bind(0, 7));
        runUntil(2 * MS + MS / 2);
        // A datagram for b: a resolves b first; b's device takes each frame and its interrupt is lost.
        UdpSocket client = a.stack().udpSocket();
        MemorySegment buf = MemorySegment.ofArray(new byte[64]);
        assertEquals(64, client.sendTo(buf, 0, 64, IP_B, 7));
        long sentAt = nowNs;
        long receivedAt = -1;
        while (receivedAt < 0 && nowNs < sentAt + 100 * MS) {
            runUntil(nowNs + 100_000);
            if (server.recvFrom(buf, 0, 64) == 64) {
                receivedAt = nowNs;
            }
        }
        assertTrue(receivedAt > 0, "b never looked at its ring");
        // b's last frame was its ARP announcement at 0: looks at 1, 3, 7 ms find the request, then the datagram.
        assertTrue(receivedAt - sentAt < 10 * MS, "received " + (receivedAt - sentAt) + " ns after it was sent");
        assertTrue(b.device().counters().rxInterrupts() > 0, "b's device did interrupt, into the void");
    }

    @Test
    void aQuietHostStopsLooking() {
        runUntil(10 * VirtioHost.WATCHDOG_LAST_NS);
        assertEquals(Long.MAX_VALUE, bDeadline, "long after its last frame b sleeps until woken");
        assertEquals(Long.MAX_VALUE, aDeadline);
    }
}
