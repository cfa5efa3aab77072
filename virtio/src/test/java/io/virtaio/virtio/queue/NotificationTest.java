package io.virtaio.virtio.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Notification suppression (virtio 1.2 §2.7.7, §2.7.10): the event-index formula, the kick and interrupt decisions
 * with EVENT_IDX and with the NO_NOTIFY / NO_INTERRUPT flags, and the enable-then-re-check contract.
 */
class NotificationTest {

    /** Counts rings; the tests compare it with the queue's own counters. */
    static final class CountingDoorbell implements Doorbell {
        int rings;

        @Override
        public void ring() {
            rings++;
        }
    }

    /** The spec's formula in C: {@code (u16)(new_idx - event_idx - 1) < (u16)(new_idx - old)}; char is Java's u16. */
    private static boolean specFormula(int event, int newIdx, int old) {
        return (char) (newIdx - event - 1) < (char) (newIdx - old);
    }

    /** What the formula means: the peer asked to hear when the index passes {@code event}, and this publication
     * moved it from {@code old} to {@code new}, passing old, old + 1, ..., new - 1 (mod 2^16): event is one of them
     * iff its distance from old is less than the number published. */
    private static boolean passes(int event, int newIdx, int old) {
        return ((event - old) & 0xFFFF) < ((newIdx - old) & 0xFFFF);
    }

    @Test
    void needsEventIsTheSpecFormulaExhaustivelyAroundTheWrap() {
        List<Integer> values = new ArrayList<>();
        for (int i = 65504; i <= 65535; i++) {
            values.add(i);
        }
        for (int i = 0; i <= 32; i++) {
            values.add(i);
        }
        values.addAll(List.of(32766, 32767, 32768, 32769));
        int notify = 0;
        for (int event : values) {
            for (int newIdx : values) {
                for (int old : values) {
                    boolean got = SplitQueueLayout.needsEvent(event, newIdx, old);
                    if (got != specFormula(event, newIdx, old) || got != passes(event, newIdx, old)) {
                        fail("needsEvent(" + event + ", " + newIdx + ", " + old + ") = " + got);
                    }
                    notify += got ? 1 : 0;
                }
            }
        }
        assertTrue(notify > 1000, "both answers occur (" + notify + " notifications)");
    }

    @Test
    void needsEventAtTheEdgesOfTheWindow() {
        assertTrue(SplitQueueLayout.needsEvent(0, 1, 0), "the first index published passes event 0");
        assertFalse(SplitQueueLayout.needsEvent(1, 1, 0), "index 1 is not passed until 2 is published");
        assertFalse(SplitQueueLayout.needsEvent(0, 5, 5), "nothing published, nothing passed");
        assertTrue(SplitQueueLayout.needsEvent(65535, 0, 65535), "across the wrap");
        assertTrue(SplitQueueLayout.needsEvent(65535, 3, 65530));
        assertFalse(SplitQueueLayout.needsEvent(3, 3, 65530));
        assertTrue(SplitQueueLayout.needsEvent(2, 3, 65530));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Driver kicks.

    @Test
    void withoutEventIdxTheDriverKicksUnlessTheDeviceSetNoNotify() {
        CountingDoorbell kick = new CountingDoorbell();
        try (QueuePair q = QueuePair.builder(8).kick(kick).buffers(1, 64).build()) {
            long a = q.pool.address(0);
            q.driver.addOne(a, 8, false, 1);
            assertTrue(q.driver.publish());
            q.device.disableNotifications();
            q.driver.addOne(a, 8, false, 2);
            assertFalse(q.driver.publish(), "NO_NOTIFY set");
            q.driver.addOne(a, 8, false, 3);
            assertFalse(q.driver.publish());
            assertFalse(q.driver.publish(), "nothing new: no decision at all");
            assertTrue(q.device.enableNotifications(), "three chains wait: pop them instead of sleeping");
            q.driver.addOne(a, 8, false, 4);
            assertTrue(q.driver.publish());
            assertEquals(2, kick.rings);
            assertEquals(2, q.driver.counters().notificationsSent());
            assertEquals(2, q.driver.counters().notificationsSuppressed());
        }
    }

    @Test
    void withEventIdxTheDriverKicksOnlyWhenItPassesAvailEvent() {
        CountingDoorbell kick = new CountingDoorbell();
        try (QueuePair q = QueuePair.builder(16).eventIdx(true).kick(kick).buffers(1, 64).build()) {
            long a = q.pool.address(0);
            add(q, a, 3);
            assertTrue(q.driver.publish(), "avail_event 0 passed by 0 -> 3");
            add(q, a, 2);
            assertFalse(q.driver.publish(), "3 -> 5 does not pass avail_event 0 again");
            assertEquals(0, q.device.pop(q.chain));
            assertEquals(1, q.device.pop(q.chain));
            assertEquals(2, q.device.pop(q.chain));
            assertTrue(q.device.enableNotifications(), "chains 3 and 4 are already there");
            assertEquals(3, q.raw.availEvent());
            add(q, a, 1);
            assertFalse(q.driver.publish(), "5 -> 6 does not pass 3: the device knows and is popping");
            drain(q);
            assertFalse(q.device.enableNotifications());
            assertEquals(6, q.raw.availEvent());
            add(q, a, 1);
            assertTrue(q.driver.publish(), "6 -> 7 passes avail_event 6");
            assertEquals(2, kick.rings);
            assertEquals(2, q.driver.counters().notificationsSent());
            assertEquals(2, q.driver.counters().notificationsSuppressed());
            assertEquals(0, q.raw.usedFlags(), "with EVENT_IDX the flags stay 0");
        }
    }

    @Test
    void withEventIdxDisabledNotificationsStayQuietAcrossManyPublishes() {
        CountingDoorbell kick = new CountingDoorbell();
        try (QueuePair q = QueuePair.builder(4).eventIdx(true).kick(kick).buffers(1, 64).build()) {
            long a = q.pool.address(0);
            q.device.disableNotifications();
            for (int i = 0; i < 70_000; i++) {
                add(q, a, 1);
                q.driver.publish();
                int head = q.device.pop(q.chain);
                q.device.pushUsed(head, 0);
                q.device.publishUsed();
                assertEquals(i, q.driver.reap());
                if (i % 1000 == 0) {
                    q.device.disableNotifications(); // as a polling device re-arms its suppression
                }
            }
            assertEquals(0, kick.rings, "a device that keeps notifications off is never kicked");
            assertEquals(70_000, q.driver.counters().notificationsSuppressed());
        }
    }

    /** Raw avail_event values around the u16 wrap: the kick decision follows the formula, not plain comparison. */
    @Test
    void kickDecisionAcrossTheU16Wrap() {
        // {avail.idx before, avail_event, chains published, kick expected}
        int[][] cases = {
            {65534, 65535, 2, 1}, {65534, 0, 2, 0}, {65535, 0, 2, 1}, {65535, 1, 2, 0},
            {65535, 65534, 2, 0}, {65535, 65535, 1, 1}, {65533, 0, 4, 1}, {65533, 1, 4, 0},
        };
        for (int[] c : cases) {
            CountingDoorbell kick = new CountingDoorbell();
            try (QueuePair q = QueuePair.builder(4).eventIdx(true).kick(kick).buffers(1, 64).build()) {
                long a = q.pool.address(0);
                roundTrips(q, a, c[0]);
                assertEquals(c[0], q.raw.availIdx());
                int before = kick.rings;
                q.raw.setAvailEvent(c[1]);
                add(q, a, c[2]);
                boolean kicked = q.driver.publish();
                int now = q.raw.availIdx();
                assertEquals(c[3] == 1, kicked, "avail_event " + c[1] + ", " + c[0] + " -> " + now);
                assertEquals(specFormula(c[1], now, c[0]), kicked);
                assertEquals(before + c[3], kick.rings);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Device interrupts.

    @Test
    void withoutEventIdxTheDeviceInterruptsUnlessTheDriverSetNoInterrupt() {
        CountingDoorbell irq = new CountingDoorbell();
        try (QueuePair q = QueuePair.builder(8).interrupt(irq).buffers(1, 64).build()) {
            long a = q.pool.address(0);
            add(q, a, 3);
            q.driver.publish();
            complete(q, 1);
            assertTrue(q.device.publishUsed());
            q.driver.disableInterrupts();
            assertFalse(q.driver.interruptsEnabled());
            complete(q, 1);
            assertFalse(q.device.publishUsed(), "NO_INTERRUPT set");
            assertTrue(q.driver.enableInterrupts(), "two used chains wait: reap them instead of sleeping");
            assertTrue(q.driver.interruptsEnabled());
            assertEquals(0, q.driver.reap());
            assertEquals(1, q.driver.reap());
            assertFalse(q.driver.enableInterrupts(), "nothing waiting: safe to sleep");
            complete(q, 1);
            assertTrue(q.device.publishUsed());
            assertEquals(2, irq.rings);
            assertEquals(2, q.device.counters().notificationsSent());
            assertEquals(1, q.device.counters().notificationsSuppressed());
        }
    }

    @Test
    void withEventIdxTheDeviceInterruptsOnlyWhenItPassesUsedEvent() {
        CountingDoorbell irq = new CountingDoorbell();
        try (QueuePair q = QueuePair.builder(16).eventIdx(true).interrupt(irq).buffers(1, 64).build()) {
            long a = q.pool.address(0);
            add(q, a, 6);
            q.driver.publish();
            complete(q, 2);
            assertTrue(q.device.publishUsed(), "used_event 0 passed by 0 -> 2");
            complete(q, 1);
            assertFalse(q.device.publishUsed(), "2 -> 3 does not pass 0 again");
            assertEquals(0, q.driver.reap());
            assertTrue(q.driver.enableInterrupts(), "two more wait");
            assertEquals(1, q.raw.usedEvent());
            assertEquals(1, q.driver.reap());
            assertEquals(2, q.driver.reap());
            assertFalse(q.driver.enableInterrupts());
            assertEquals(3, q.raw.usedEvent());
            complete(q, 1);
            assertTrue(q.device.publishUsed(), "3 -> 4 passes used_event 3");
            q.driver.disableInterrupts();
            complete(q, 2);
            assertFalse(q.device.publishUsed(), "disabled: used_event is behind the driver");
            assertEquals(2, irq.rings);
            assertEquals(0, q.raw.availFlags(), "with EVENT_IDX the flags stay 0");
        }
    }

    /**
     * The race the re-check closes, played step by step on one thread: the device pops everything and, before it
     * re-enables notifications, the driver publishes and (seeing notifications off) does not kick. Enabling must
     * then report the pending chain, or a device that went to sleep would never wake.
     */
    @Test
    void enableNotificationsReportsChainsPublishedWhileTheyWereOff() {
        for (boolean eventIdx : new boolean[] {false, true}) {
            CountingDoorbell kick = new CountingDoorbell();
            try (QueuePair q = QueuePair.builder(8).eventIdx(eventIdx).kick(kick).buffers(1, 64).build()) {
                long a = q.pool.address(0);
                add(q, a, 1);
                q.driver.publish();
                q.device.disableNotifications();
                drain(q);
                add(q, a, 1);
                assertFalse(q.driver.publish(), "notifications are off: no kick (event idx " + eventIdx + ")");
                assertTrue(q.device.enableNotifications(), "the re-check finds the chain");
                assertEquals(1, q.device.pop(q.chain));
                assertFalse(q.device.enableNotifications());
                add(q, a, 1);
                assertTrue(q.driver.publish(), "now the driver kicks");
            }
        }
    }

    @Test
    void enableInterruptsReportsChainsUsedWhileTheyWereOff() {
        for (boolean eventIdx : new boolean[] {false, true}) {
            CountingDoorbell irq = new CountingDoorbell();
            try (QueuePair q = QueuePair.builder(8).eventIdx(eventIdx).interrupt(irq).buffers(1, 64).build()) {
                long a = q.pool.address(0);
                add(q, a, 2);
                q.driver.publish();
                q.driver.disableInterrupts();
                complete(q, 1);
                assertFalse(q.device.publishUsed(), "interrupts are off (event idx " + eventIdx + ")");
                assertTrue(q.driver.enableInterrupts(), "the re-check finds the used chain");
                assertEquals(0, q.driver.reap());
                assertFalse(q.driver.enableInterrupts());
                complete(q, 1);
                assertTrue(q.device.publishUsed(), "now the device interrupts");
                assertEquals(1, irq.rings);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static void add(QueuePair q, long addr, int n) {
        for (int i = 0; i < n; i++) {
            assertTrue(q.driver.addOne(addr, 8, true, q.driver.counters().chains() > 0
                    ? (int) (q.driver.counters().chains() & 0x7FFF_FFFF) : 0) >= 0);
        }
    }

    /** Pops everything available and leaves it in flight. */
    private static void drain(QueuePair q) {
        while (q.device.pop(q.chain) >= 0) {
            q.device.pushUsed(q.chain.head(), 0);
        }
        q.device.publishUsed();
    }

    /** Pops {@code n} chains and pushes them used, without publishing. */
    private static void complete(QueuePair q, int n) {
        for (int i = 0; i < n; i++) {
            int head = q.device.pop(q.chain);
            assertTrue(head >= 0, QueueStatus.name(head));
            assertTrue(q.device.pushUsed(head, 4));
        }
    }

    private static void roundTrips(QueuePair q, long addr, int n) {
        for (int i = 0; i < n; i++) {
            q.driver.addOne(addr, 8, true, i);
            q.driver.publish();
            q.device.pushUsed(q.device.pop(q.chain), 0);
            q.device.publishUsed();
            q.driver.reap();
        }
    }
}
