package io.virtaio.virtio.net;

import static io.virtaio.virtio.Virtio.STATUS_ACKNOWLEDGE;
import static io.virtaio.virtio.Virtio.STATUS_DEVICE_NEEDS_RESET;
import static io.virtaio.virtio.Virtio.STATUS_DRIVER;
import static io.virtaio.virtio.Virtio.STATUS_DRIVER_OK;
import static io.virtaio.virtio.Virtio.STATUS_FEATURES_OK;
import static io.virtaio.virtio.Virtio.bit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.Virtio;
import io.virtaio.virtio.backend.LoopbackBackend;
import io.virtaio.virtio.mem.GuestMemory;
import io.virtaio.virtio.net.DeviceCounters.Drop;
import io.virtaio.virtio.queue.Doorbell;
import io.virtaio.virtio.queue.QueueStatus;
import io.virtaio.virtio.queue.SplitQueueDriver;
import io.virtaio.virtio.queue.SplitQueueLayout;
import io.virtaio.virtio.queue.UsedLenPolicy;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transmit path against a driver that writes whatever chains and headers it likes. */
class VirtioNetDeviceTxTest {
    private final GuestMemory guest = GuestMemory.allocate(4 << 20);
    private final RecordingBackend backend = new RecordingBackend();
    private final VirtioNetDevice device = new VirtioNetDevice(guest, VirtioNetDevice.Config.defaults(), backend);
    private final AtomicInteger configChanges = new AtomicInteger();
    private SplitQueueDriver tx;

    @AfterEach
    void close() {
        device.setStatus(0);
        guest.close();
    }

    /** §3.1.1 by hand, with the given features, and a transmit queue this test fills itself. */
    private void start(long features) {
        backend.guestRegion = guest.region();
        device.setInterruptHandlers(Doorbell.NONE, configChanges::incrementAndGet);
        device.setStatus(STATUS_ACKNOWLEDGE);
        device.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
        device.setDriverFeatures(features);
        device.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
        tx = SplitQueueDriver.create(guest, 16, false, 0, UsedLenPolicy.STRICT, () -> device.notifyQueue(1));
        device.setQueue(1, 16, tx.descAddress(), tx.availAddress(), tx.usedAddress());
        device.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
    }

    private void start() {
        start(bit(Virtio.F_VERSION_1) | bit(VirtioNet.F_CSUM));
    }

    /** A buffer holding a header with the given fields followed by a test frame of {@code frameLength} bytes. */
    private long packet(int flags, int gso, int csumStart, int csumOffset, int frameLength) {
        long addr = guest.reserve(VirtioNet.HDR_SIZE + Math.max(frameLength, 1), 64);
        MemorySegment r = guest.region();
        long off = guest.offsetOf(addr);
        r.asSlice(off, VirtioNet.HDR_SIZE).fill((byte) 0);
        r.set(ValueLayout.JAVA_BYTE, off + VirtioNet.HDR_FLAGS, (byte) flags);
        r.set(ValueLayout.JAVA_BYTE, off + VirtioNet.HDR_GSO_TYPE, (byte) gso);
        r.set(VirtioNet.LE16, off + VirtioNet.HDR_CSUM_START, (short) csumStart);
        r.set(VirtioNet.LE16, off + VirtioNet.HDR_CSUM_OFFSET, (short) csumOffset);
        if (frameLength >= 14) {
            TestFrames.write(r, off + VirtioNet.HDR_SIZE, frameLength, frameLength);
        }
        return addr;
    }

    private int sendOne(long addr, int len) {
        int head = tx.addOne(addr, len, false, 1);
        tx.publish();
        return head;
    }

    private void expectDrop(Drop reason, long addr, int frameLength) {
        sendOne(addr, VirtioNet.HDR_SIZE + frameLength);
        assertEquals(1, device.pollTx(0, 64), "the chain is taken");
        assertEquals(1, device.counters().drops(reason), reason.name());
        assertTrue(backend.frames.isEmpty(), "nothing reached the backend");
        assertEquals(1, tx.reap(), "the chain is completed anyway");
        assertEquals(0, tx.lastLen());
        assertEquals(STATUS_DRIVER_OK, device.status() & (STATUS_DRIVER_OK | STATUS_DEVICE_NEEDS_RESET));
    }

    @Test
    void dropsRunt() {
        start();
        expectDrop(Drop.TX_RUNT, packet(0, 0, 0, 0, 13), 13);
    }

    @Test
    void dropsOversizeFrame() {
        start();
        expectDrop(Drop.TX_OVERSIZE, packet(0, 0, 0, 0, 1515), 1515);
    }

    @Test
    void dropsDataValidOnTransmit() {
        start();
        expectDrop(Drop.TX_BAD_FLAGS, packet(VirtioNet.HDR_F_DATA_VALID, 0, 0, 0, 60), 60);
    }

    @Test
    void dropsNeedsCsumWithoutCsumNegotiated() {
        start(bit(Virtio.F_VERSION_1));
        expectDrop(Drop.TX_CSUM_NOT_NEGOTIATED, packet(VirtioNet.HDR_F_NEEDS_CSUM, 0, 34, 6, 60), 60);
    }

    @Test
    void dropsChecksumFieldBeyondTheFrame() {
        start();
        expectDrop(Drop.TX_BAD_CSUM_OFFSETS, packet(VirtioNet.HDR_F_NEEDS_CSUM, 0, 50, 9, 60), 60);
    }

    @Test
    void dropsGsoThatWasNotNegotiated() {
        start();
        expectDrop(Drop.TX_GSO_NOT_NEGOTIATED, packet(0, VirtioNet.GSO_TCPV4, 0, 0, 60), 60);
    }

    @Test
    void acceptsChecksumFieldEndingAtTheLastByte() {
        start();
        sendOne(packet(VirtioNet.HDR_F_NEEDS_CSUM, 0, 50, 8, 60), VirtioNet.HDR_SIZE + 60);
        device.pollTx(0, 64);
        assertEquals(1, backend.frames.size());
        assertEquals(VirtioNet.HDR_F_NEEDS_CSUM, backend.frames.getFirst().hdr()[0]);
    }

    @Test
    void unknownFlagBitsAreIgnoredAndNotForwarded() {
        start();
        sendOne(packet(0x80, 0, 7, 7, 60), VirtioNet.HDR_SIZE + 60);
        device.pollTx(0, 64);
        assertEquals(1, backend.frames.size());
        assertArrayEquals(new byte[12], backend.frames.getFirst().hdr(), "canonical header: all zero");
    }

    @Test
    void frameInOneBufferGoesToTheBackendInPlace() {
        start();
        sendOne(packet(0, 0, 0, 0, 1514), VirtioNet.HDR_SIZE + 1514);
        device.pollTx(0, 64);
        RecordingBackend.Frame f = backend.frames.getFirst();
        assertTrue(f.inPlace(), "zero copy: the guest region itself");
        assertEquals(1514, f.frame().length);
        assertEquals(null, TestFrames.check(MemorySegment.ofArray(f.frame()), 0, 1514, 1514, 1514));
        assertEquals(1, backend.flushes);
    }

    @Test
    void separateHeaderBufferStillSendsInPlaceAndScatteredFramesAreGathered() {
        start();
        long whole = packet(0, 0, 0, 0, 300);
        // Header alone, frame alone: the frame buffer is passed in place.
        tx.add(new long[] {whole, whole + 12}, new int[] {12, 300}, 2, 0, 1);
        // Header and frame cut at odd places: gathered into the device's buffer.
        tx.add(new long[] {whole, whole + 5, whole + 100}, new int[] {5, 95, 212}, 3, 0, 2);
        tx.publish();
        assertEquals(2, device.pollTx(0, 64));
        assertEquals(2, backend.frames.size());
        assertTrue(backend.frames.get(0).inPlace());
        assertFalse(backend.frames.get(1).inPlace());
        for (RecordingBackend.Frame f : backend.frames) {
            assertEquals(null, TestFrames.check(MemorySegment.ofArray(f.frame()), 0, f.frame().length, 300, 300));
        }
        assertEquals(1, backend.flushes, "one flush per batch");
    }

    @Test
    void headerIsReadOnceAndTheCopyIsWhatTheBackendSees() {
        start();
        long addr = packet(VirtioNet.HDR_F_NEEDS_CSUM, 0, 34, 6, 60);
        sendOne(addr, VirtioNet.HDR_SIZE + 60);
        // The driver rewrites the shared header after the device checked it: the backend still sees the checked
        // copy.
        backend.onAccept = () -> guest.region().set(VirtioNet.LE16,
                guest.offsetOf(addr) + VirtioNet.HDR_CSUM_START, (short) 5000);
        device.pollTx(0, 64);
        byte[] hdr = backend.frames.getFirst().hdr();
        assertEquals(34, Short.toUnsignedInt(MemorySegment.ofArray(hdr).get(VirtioNet.LE16, VirtioNet.HDR_CSUM_START)));
    }

    @Test
    void chainShorterThanTheHeaderNeedsReset() {
        start();
        sendOne(packet(0, 0, 0, 0, 0), 8);
        assertEquals(1, device.pollTx(0, 64));
        assertEquals(STATUS_DEVICE_NEEDS_RESET, device.status() & STATUS_DEVICE_NEEDS_RESET);
        assertTrue(device.needsResetReason().contains("less than the 12-byte virtio_net_hdr"),
                device.needsResetReason());
        assertEquals(1, configChanges.get());
        assertEquals(QueueStatus.EMPTY, tx.reap(), "the bad chain is not completed");
        assertEquals(0, device.pollTx(0, 64), "the device stops until reset");
    }

    @Test
    void writableBufferInTransmitChainNeedsReset() {
        start();
        long a = packet(0, 0, 0, 0, 60);
        tx.add(new long[] {a, a + 40}, new int[] {40, 32}, 1, 1, 1);
        tx.publish();
        device.pollTx(0, 64);
        assertTrue(device.needsResetReason().contains("device-writable"), device.needsResetReason());
        assertEquals(1, device.counters().needsReset());
    }

    @Test
    void brokenTransmitRingNeedsReset() {
        start();
        // avail.idx jumps by more than the queue size.
        long availOff = guest.offsetOf(tx.availAddress());
        guest.region().set(ValueLayout.JAVA_SHORT, availOff + SplitQueueLayout.AVAIL_IDX, (short) 100);
        assertEquals(0, device.pollTx(0, 64));
        assertTrue(device.needsResetReason().startsWith("transmitq1 broken: AVAIL_IDX_JUMP"),
                device.needsResetReason());
    }

    @Test
    void hostileChainThroughTheDriverIsRecoveredByReinitialize() {
        GuestMemory g = GuestMemory.allocate(8 << 20);
        try {
            VirtioNetDevice d = new VirtioNetDevice(g, VirtioNetDevice.Config.defaults(), new LoopbackBackend());
            VirtioNetDriver driver = VirtioNetDriver.attach(d, g, VirtioNetDriver.Config.defaults());
            int id = driver.txAcquire();
            driver.txSubmit(id, 60, -1, 0);
            // The chain's only descriptor is 0 in a fresh ring: make its buffer device-writable behind the
            // driver's back.
            long desc = g.offsetOf(driver.txQueue().descAddress());
            g.region().set(SplitQueueLayout.LE16, desc + SplitQueueLayout.DESC_FLAGS,
                    (short) SplitQueueLayout.DESC_F_WRITE);
            driver.flush();
            d.pollTx(0, 64);
            assertTrue(driver.needsReset());
            assertTrue(driver.resetReason().contains("device-writable"), driver.resetReason());

            driver.reinitialize();
            assertFalse(driver.needsReset());
            int[] lengths = new int[1];
            for (int k = 0; k < 300; k++) {
                int frameId = driver.txAcquire();
                TestFrames.write(driver.region(), driver.txFrameOffset(frameId), k, 100);
                assertEquals(0, driver.txSubmit(frameId, 100, -1, 0));
                driver.flush();
                d.pollTx(0, 64);
                driver.receive((region, off, len, flags) -> lengths[0] += len, 64);
            }
            assertEquals(300 * 100, lengths[0], "all buffers came back: the 300 frames went round");
            assertEquals(1, driver.counters().resets());
            assertEquals(2, d.counters().resets(), "attach and reinitialize both reset the device");
        } finally {
            g.close();
        }
    }

    @Test
    void countersMapHasEveryReason() {
        start();
        assertTrue(device.counters().toMap().keySet().containsAll(Arrays.stream(Drop.values())
                .map(d -> "drop_" + d.key()).toList()));
    }
}
