package io.virtaio.virtio.queue;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every field of the split virtqueue against numbers written from virtio 1.2 §2.7 (not from the implementation's
 * constants), and the bytes the driver and device actually leave in guest memory, read raw and little-endian.
 */
class SplitQueueLayoutTest {

    @ParameterizedTest(name = "queue size {0}")
    @ValueSource(ints = {1, 2, 256, 1024, 32768})
    void partSizesAndFieldOffsetsMatchTheSpec(int n) {
        int last = n - 1;
        assertAll(
                // §2.7: descriptor table 16·N, available ring 6 + 2·N, used ring 6 + 8·N.
                () -> assertEquals(16L * n, SplitQueueLayout.descTableSize(n), "descriptor table size"),
                () -> assertEquals(6L + 2L * n, SplitQueueLayout.availSize(n), "available ring size"),
                () -> assertEquals(6L + 8L * n, SplitQueueLayout.usedSize(n), "used ring size"),
                // struct virtq_desc { le64 addr; le32 len; le16 flags; le16 next; }
                () -> assertEquals(16L * last, SplitQueueLayout.descOffset(last) + SplitQueueLayout.DESC_ADDR),
                () -> assertEquals(16L * last + 8, SplitQueueLayout.descOffset(last) + SplitQueueLayout.DESC_LEN),
                () -> assertEquals(16L * last + 12, SplitQueueLayout.descOffset(last) + SplitQueueLayout.DESC_FLAGS),
                () -> assertEquals(16L * last + 14, SplitQueueLayout.descOffset(last) + SplitQueueLayout.DESC_NEXT),
                // struct virtq_avail { le16 flags; le16 idx; le16 ring[N]; le16 used_event; }
                () -> assertEquals(0, SplitQueueLayout.AVAIL_FLAGS),
                () -> assertEquals(2, SplitQueueLayout.AVAIL_IDX),
                () -> assertEquals(4, SplitQueueLayout.availRingOffset(0)),
                () -> assertEquals(4L + 2L * last, SplitQueueLayout.availRingOffset(last)),
                () -> assertEquals(4L + 2L * n, SplitQueueLayout.usedEventOffset(n), "used_event"),
                // struct virtq_used { le16 flags; le16 idx; struct { le32 id; le32 len; } ring[N]; le16 avail_event; }
                () -> assertEquals(0, SplitQueueLayout.USED_FLAGS),
                () -> assertEquals(2, SplitQueueLayout.USED_IDX),
                () -> assertEquals(4, SplitQueueLayout.usedElemOffset(0) + SplitQueueLayout.USED_ELEM_ID),
                () -> assertEquals(8, SplitQueueLayout.usedElemOffset(0) + SplitQueueLayout.USED_ELEM_LEN),
                () -> assertEquals(4L + 8L * last, SplitQueueLayout.usedElemOffset(last) + SplitQueueLayout.USED_ELEM_ID),
                () -> assertEquals(8L + 8L * last, SplitQueueLayout.usedElemOffset(last) + SplitQueueLayout.USED_ELEM_LEN),
                () -> assertEquals(4L + 8L * n, SplitQueueLayout.availEventOffset(n), "avail_event"),
                // The event fields are the last two bytes of their rings.
                () -> assertEquals(SplitQueueLayout.availSize(n) - 2, SplitQueueLayout.usedEventOffset(n)),
                () -> assertEquals(SplitQueueLayout.usedSize(n) - 2, SplitQueueLayout.availEventOffset(n)),
                () -> assertTrue(SplitQueueLayout.isValidSize(n)));
    }

    @Test
    void descriptorStructHasTheSpecShape() {
        var d = SplitQueueLayout.VIRTQ_DESC;
        assertEquals(16, d.byteSize());
        assertEquals(0, d.byteOffset(PathElement.groupElement("addr")));
        assertEquals(8, d.byteOffset(PathElement.groupElement("len")));
        assertEquals(12, d.byteOffset(PathElement.groupElement("flags")));
        assertEquals(14, d.byteOffset(PathElement.groupElement("next")));
        assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, SplitQueueLayout.LE16.order());
        assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, SplitQueueLayout.LE32.order());
        assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, SplitQueueLayout.LE64.order());
    }

    @Test
    void flagValuesAndAlignmentsAreTheSpecs() {
        assertAll(
                () -> assertEquals(1, SplitQueueLayout.DESC_F_NEXT),
                () -> assertEquals(2, SplitQueueLayout.DESC_F_WRITE),
                () -> assertEquals(4, SplitQueueLayout.DESC_F_INDIRECT),
                () -> assertEquals(1, SplitQueueLayout.AVAIL_F_NO_INTERRUPT),
                () -> assertEquals(1, SplitQueueLayout.USED_F_NO_NOTIFY),
                () -> assertEquals(16, SplitQueueLayout.DESC_ALIGN),
                () -> assertEquals(2, SplitQueueLayout.AVAIL_ALIGN),
                () -> assertEquals(4, SplitQueueLayout.USED_ALIGN),
                () -> assertEquals(32768, SplitQueueLayout.MAX_SIZE));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 3, 6, 1000, 65536, Integer.MIN_VALUE})
    void rejectsSizesThatAreNotPowersOfTwoUpTo32768(int n) {
        assertFalse(SplitQueueLayout.isValidSize(n));
    }

    @ParameterizedTest(name = "queue size {0}")
    @ValueSource(ints = {1, 2, 256, 1024, 32768})
    void driverPlacesEachPartAlignedOnItsOwnCacheLines(int n) {
        try (QueuePair q = QueuePair.builder(n).build()) {
            long desc = q.driver.descAddress();
            long avail = q.driver.availAddress();
            long used = q.driver.usedAddress();
            assertEquals(0, desc % 16, "descriptor table alignment");
            assertEquals(0, avail % 2, "available ring alignment");
            assertEquals(0, used % 4, "used ring alignment");
            // Driver-written (avail) and device-written (used) fields never share a 64-byte line.
            long availLastLine = (avail + SplitQueueLayout.availSize(n) - 1) / 64;
            long usedLastLine = (used + SplitQueueLayout.usedSize(n) - 1) / 64;
            assertTrue(availLastLine < used / 64 || usedLastLine < avail / 64, "avail and used share a line");
            assertTrue(desc + 16L * n <= avail || avail + SplitQueueLayout.availSize(n) <= desc, "overlap");
        }
    }

    @Test
    void driverWritesDirectChainBytesLittleEndianAtSpecOffsets() {
        try (QueuePair q = QueuePair.builder(8).buffers(4, 64).build()) {
            long a0 = q.pool.address(0);
            long a1 = q.pool.address(1);
            long a2 = q.pool.address(2);
            int head = q.driver.add(new long[] {a0, a1, a2}, new int[] {10, 20, 30}, 1, 2, 7);
            assertEquals(0, head, "a fresh free list starts at descriptor 0");
            RawRing r = q.raw;
            // desc[0]: readable, NEXT -> 1; desc[1]: writable, NEXT -> 2; desc[2]: writable, end.
            assertEquals(a0, r.descAddr(0));
            assertEquals(10, r.descLen(0));
            assertEquals(RawRing.NEXT, r.descFlags(0));
            assertEquals(1, r.descNext(0));
            assertEquals(a1, r.descAddr(1));
            assertEquals(20, r.descLen(1));
            assertEquals(RawRing.NEXT | RawRing.WRITE, r.descFlags(1));
            assertEquals(2, r.descNext(1));
            assertEquals(a2, r.descAddr(2));
            assertEquals(30, r.descLen(2));
            assertEquals(RawRing.WRITE, r.descFlags(2));
            // Byte by byte, little-endian: desc[1] = addr a1, len 20, flags 3, next 2.
            byte[] expected = new byte[16];
            for (int i = 0; i < 8; i++) {
                expected[i] = (byte) (a1 >>> (8 * i));
            }
            expected[8] = 20;
            expected[12] = 3;
            expected[14] = 2;
            byte[] actual = q.guest.region().asSlice(r.desc + 16, 16).toArray(ValueLayout.JAVA_BYTE);
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual);
            // The ring slot is written at once, avail.idx only at publish (a release store).
            assertEquals(0, r.availRing(0));
            assertEquals(0, r.availIdx());
            q.driver.publish();
            assertEquals(1, r.availIdx());
            assertEquals(1, q.guest.region().get(ValueLayout.JAVA_BYTE, r.avail + 2), "idx low byte first");
            assertEquals(0, q.guest.region().get(ValueLayout.JAVA_BYTE, r.avail + 3));
            // A second chain takes the next free descriptor and the next ring slot.
            int head2 = q.driver.addOne(q.pool.address(3), 40, false, 8);
            assertEquals(3, head2);
            assertEquals(3, r.availRing(1));
            assertEquals(40, r.descLen(3));
            assertEquals(0, r.descFlags(3));
        }
    }

    @Test
    void driverWritesIndirectChainAsOneDescriptorPointingAtATable() {
        try (QueuePair q = QueuePair.builder(4).indirect(4).buffers(3, 64).build()) {
            long[] addrs = {q.pool.address(0), q.pool.address(1), q.pool.address(2)};
            int head = q.driver.add(addrs, new int[] {11, 22, 33}, 2, 1, 1);
            RawRing r = q.raw;
            assertEquals(RawRing.INDIRECT, r.descFlags(head), "INDIRECT alone, never with NEXT (§2.7.5.3.1)");
            assertEquals(3 * 16, r.descLen(head), "table length is 16 bytes per entry");
            long table = r.descAddr(head) - q.guest.base();
            var mem = q.guest.region();
            for (int i = 0; i < 3; i++) {
                long d = table + 16L * i;
                assertEquals(addrs[i], mem.get(RawRing.U64, d), "entry " + i + " addr");
                assertEquals(11 * (i + 1), mem.get(RawRing.U32, d + 8), "entry " + i + " len");
                int flags = (i == 2 ? RawRing.WRITE : 0) | (i < 2 ? RawRing.NEXT : 0);
                assertEquals(flags, Short.toUnsignedInt(mem.get(RawRing.U16, d + 12)), "entry " + i + " flags");
                if (i < 2) {
                    assertEquals(i + 1, Short.toUnsignedInt(mem.get(RawRing.U16, d + 14)), "entry " + i + " next");
                }
            }
            assertEquals(3, q.driver.numFree(), "an indirect chain takes one ring descriptor");
        }
    }

    @Test
    void eventFieldsAndFlagsAreWrittenAtTheEndOfTheirRings() {
        try (QueuePair q = QueuePair.builder(16).eventIdx(true).buffers(1, 64).build()) {
            RawRing r = q.raw;
            q.driver.addOne(q.pool.address(0), 8, true, 0);
            q.driver.publish();
            assertEquals(0, q.device.pop(q.chain));
            q.device.pushUsed(0, 5);
            // pushUsed writes the element at once; used.idx waits for publishUsed.
            assertEquals(0, r.usedId(0));
            assertEquals(5, r.usedLen(0));
            assertEquals(0, r.usedIdx());
            q.device.publishUsed();
            assertEquals(1, r.usedIdx());
            assertEquals(0, q.driver.reap());
            assertFalse(q.driver.enableInterrupts());
            assertEquals(1, r.usedEvent(), "used_event = next used index the driver waits for, at 4 + 2N");
            assertFalse(q.device.enableNotifications());
            assertEquals(1, r.availEvent(), "avail_event = next avail index the device waits for, at 4 + 8N");
        }
        try (QueuePair q = QueuePair.builder(16).build()) {
            RawRing r = q.raw;
            q.driver.disableInterrupts();
            assertEquals(1, r.availFlags(), "VIRTQ_AVAIL_F_NO_INTERRUPT in avail.flags");
            q.device.disableNotifications();
            assertEquals(1, r.usedFlags(), "VIRTQ_USED_F_NO_NOTIFY in used.flags");
            q.driver.enableInterrupts();
            q.device.enableNotifications();
            assertEquals(0, r.availFlags());
            assertEquals(0, r.usedFlags());
        }
    }
}
