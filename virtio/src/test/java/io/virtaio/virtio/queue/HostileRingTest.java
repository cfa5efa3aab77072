package io.virtaio.virtio.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * One test per {@link Violation}: a misbehaving peer writes the shared memory directly and the victim must return
 * {@link QueueStatus#BROKEN} (never throw), name the rule and the index, stay broken, count the violation once,
 * and work again after both sides reset.
 */
class HostileRingTest {
    private static final int SIZE = 8;

    private static QueuePair pair() {
        return QueuePair.builder(SIZE).deviceIndirect(16).buffers(8, 64).build();
    }

    // ---------------------------------------------------------------------------------------------------------
    // The device is the victim: the driver's descriptor table and available ring are hostile.

    @Test
    void breaksOnAvailIdxJump() {
        try (QueuePair q = pair()) {
            q.raw.setAvailIdx(SIZE + 1);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.AVAIL_IDX_JUMP, "to " + (SIZE + 1));
        }
    }

    @Test
    void breaksOnAvailIdxGoingBackwards() {
        try (QueuePair q = pair()) {
            q.raw.writeDesc(0, q.pool.address(0), 8, 0, 0);
            q.raw.offer(0);
            assertEquals(0, q.device.pop(q.chain));
            q.raw.setAvailIdx(0); // seen as 65535 chains ahead of the device's index 1
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.AVAIL_IDX_JUMP, "from 1 to 0");
        }
    }

    @Test
    void breaksOnHeadOutOfRange() {
        try (QueuePair q = pair()) {
            q.raw.writeDesc(0, q.pool.address(0), 8, 0, 0);
            q.raw.offer(0);
            q.raw.offer(SIZE);
            assertEquals(0, q.device.pop(q.chain));
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.HEAD_OUT_OF_RANGE, "head " + SIZE,
                    "avail slot 1");
        }
    }

    @Test
    void breaksOnHeadAlreadyInFlight() {
        try (QueuePair q = pair()) {
            q.raw.writeDesc(3, q.pool.address(0), 8, 0, 0);
            q.raw.offer(3);
            q.raw.offer(3);
            assertEquals(3, q.device.pop(q.chain));
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.HEAD_IN_FLIGHT, "head 3", "avail slot 1");
        }
    }

    @Test
    void breaksOnNextOutOfRange() {
        try (QueuePair q = pair()) {
            q.raw.writeDesc(1, q.pool.address(0), 8, RawRing.NEXT, SIZE);
            q.raw.offer(1);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.NEXT_OUT_OF_RANGE, "descriptor 1",
                    "next " + SIZE);
        }
    }

    @Test
    void breaksOnDescriptorLoop() {
        try (QueuePair q = pair()) {
            q.raw.writeDesc(2, q.pool.address(0), 8, RawRing.NEXT, 5);
            q.raw.writeDesc(5, q.pool.address(1), 8, RawRing.NEXT, 2);
            q.raw.offer(2);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.CHAIN_TOO_LONG, "head 2");
        }
    }

    @Test
    void breaksOnLoopInsideAnIndirectTable() {
        try (QueuePair q = pair()) {
            long t = q.pool.offset(7);
            q.raw.writeDescAt(t, q.pool.address(0), 8, RawRing.NEXT, 1);
            q.raw.writeDescAt(t + 16, q.pool.address(1), 8, RawRing.NEXT, 0);
            q.raw.writeDesc(0, q.pool.address(7), 32, RawRing.INDIRECT, 0);
            q.raw.offer(0);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.CHAIN_TOO_LONG, "indirect table of head 0");
        }
    }

    @Test
    void breaksOnNextOutOfRangeInsideAnIndirectTable() {
        try (QueuePair q = pair()) {
            long t = q.pool.offset(7);
            q.raw.writeDescAt(t, q.pool.address(0), 8, RawRing.NEXT, 2);
            q.raw.writeDescAt(t + 16, q.pool.address(1), 8, 0, 0);
            q.raw.writeDesc(4, q.pool.address(7), 32, RawRing.INDIRECT, 0);
            q.raw.offer(4);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.NEXT_OUT_OF_RANGE, "entry 0", "head 4",
                    "next 2");
        }
    }

    @Test
    void breaksOnIndirectWithoutNegotiation() {
        try (QueuePair q = QueuePair.builder(SIZE).buffers(8, 64).build()) {
            q.raw.writeDescAt(q.pool.offset(7), q.pool.address(0), 8, 0, 0);
            q.raw.writeDesc(6, q.pool.address(7), 16, RawRing.INDIRECT, 0);
            q.raw.offer(6);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.INDIRECT_NOT_NEGOTIATED, "descriptor 6");
        }
    }

    @Test
    void breaksOnIndirectWithNext() {
        try (QueuePair q = pair()) {
            q.raw.writeDescAt(q.pool.offset(7), q.pool.address(0), 8, 0, 0);
            q.raw.writeDesc(0, q.pool.address(7), 16, RawRing.INDIRECT | RawRing.NEXT, 1);
            q.raw.writeDesc(1, q.pool.address(1), 8, 0, 0);
            q.raw.offer(0);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.INDIRECT_WITH_NEXT, "descriptor 0");
        }
    }

    @Test
    void breaksOnNestedIndirect() {
        try (QueuePair q = pair()) {
            long t = q.pool.offset(7);
            q.raw.writeDescAt(t, q.pool.address(0), 8, RawRing.NEXT, 1);
            q.raw.writeDescAt(t + 16, q.pool.address(6), 16, RawRing.INDIRECT, 0);
            q.raw.writeDescAt(q.pool.offset(6), q.pool.address(1), 8, 0, 0);
            q.raw.writeDesc(0, q.pool.address(7), 32, RawRing.INDIRECT, 0);
            q.raw.offer(0);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.INDIRECT_NESTED, "entry 1");
        }
    }

    @Test
    void breaksOnIndirectTableOfLengthZero() {
        try (QueuePair q = pair()) {
            q.raw.writeDesc(2, q.pool.address(7), 0, RawRing.INDIRECT, 0);
            q.raw.offer(2);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.INDIRECT_BAD_LENGTH, "descriptor 2", "0 bytes");
        }
    }

    @Test
    void breaksOnIndirectTableLengthNotAMultipleOf16() {
        try (QueuePair q = pair()) {
            q.raw.writeDesc(2, q.pool.address(7), 24, RawRing.INDIRECT, 0);
            q.raw.offer(2);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.INDIRECT_BAD_LENGTH, "descriptor 2",
                    "24 bytes");
        }
    }

    @Test
    void breaksOnIndirectTableTooLarge() {
        try (QueuePair q = pair()) {
            // 17 entries (272 bytes) against a device accepting 16: within guest memory, so only the cap trips.
            q.raw.writeDesc(2, q.pool.address(0), 17 * 16, RawRing.INDIRECT, 0);
            q.raw.offer(2);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.INDIRECT_TOO_LARGE, "descriptor 2",
                    "17 entries");
        }
    }

    @Test
    void breaksOnIndirectTableOutsideGuestMemory() {
        try (QueuePair q = pair()) {
            long end = q.guest.base() + q.guest.size();
            q.raw.writeDesc(2, end - 16, 32, RawRing.INDIRECT, 0);
            q.raw.offer(2);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.ADDRESS_OUT_OF_RANGE, "indirect table",
                    Long.toHexString(end - 16));
        }
    }

    /** The spec asks no alignment of an indirect table; a table at an odd address must not throw. */
    @Test
    void acceptsIndirectTableAtAnOddAddress() {
        try (QueuePair q = pair()) {
            long t = q.pool.offset(6) + 13;
            q.raw.writeDescAt(t, q.pool.address(0), 8, RawRing.NEXT, 1);
            q.raw.writeDescAt(t + 16, q.pool.address(1), 24, RawRing.WRITE, 0);
            q.raw.writeDesc(3, q.guest.addressOf(t), 32, RawRing.INDIRECT, 0);
            q.raw.offer(3);
            assertEquals(3, q.device.pop(q.chain));
            assertEquals(1, q.chain.readableCount());
            assertEquals(24, q.chain.writableBytes());
            assertFalse(q.device.isBroken());
        }
    }

    @Test
    void breaksOnReadableAfterWritable() {
        try (QueuePair q = pair()) {
            q.raw.writeDesc(0, q.pool.address(0), 8, RawRing.WRITE | RawRing.NEXT, 1);
            q.raw.writeDesc(1, q.pool.address(1), 8, 0, 0);
            q.raw.offer(0);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.READABLE_AFTER_WRITABLE, "descriptor 1");
        }
    }

    @Test
    void breaksOnReadableIndirectEntryAfterWritableDirectDescriptor() {
        try (QueuePair q = pair()) {
            q.raw.writeDescAt(q.pool.offset(7), q.pool.address(1), 8, 0, 0);
            q.raw.writeDesc(0, q.pool.address(0), 8, RawRing.WRITE | RawRing.NEXT, 1);
            q.raw.writeDesc(1, q.pool.address(7), 16, RawRing.INDIRECT, 0);
            q.raw.offer(0);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.READABLE_AFTER_WRITABLE, "descriptor 0");
        }
    }

    @Test
    void breaksOnZeroLengthBuffer() {
        try (QueuePair q = pair()) {
            q.raw.writeDesc(0, q.pool.address(0), 8, RawRing.NEXT, 3);
            q.raw.writeDesc(3, q.pool.address(1), 0, RawRing.WRITE, 0);
            q.raw.offer(0);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.ZERO_LENGTH, "descriptor 3", "head 0");
        }
    }

    @Test
    void breaksOnBufferReachingPastTheEndOfGuestMemory() {
        try (QueuePair q = pair()) {
            long end = q.guest.base() + q.guest.size();
            q.raw.writeDesc(0, end - 4, 8, 0, 0);
            q.raw.offer(0);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.ADDRESS_OUT_OF_RANGE, "descriptor 0",
                    Long.toHexString(end - 4));
        }
    }

    @Test
    void breaksOnBufferBelowGuestMemory() {
        try (QueuePair q = pair()) {
            q.raw.writeDesc(0, q.guest.base() - 8, 16, 0, 0);
            q.raw.offer(0);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.ADDRESS_OUT_OF_RANGE, "descriptor 0");
        }
    }

    @Test
    void breaksOnBufferWhoseEndOverflows64Bits() {
        try (QueuePair q = pair()) {
            q.raw.writeDesc(0, 0xFFFF_FFFF_FFFF_FFF0L, 0x20, 0, 0);
            q.raw.offer(0);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.ADDRESS_OUT_OF_RANGE, "fffffffffffffff0");
        }
    }

    /** 256 descriptors of 16 MiB over one buffer: 2^32 bytes in all, one more than a chain may hold. */
    @Test
    void breaksOnChainLengthOverflow() {
        int size = 256;
        int len = 16 << 20;
        try (QueuePair q = QueuePair.builder(size).buffers(1, len).build()) {
            for (int i = 0; i < size; i++) {
                q.raw.writeDesc(i, q.pool.address(0), len, i < size - 1 ? RawRing.NEXT : 0, i + 1);
            }
            q.raw.offer(0);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.CHAIN_LENGTH_OVERFLOW, "head 0");
        }
    }

    @Test
    void breaksOnSingleDescriptorOf2GiBOrMore() {
        try (QueuePair q = pair()) {
            q.raw.writeDesc(0, q.pool.address(0), 0x8000_0000L, 0, 0);
            q.raw.offer(0);
            assertDeviceBroken(q, q.device.pop(q.chain), Violation.CHAIN_LENGTH_OVERFLOW, "descriptor 0",
                    "2147483648");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The driver is the victim: the device's used ring is hostile.

    @Test
    void breaksOnUsedIdxJump() {
        try (QueuePair q = pair()) {
            addAndPublish(q, 2);
            q.raw.setUsedIdx(3);
            assertDriverBroken(q, q.driver.reap(), Violation.USED_IDX_JUMP, "from 0 to 3", "2 chains");
        }
    }

    /** The device cannot have used a chain it was never shown: unpublished chains do not count. */
    @Test
    void breaksOnUsedIdxCountingUnpublishedChains() {
        try (QueuePair q = pair()) {
            addAndPublish(q, 1);
            assertEquals(1, q.driver.addOne(q.pool.address(1), 64, true, 101)); // added, not published
            q.raw.complete(0, 8);
            q.raw.complete(1, 8);
            assertDriverBroken(q, q.driver.reap(), Violation.USED_IDX_JUMP, "from 0 to 2", "1 chains");
        }
    }

    @Test
    void breaksOnUsedIdOutOfRange() {
        try (QueuePair q = pair()) {
            addAndPublish(q, 2);
            q.raw.complete(0, 8);
            q.raw.complete(SIZE, 8);
            assertEquals(100, q.driver.reap());
            assertDriverBroken(q, q.driver.reap(), Violation.USED_ID_OUT_OF_RANGE, "used id " + SIZE,
                    "used slot 1");
        }
    }

    @Test
    void breaksOnHugeUsedIdRatherThanWrappingItNegative() {
        try (QueuePair q = pair()) {
            addAndPublish(q, 1);
            q.raw.complete(0xFFFF_FFFFL, 8);
            assertDriverBroken(q, q.driver.reap(), Violation.USED_ID_OUT_OF_RANGE, "used id 4294967295");
        }
    }

    @Test
    void breaksOnUsedIdNotOutstanding() {
        try (QueuePair q = pair()) {
            addAndPublish(q, 2); // heads 0 and 1
            q.raw.complete(5, 8);
            assertDriverBroken(q, q.driver.reap(), Violation.USED_ID_NOT_OUTSTANDING, "used id 5", "used slot 0");
        }
    }

    @Test
    void breaksOnUsedIdCompletedTwice() {
        try (QueuePair q = pair()) {
            addAndPublish(q, 2);
            q.raw.complete(1, 8);
            q.raw.complete(1, 8);
            assertEquals(101, q.driver.reap());
            assertDriverBroken(q, q.driver.reap(), Violation.USED_ID_NOT_OUTSTANDING, "used id 1", "used slot 1");
        }
    }

    @Test
    void breaksOnUsedLenTooLargeUnderStrict() {
        try (QueuePair q = pair()) {
            addAndPublish(q, 1); // one writable buffer of 64 bytes
            q.raw.complete(0, 65);
            assertDriverBroken(q, q.driver.reap(), Violation.USED_LEN_TOO_LARGE, "used len 65", "head 0",
                    "64 writable");
        }
    }

    @Test
    void clampsUsedLenTooLargeUnderClamp() {
        try (QueuePair q = QueuePair.builder(SIZE).lenPolicy(UsedLenPolicy.CLAMP).buffers(8, 64).build()) {
            addAndPublish(q, 2);
            q.raw.complete(0, 0xFFFF_FFFFL);
            q.raw.complete(1, 64);
            assertEquals(100, q.driver.reap());
            assertEquals(64, q.driver.lastLen(), "clamped to the writable space posted");
            assertEquals(101, q.driver.reap());
            assertEquals(64, q.driver.lastLen());
            assertEquals(1, q.driver.counters().lenClamped());
            assertFalse(q.driver.isBroken());
            assertEquals(0, q.driver.counters().violations());
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Adds {@code n} chains of one 64-byte writable buffer (tokens 100, 101, ...) and publishes them. */
    private static void addAndPublish(QueuePair q, int n) {
        for (int i = 0; i < n; i++) {
            assertEquals(i, q.driver.addOne(q.pool.address(i), 64, true, 100 + i));
        }
        q.driver.publish();
    }

    private static void assertDeviceBroken(QueuePair q, int result, Violation rule, String... mentions) {
        assertEquals(QueueStatus.name(QueueStatus.BROKEN), QueueStatus.name(result));
        assertTrue(q.device.isBroken());
        assertEquals(rule, q.device.brokenRule());
        assertReason(q.device.brokenReason(), rule, mentions);
        assertEquals(1, q.device.counters().violations(rule));
        assertEquals(1, q.device.counters().violations());
        // It stays broken: the hot path keeps answering BROKEN and reports nothing available.
        q.raw.writeDesc(SIZE - 1, q.pool.address(0), 8, 0, 0);
        q.raw.offer(SIZE - 1);
        assertEquals(QueueStatus.BROKEN, q.device.pop(q.chain));
        assertEquals(QueueStatus.BROKEN, q.device.pop(q.chain));
        assertFalse(q.device.hasAvailable());
        assertFalse(q.device.enableNotifications(), "a broken queue never claims work");
        assertFalse(q.device.publishUsed());
        assertEquals(rule, q.device.brokenRule());
        assertEquals(1, q.device.counters().violations(rule), "counted once");
        assertWorksAfterReset(q);
    }

    private static void assertDriverBroken(QueuePair q, int result, Violation rule, String... mentions) {
        assertEquals(QueueStatus.name(QueueStatus.BROKEN), QueueStatus.name(result));
        assertTrue(q.driver.isBroken());
        assertEquals(rule, q.driver.brokenRule());
        assertReason(q.driver.brokenReason(), rule, mentions);
        assertEquals(1, q.driver.counters().violations(rule));
        assertEquals(1, q.driver.counters().violations());
        assertEquals(QueueStatus.BROKEN, q.driver.reap());
        assertEquals(QueueStatus.BROKEN, q.driver.addOne(q.pool.address(7), 8, true, 7));
        assertEquals(QueueStatus.BROKEN,
                q.driver.add(new long[] {q.pool.address(7)}, new int[] {8}, 1, 0, 7));
        assertFalse(q.driver.publish());
        assertFalse(q.driver.hasUsed());
        assertEquals(rule, q.driver.brokenRule());
        assertEquals(1, q.driver.counters().violations(rule), "counted once");
        assertWorksAfterReset(q);
    }

    private static void assertReason(String reason, Violation rule, String... mentions) {
        assertTrue(reason.startsWith(rule.name() + ": "), reason);
        for (String m : mentions) {
            assertTrue(reason.contains(m), "reason '" + reason + "' should mention '" + m + "'");
        }
    }

    private static void assertWorksAfterReset(QueuePair q) {
        q.resetBoth();
        assertFalse(q.driver.isBroken());
        assertFalse(q.device.isBroken());
        long[] addrs = {q.pool.address(0), q.pool.address(1)};
        for (int round = 0; round < SIZE + 2; round++) {
            int head = q.driver.add(addrs, new int[] {8, 16}, 1, 1, 77 + round);
            assertTrue(head >= 0, QueueStatus.name(head));
            q.driver.publish();
            assertEquals(head, q.device.pop(q.chain));
            assertEquals(2, q.chain.count());
            assertTrue(q.device.pushUsed(head, 16));
            q.device.publishUsed();
            assertEquals(77 + round, q.driver.reap());
            assertEquals(16, q.driver.lastLen());
        }
        assertFalse(q.driver.isBroken());
        assertFalse(q.device.isBroken());
    }
}
