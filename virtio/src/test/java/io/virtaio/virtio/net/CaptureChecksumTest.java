package io.virtaio.virtio.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.Virtio;
import io.virtaio.virtio.backend.PcapBackend;
import io.virtaio.virtio.backend.PcapWriter;
import io.virtaio.virtio.mem.GuestMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a capture shows of NEEDS_CSUM frames, and that a capture stage passes the negotiated features on: a backend
 * that configures offloads (a TAP) must hear about them through any wrapper.
 */
class CaptureChecksumTest {
    /** libpcap: 24-byte file header, then a 16-byte record header before the first frame. */
    private static final int FIRST_FRAME = 24 + 16;
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    @TempDir
    Path dir;

    private static MemorySegment header(int flags, int csumStart, int csumOffset) {
        MemorySegment hdr = Arena.ofAuto().allocate(VirtioNet.HDR_SIZE);
        hdr.set(ValueLayout.JAVA_BYTE, VirtioNet.HDR_FLAGS, (byte) flags);
        hdr.set(VirtioNet.LE16, VirtioNet.HDR_CSUM_START, (short) csumStart);
        hdr.set(VirtioNet.LE16, VirtioNet.HDR_CSUM_OFFSET, (short) csumOffset);
        return hdr;
    }

    /** Offers one frame outbound through a pcap stage; returns the recorded frame and what the inner stage got. */
    private MemorySegment[] recordOne(PcapBackend.Checksums mode, MemorySegment hdr, MemorySegment frame, int length)
            throws IOException {
        Path file = dir.resolve(mode + ".pcap");
        RecordingBackend inner = new RecordingBackend();
        PcapBackend pcap = new PcapBackend(inner, PcapWriter.open(file, PcapWriter.Format.PCAP), mode);
        pcap.connect(new RecordingBackend());
        pcap.accept(hdr, frame, 0, length, 0);
        pcap.close();
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(FIRST_FRAME + length, bytes.length);
        return new MemorySegment[] {MemorySegment.ofArray(bytes).asSlice(FIRST_FRAME, length),
                MemorySegment.ofArray(inner.frames.getFirst().frame())};
    }

    @ParameterizedTest
    @ValueSource(ints = {17, 6})
    void completedCaptureHoldsTheChecksumTheNextHopWillSend(int protocol) throws IOException {
        MemorySegment frame = Arena.ofAuto().allocate(1514);
        int length = TestFrames.writeIpv4(frame, 0, protocol, 333, true);
        MemorySegment handed = MemorySegment.ofArray(frame.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
        MemorySegment hdr = header(VirtioNet.HDR_F_NEEDS_CSUM, TestFrames.L4, TestFrames.checksumOffset(protocol));

        MemorySegment[] got = recordOne(PcapBackend.Checksums.COMPLETED, hdr, frame, length);
        assertTrue(TestFrames.transportChecksumOk(got[0], 0, length), "recorded checksum verifies");
        int field = TestFrames.L4 + TestFrames.checksumOffset(protocol);
        assertEquals(-1, got[0].asSlice(0, field).mismatch(handed.asSlice(0, field)), "only the checksum changed");
        assertEquals(-1, got[1].mismatch(handed), "the next stage gets the frame untouched, still partial");
        assertEquals(-1, frame.asSlice(0, length).mismatch(handed), "the sender's frame is untouched");
    }

    /**
     * A checksum that comes to 0 is recorded as 0 for TCP — 0xFFFF would be the "-0" that RFC 1624 §3 says a TCP
     * sender never computes, and tshark flags it — and as 0xFFFF for UDP, where 0 means "no checksum" (RFC 768).
     */
    @ParameterizedTest
    @ValueSource(ints = {6, 17})
    void aChecksumOfZeroIsRecordedAsZeroForTcpAndAsAllOnesForUdp(int protocol) throws IOException {
        MemorySegment frame = Arena.ofAuto().allocate(1514);
        int length = TestFrames.writeIpv4(frame, 0, protocol, 333, true);
        // Add the would-be checksum to the segment's last whole word: the sum becomes 0xFFFF, the checksum 0.
        int word = TestFrames.L4 + ((length - TestFrames.L4 - 2) & ~1);
        int checksum = InternetChecksum.checksum(frame, TestFrames.L4, length - TestFrames.L4);
        int was = Short.toUnsignedInt(frame.get(BE16, word));
        frame.set(BE16, word, (short) InternetChecksum.add(was, checksum));
        assertEquals(0, InternetChecksum.checksum(frame, TestFrames.L4, length - TestFrames.L4));
        MemorySegment hdr = header(VirtioNet.HDR_F_NEEDS_CSUM, TestFrames.L4, TestFrames.checksumOffset(protocol));

        MemorySegment recorded = recordOne(PcapBackend.Checksums.COMPLETED, hdr, frame, length)[0];
        int field = TestFrames.L4 + TestFrames.checksumOffset(protocol);
        assertEquals(protocol == 6 ? 0 : 0xFFFF, Short.toUnsignedInt(recorded.get(BE16, field)));
        assertTrue(TestFrames.transportChecksumOk(recorded, 0, length));
    }

    @Test
    void asHandedCaptureKeepsThePartialSum() throws IOException {
        MemorySegment frame = Arena.ofAuto().allocate(1514);
        int length = TestFrames.writeIpv4(frame, 0, 17, 100, true);
        MemorySegment hdr = header(VirtioNet.HDR_F_NEEDS_CSUM, TestFrames.L4, 6);
        MemorySegment[] got = recordOne(PcapBackend.Checksums.AS_HANDED, hdr, frame, length);
        assertEquals(-1, got[0].mismatch(frame.asSlice(0, length)));
        assertFalse(TestFrames.transportChecksumOk(got[0], 0, length), "a partial sum does not verify");
    }

    @Test
    void completedCaptureLeavesFramesWithoutNeedsCsumOrWithBadOffsetsAlone() throws IOException {
        MemorySegment frame = Arena.ofAuto().allocate(1514);
        int length = TestFrames.writeIpv4(frame, 0, 17, 100, true);
        MemorySegment[] plain = recordOne(PcapBackend.Checksums.COMPLETED, header(0, TestFrames.L4, 6), frame, length);
        assertEquals(-1, plain[0].mismatch(frame.asSlice(0, length)));
        // csum_start + csum_offset + 2 past the end: a hostile header must not make the capture write out of bounds.
        MemorySegment[] bad = recordOne(PcapBackend.Checksums.COMPLETED,
                header(VirtioNet.HDR_F_NEEDS_CSUM, length - 1, 0), frame, length);
        assertEquals(-1, bad[0].mismatch(frame.asSlice(0, length)));
    }

    @Test
    void deviceTellsTheBackendThroughACaptureWhatWasNegotiated() throws IOException {
        RecordingBackend inner = new RecordingBackend();
        PcapBackend pcap = new PcapBackend(inner, PcapWriter.open(dir.resolve("n.pcap"), PcapWriter.Format.PCAP));
        try (GuestMemory guest = GuestMemory.allocate(8 << 20)) {
            VirtioNetDevice device = new VirtioNetDevice(guest, VirtioNetDevice.Config.defaults(), pcap);
            long wanted = VirtioNetDriver.Config.DEFAULT_FEATURES & ~Virtio.bit(VirtioNet.F_GUEST_CSUM);
            VirtioNetDriver driver = VirtioNetDriver.attach(device, guest,
                    VirtioNetDriver.Config.defaults().withFeatures(wanted));
            assertEquals(driver.features(), inner.negotiated);
            assertFalse(Virtio.has(inner.negotiated, VirtioNet.F_GUEST_CSUM));
            device.setStatus(0);
        }
        pcap.close();
    }
}
