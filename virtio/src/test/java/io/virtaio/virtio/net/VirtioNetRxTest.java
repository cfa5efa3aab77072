package io.virtaio.virtio.net;

import static io.virtaio.virtio.Virtio.bit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.Virtio;
import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.net.DeviceCounters.Drop;
import io.virtaio.virtio.queue.SplitQueueLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The receive path: drops, buffer sizes, checksum offload in both directions of negotiation. */
class VirtioNetRxTest {
    record Received(byte[] frame, int flags) {
    }

    private static List<Received> receiveAll(VirtioNetDriver driver) {
        List<Received> out = new ArrayList<>();
        driver.receive((region, off, len, flags) ->
                out.add(new Received(region.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE), flags)), 1 << 16);
        return out;
    }

    private static Rig injected(long driverFeatures, RecordingBackend backend) {
        return new Rig(8 << 20, VirtioNetDevice.Config.defaults(),
                VirtioNetDriver.Config.defaults().withFeatures(driverFeatures), backend);
    }

    @Test
    void dropsWithoutReceiveBufferAndNeverBlocks() {
        try (Rig rig = Rig.loopback(VirtioNetDevice.Config.defaults(),
                VirtioNetDriver.Config.defaults().withQueueSizes(16, 64))) {
            for (int k = 0; k < 20; k++) {
                assertEquals(0, rig.sendTestFrame(k, 100));
            }
            rig.driver.flush();
            assertEquals(20, rig.device.pollTx(0, 64));
            assertEquals(4, rig.device.counters().drops(Drop.RX_NO_BUFFER));
            assertEquals(4L, rig.device.counters().toMap().get("drop_rx_no_buffer"));
            assertEquals(16, receiveAll(rig.driver).size());
            rig.sendTestFrame(20, 100);
            rig.driver.flush();
            rig.device.pollTx(0, 64);
            assertEquals(1, receiveAll(rig.driver).size(), "buffers were re-posted");
        }
    }

    /**
     * Backpressure for a sender that can hold frames (a TAP): without buffers the device asks for the receive
     * queue's kick (§2.7.10), the driver's re-post rings the sender's doorbell once, and the next frame received
     * turns the kicks off again.
     */
    @ParameterizedTest(name = "EVENT_IDX {0}")
    @CsvSource({"true", "false"})
    void aSenderWaitingForBuffersIsRungWhenTheDriverPostsThem(boolean eventIdx) {
        RecordingBackend backend = new RecordingBackend();
        long features = VirtioNetDriver.Config.DEFAULT_FEATURES;
        features = eventIdx ? features : features & ~bit(Virtio.F_EVENT_IDX);
        try (Rig rig = new Rig(8 << 20, VirtioNetDevice.Config.defaults(),
                VirtioNetDriver.Config.defaults().withFeatures(features).withQueueSizes(4, 64), backend)) {
            for (int i = 0; i < 4; i++) {
                assertEquals(FrameSink.OK, backend.inject(0, 0, 0, 0, new byte[60]));
            }
            assertEquals(FrameSink.DROP_NO_BUFFER, backend.inject(0, 0, 0, 0, new byte[60]));
            int[] rings = new int[1];
            assertFalse(backend.device.notifyWhenRoom(() -> rings[0]++), "no buffer yet: wait for the kick");
            assertEquals(1, rig.device.counters().rxRoomWaits());
            assertEquals(0, rings[0]);
            assertEquals(4, receiveAll(rig.driver).size(), "the driver takes the frames and re-posts the buffers");
            assertEquals(1, rings[0], "the re-post kicked the receive queue, which rang the waiting sender");
            assertEquals(FrameSink.OK, backend.inject(0, 0, 0, 0, new byte[60]), "offered again, taken");
            long kicks = rig.device.counters().kicks();
            receiveAll(rig.driver);
            assertEquals(kicks, rig.device.counters().kicks(), "the wait is over: re-posts kick no more");
            assertEquals(1, rings[0]);
            assertTrue(backend.device.notifyWhenRoom(() -> rings[0]++), "buffers are there: offer at once");
        }
    }

    @Test
    void aSenderWaitingAcrossAResetIsRungWhenTheDriverIsBack() {
        RecordingBackend backend = new RecordingBackend();
        try (Rig rig = new Rig(8 << 20, VirtioNetDevice.Config.defaults(),
                VirtioNetDriver.Config.defaults().withQueueSizes(2, 64), backend)) {
            backend.inject(0, 0, 0, 0, new byte[60]);
            backend.inject(0, 0, 0, 0, new byte[60]);
            int[] rings = new int[1];
            assertFalse(backend.device.notifyWhenRoom(() -> rings[0]++));
            // New queues start without receive kicks: DRIVER_OK itself must tell the sender to offer again.
            rig.driver.reinitialize();
            assertEquals(1, rings[0]);
            assertEquals(FrameSink.OK, backend.inject(0, 0, 0, 0, new byte[60]));
        }
    }

    @Test
    void aDeviceThatIsNotRunningDoesNotMakeASenderWait() {
        RecordingBackend backend = new RecordingBackend();
        try (Rig rig = injected(VirtioNetDriver.Config.DEFAULT_FEATURES, backend)) {
            rig.device.setLinkUp(false);
            assertTrue(backend.device.notifyWhenRoom(() -> { }), "link down: the sender drops as before");
            rig.device.setLinkUp(true);
            rig.device.setStatus(0);
            assertTrue(backend.device.notifyWhenRoom(() -> { }), "reset: likewise");
            assertEquals(0, rig.device.counters().rxRoomWaits());
        }
    }

    @Test
    void frameLargerThanTheBufferIsDroppedAndTheBufferStaysForTheNextFrame() {
        long noMtu = VirtioNetDriver.Config.DEFAULT_FEATURES & ~bit(VirtioNet.F_MTU);
        try (Rig rig = Rig.loopback(VirtioNetDevice.Config.defaults(), VirtioNetDriver.Config.defaults()
                .withFeatures(noMtu).withQueueSizes(16, 64).withRxBufferSize(12 + 600))) {
            rig.sendTestFrame(0, 1000);
            for (int k = 1; k <= 16; k++) {
                rig.sendTestFrame(k, 600);
            }
            rig.driver.flush();
            rig.device.pollTx(0, 64);
            assertEquals(1, rig.device.counters().drops(Drop.RX_TOO_BIG));
            assertEquals(0, rig.device.counters().drops(Drop.RX_NO_BUFFER), "no buffer was consumed by the drop");
            List<Received> got = receiveAll(rig.driver);
            assertEquals(16, got.size());
            for (int k = 1; k <= 16; k++) {
                byte[] f = got.get(k - 1).frame();
                assertEquals(null, TestFrames.check(MemorySegment.ofArray(f), 0, f.length, k, 600));
            }
        }
    }

    @Test
    void frameAboveTheNegotiatedMtuIsDropped() {
        RecordingBackend backend = new RecordingBackend();
        try (Rig rig = injected(VirtioNetDriver.Config.DEFAULT_FEATURES, backend)) {
            assertEquals(FrameSink.DROP_TOO_BIG, backend.inject(0, 0, 0, 0, new byte[1515]));
            assertEquals(FrameSink.OK, backend.inject(0, 0, 0, 0, new byte[1514]));
            assertEquals(1, receiveAll(rig.driver).size());
        }
    }

    @Test
    void needsCsumPassesThroughUntouchedWithGuestCsum() {
        try (Rig rig = Rig.loopback()) {
            byte[] sent = new byte[2000];
            int id = rig.driver.txAcquire();
            int frameLength = TestFrames.writeIpv4(rig.driver.region(), rig.driver.txFrameOffset(id), 17, 333, true);
            MemorySegment.copy(rig.driver.region(), ValueLayout.JAVA_BYTE, rig.driver.txFrameOffset(id), sent, 0,
                    frameLength);
            rig.driver.txSubmit(id, frameLength, TestFrames.L4, TestFrames.checksumOffset(17));
            rig.driver.flush();
            rig.device.pollTx(0, 64);
            List<Received> got = receiveAll(rig.driver);
            assertEquals(1, got.size());
            assertEquals(VirtioNet.HDR_F_NEEDS_CSUM, got.getFirst().flags());
            assertArrayEquals(java.util.Arrays.copyOf(sent, frameLength), got.getFirst().frame(),
                    "nobody computed the checksum on the trusted path");
            assertFalse(TestFrames.transportChecksumOk(MemorySegment.ofArray(got.getFirst().frame()), 0, frameLength));
            assertEquals(0, rig.device.counters().rxChecksumsCompleted());
        }
    }

    @ParameterizedTest
    @CsvSource({"17, 0", "17, 1", "17, 333", "17, 1472", "6, 0", "6, 7", "6, 1000", "6, 1460"})
    void deviceCompletesTheChecksumWithoutGuestCsum(int protocol, int payload) {
        long noGuestCsum = VirtioNetDriver.Config.DEFAULT_FEATURES & ~bit(VirtioNet.F_GUEST_CSUM);
        try (Rig rig = Rig.loopback(VirtioNetDevice.Config.defaults(),
                VirtioNetDriver.Config.defaults().withFeatures(noGuestCsum))) {
            int id = rig.driver.txAcquire();
            int frameLength = TestFrames.writeIpv4(rig.driver.region(), rig.driver.txFrameOffset(id), protocol,
                    payload, true);
            rig.driver.txSubmit(id, frameLength, TestFrames.L4, TestFrames.checksumOffset(protocol));
            rig.driver.flush();
            rig.device.pollTx(0, 64);
            List<Received> got = receiveAll(rig.driver);
            assertEquals(1, got.size());
            assertEquals(0, got.getFirst().flags(), "§5.1.6.3.1: flags zero without GUEST_CSUM");
            assertTrue(TestFrames.transportChecksumOk(MemorySegment.ofArray(got.getFirst().frame()), 0, frameLength));
            // The same frame checksummed by the test alone gives the same bytes.
            MemorySegment reference = MemorySegment.ofArray(new byte[frameLength]);
            TestFrames.writeIpv4(reference, 0, protocol, payload, false);
            assertArrayEquals(reference.toArray(ValueLayout.JAVA_BYTE), got.getFirst().frame());
            assertEquals(1, rig.device.counters().rxChecksumsCompleted());
        }
    }

    @Test
    void dataValidPassesOnlyWhenTheIncomingHeaderCarriesItAndGuestCsumIsNegotiated() {
        byte[] frame = new byte[60];
        RecordingBackend backend = new RecordingBackend();
        try (Rig rig = injected(VirtioNetDriver.Config.DEFAULT_FEATURES, backend)) {
            backend.inject(VirtioNet.HDR_F_DATA_VALID, 0, 0, 0, frame);
            backend.inject(0, 0, 0, 0, frame);
            List<Received> got = receiveAll(rig.driver);
            assertEquals(VirtioNet.HDR_F_DATA_VALID, got.get(0).flags());
            assertEquals(0, got.get(1).flags(), "the device never claims a validation it did not do");
        }
        RecordingBackend plain = new RecordingBackend();
        try (Rig rig = injected(VirtioNetDriver.Config.DEFAULT_FEATURES & ~bit(VirtioNet.F_GUEST_CSUM), plain)) {
            plain.inject(VirtioNet.HDR_F_DATA_VALID, 0, 0, 0, frame);
            assertEquals(0, receiveAll(rig.driver).getFirst().flags());
        }
    }

    @Test
    void headersTheDriverCannotTakeAreDropped() {
        RecordingBackend backend = new RecordingBackend();
        try (Rig rig = injected(VirtioNetDriver.Config.DEFAULT_FEATURES, backend)) {
            assertEquals(FrameSink.DROP_BAD_HEADER, backend.inject(0, VirtioNet.GSO_TCPV4, 0, 0, new byte[60]));
            assertEquals(FrameSink.DROP_BAD_HEADER,
                    backend.inject(VirtioNet.HDR_F_NEEDS_CSUM, 0, 34, 25, new byte[60]), "checksum past the end");
            assertEquals(FrameSink.DROP_BAD_HEADER, backend.inject(0, 0, 0, 0, new byte[13]), "runt");
            assertEquals(3, rig.device.counters().drops(Drop.RX_BAD_HEADER));
            assertTrue(receiveAll(rig.driver).isEmpty());
        }
    }

    @Test
    void notReadyOrLinkDownDrops() {
        RecordingBackend backend = new RecordingBackend();
        try (Rig rig = injected(VirtioNetDriver.Config.DEFAULT_FEATURES, backend)) {
            rig.device.setLinkUp(false);
            assertEquals(FrameSink.DROP_NOT_READY, backend.inject(0, 0, 0, 0, new byte[60]));
            assertEquals(1, rig.device.counters().drops(Drop.RX_LINK_DOWN));
            rig.device.setLinkUp(true);
            rig.device.setStatus(0);
            assertEquals(FrameSink.DROP_NOT_READY, backend.inject(0, 0, 0, 0, new byte[60]));
            assertEquals(1, rig.device.counters().drops(Drop.RX_NOT_READY));
        }
    }

    @Test
    void driverDropsUsedLengthsThatCannotHoldAFrame() {
        RecordingBackend backend = new RecordingBackend();
        try (Rig rig = injected(VirtioNetDriver.Config.DEFAULT_FEATURES, backend)) {
            backend.inject(0, 0, 0, 0, new byte[60]);
            // A lying device: overwrite the used length it reported.
            long used = rig.guest.offsetOf(rig.driver.rxQueue().usedAddress());
            rig.guest.region().set(SplitQueueLayout.LE32,
                    used + SplitQueueLayout.usedElemOffset(0) + SplitQueueLayout.USED_ELEM_LEN, 25);
            assertTrue(receiveAll(rig.driver).isEmpty());
            assertEquals(1, rig.driver.counters().drops(DriverCounters.Drop.RX_RUNT));
            backend.inject(0, 0, 0, 0, new byte[60]);
            assertEquals(1, receiveAll(rig.driver).size(), "the buffer was re-posted");
            assertEquals(1, rig.driver.counters().rxFrames());
            assertEquals(60, rig.driver.counters().rxBytes());
        }
    }

    @Test
    void brokenReceiveRingDropsAndNeedsReset() {
        RecordingBackend backend = new RecordingBackend();
        try (Rig rig = injected(VirtioNetDriver.Config.DEFAULT_FEATURES, backend)) {
            long avail = rig.guest.offsetOf(rig.driver.rxQueue().availAddress());
            rig.guest.region().set(SplitQueueLayout.LE16, avail + SplitQueueLayout.availRingOffset(0), (short) 4000);
            assertEquals(FrameSink.DROP_BROKEN, backend.inject(0, 0, 0, 0, new byte[60]));
            assertTrue(rig.driver.needsReset());
            assertTrue(rig.driver.resetReason().contains("HEAD_OUT_OF_RANGE"), rig.driver.resetReason());
            rig.driver.reinitialize();
            assertEquals(FrameSink.OK, backend.inject(0, 0, 0, 0, new byte[60]));
            assertEquals(1, receiveAll(rig.driver).size());
        }
    }
}
