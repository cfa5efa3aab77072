package io.virtaio.virtio.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.mem.GuestMemory;
import io.virtaio.virtio.net.VirtioNet;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;
import io.virtaio.virtio.queue.Doorbell;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Captures read back by tshark: frame count, no malformed frames, timestamps, comments, determinism. */
class PcapTest {
    private static final Path TSHARK = Path.of("/usr/bin/tshark");
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    @TempDir
    Path dir;

    /** An Ethernet frame (local experimental EtherType 0x88B5) of {@code length} bytes tagged with {@code k}. */
    static MemorySegment frame(int k, int length) {
        MemorySegment f = MemorySegment.ofArray(new byte[length]);
        f.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x02);
        f.set(ValueLayout.JAVA_BYTE, 5, (byte) 0x02);
        f.set(ValueLayout.JAVA_BYTE, 6, (byte) 0x02);
        f.set(ValueLayout.JAVA_BYTE, 11, (byte) 0x01);
        f.set(BE16, 12, (short) 0x88B5);
        for (int i = 14; i < length; i++) {
            f.set(ValueLayout.JAVA_BYTE, i, (byte) (k + i));
        }
        return f;
    }

    /** 50 frames of 60..1514 bytes, 1.000000123 s + k ms, every 10th with a comment. */
    private Path capture(String name, PcapWriter.Format format) throws IOException {
        Path file = dir.resolve(name);
        try (PcapWriter w = PcapWriter.open(file, format)) {
            for (int k = 0; k < 50; k++) {
                int length = 60 + (k * 331) % 1455;
                String comment = k % 10 == 0 ? "fault: frame " + k + " corrupted" : null;
                int direction = k % 2 == 0 ? PcapWriter.OUTBOUND : PcapWriter.INBOUND;
                w.write(1_000_000_123L + k * 1_000_000L, frame(k, length), 0, length, direction, comment);
            }
        }
        return file;
    }

    static List<String> tshark(String... args) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(TSHARK),
                "tshark is needed to read the captures back (the launcher installs it: apt-get install tshark)");
        List<String> command = new ArrayList<>();
        command.add(TSHARK.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tshark finished");
        assertEquals(0, p.exitValue(), "tshark " + command + " exit status; output: " + out);
        if (out.isEmpty()) {
            return List.of();
        }
        // One line per frame; keep empty fields (split drops trailing empty strings unless told not to).
        List<String> lines = new ArrayList<>(List.of(out.split("\n", -1)));
        lines.removeLast();
        return lines;
    }

    @ParameterizedTest
    @EnumSource(PcapWriter.Format.class)
    void tsharkReadsEveryFrameAndNoneIsMalformed(PcapWriter.Format format) throws Exception {
        Path file = capture("c." + format.name().toLowerCase(), format);
        String f = file.toString();
        assertEquals(50, tshark("-r", f, "-T", "fields", "-e", "frame.number").size());
        assertEquals(List.of(), tshark("-r", f, "-Y", "_ws.malformed"));
        List<String> lengths = tshark("-r", f, "-T", "fields", "-e", "frame.len");
        assertEquals(String.valueOf(60 + (7 * 331) % 1455), lengths.get(7));
        List<String> times = tshark("-r", f, "-T", "fields", "-e", "frame.time_epoch");
        assertEquals("1.000000123", times.get(0), "nanosecond timestamps");
        assertEquals("1.049000123", times.get(49));
    }

    @Test
    void pcapngCarriesCommentsAndDirections() throws Exception {
        String f = capture("c.pcapng", PcapWriter.Format.PCAPNG).toString();
        List<String> comments = tshark("-r", f, "-T", "fields", "-e", "frame.comment");
        assertEquals(50, comments.size());
        assertEquals("fault: frame 0 corrupted", comments.get(0));
        assertEquals("", comments.get(1));
        assertEquals("fault: frame 40 corrupted", comments.get(40));
        List<String> directions = tshark("-r", f, "-T", "fields", "-e", "frame.packet_flags_direction");
        assertEquals(2, Integer.decode(directions.get(0)), "outbound");
        assertEquals(1, Integer.decode(directions.get(1)), "inbound");
    }

    @Test
    void byteArrayCommentsAndTheCrcErrorFlagReachWireshark() throws Exception {
        Path file = dir.resolve("flags.pcapng");
        byte[] comment = "fault: corrupt byte 37 bit 2 and then some".getBytes(StandardCharsets.US_ASCII);
        try (PcapWriter w = PcapWriter.open(file, PcapWriter.Format.PCAPNG)) {
            w.write(0, frame(0, 60), 0, 60, PcapWriter.INBOUND | PcapWriter.FLAG_CRC_ERROR, comment, 28);
            w.write(1, frame(1, 61), 0, 61, PcapWriter.OUTBOUND, null, 0);
            w.write(2, frame(2, 62), 0, 62, 0, comment, 0);
            assertThrows(IllegalArgumentException.class,
                    () -> w.write(3, frame(3, 60), 0, 60, PcapWriter.INBOUND | PcapWriter.OUTBOUND, null, 0));
            assertThrows(IllegalArgumentException.class, () -> w.write(3, frame(3, 60), 0, 60, 1 << 30, null, 0));
            assertThrows(IllegalArgumentException.class, () -> w.write(3, frame(3, 60), 0, 60, 0, comment, 99));
        }
        String f = file.toString();
        assertEquals(List.of(), tshark("-r", f, "-Y", "_ws.malformed"));
        assertEquals(List.of("fault: corrupt byte 37 bit 2", "", ""),
                tshark("-r", f, "-T", "fields", "-e", "frame.comment"), "only the first 28 bytes, no comment");
        List<String> crc = tshark("-r", f, "-T", "fields", "-e", "frame.packet_flags_crc_error");
        assertTrue(crc.get(0).equals("1") || crc.get(0).equalsIgnoreCase("true"), "CRC error flagged: " + crc);
        assertTrue(crc.get(1).isEmpty() || crc.get(1).equals("0") || crc.get(1).equalsIgnoreCase("false"),
                "not flagged: " + crc);
        List<String> directions = tshark("-r", f, "-T", "fields", "-e", "frame.packet_flags_direction");
        assertEquals(1, Integer.decode(directions.get(0)), "inbound");
        assertEquals(2, Integer.decode(directions.get(1)), "outbound");
    }

    @ParameterizedTest
    @EnumSource(PcapWriter.Format.class)
    void sameFramesAndTimesGiveTheSameBytes(PcapWriter.Format format) throws Exception {
        Path one = capture("one", format);
        Path two = capture("two", format);
        assertEquals(-1, Files.mismatch(one, two));
    }

    @Test
    void oversizedFramesAreTruncatedToTheSnaplenWithTheirLengthKept() throws Exception {
        Path file = dir.resolve("big.pcap");
        try (PcapWriter w = PcapWriter.open(file, PcapWriter.Format.PCAP)) {
            w.write(0, frame(1, 300_000), 0, 300_000);
        }
        assertEquals(List.of("262144\t300000"),
                tshark("-r", file.toString(), "-T", "fields", "-e", "frame.cap_len", "-e", "frame.len"));
    }

    /** A frame the device refused for lack of buffers and that its sender offers again is in the capture once. */
    @Test
    void aFrameOfferedAgainAfterWaitingForBuffersIsRecordedOnce() throws Exception {
        Path file = dir.resolve("again.pcapng");
        FrameSink[] toDevice = new FrameSink[1];
        Backend source = new Backend() {
            @Override
            public void connect(FrameSink sink) {
                toDevice[0] = sink;
            }

            @Override
            public int accept(MemorySegment hdr, MemorySegment f, long off, int len, long nowNs) {
                return OK;
            }

            @Override
            public void flush(long nowNs) {
            }
        };
        int[] answers = {FrameSink.DROP_NO_BUFFER, FrameSink.OK, FrameSink.OK};
        int[] offers = new int[1];
        try (PcapWriter w = PcapWriter.open(file, PcapWriter.Format.PCAPNG)) {
            PcapBackend pcap = new PcapBackend(source, w);
            pcap.connect(new FrameSink() {
                @Override
                public int accept(MemorySegment hdr, MemorySegment f, long off, int len, long nowNs) {
                    return answers[offers[0]++];
                }

                @Override
                public void flush(long nowNs) {
                }

                @Override
                public boolean notifyWhenRoom(Doorbell doorbell) {
                    return false;
                }
            });
            MemorySegment hdr = MemorySegment.ofArray(new byte[VirtioNet.HDR_SIZE]);
            assertEquals(FrameSink.DROP_NO_BUFFER, toDevice[0].accept(hdr, frame(1, 60), 0, 60, 1_000));
            assertFalse(toDevice[0].notifyWhenRoom(() -> { }), "the device's answer is passed on");
            assertEquals(FrameSink.OK, toDevice[0].accept(hdr, frame(1, 60), 0, 60, 2_000), "the same frame again");
            assertEquals(FrameSink.OK, toDevice[0].accept(hdr, frame(2, 60), 0, 60, 3_000), "the next frame");
            assertEquals(2, pcap.counters().delivered(), "recorded: frame 1 once, frame 2");
        }
        assertEquals(2, tshark("-r", file.toString(), "-T", "fields", "-e", "frame.number").size());
    }

    @Test
    void writerRefusesRecordsAfterClose() throws Exception {
        PcapWriter w = PcapWriter.open(dir.resolve("closed.pcap"), PcapWriter.Format.PCAP);
        w.close();
        w.close();
        assertThrows(IOException.class, () -> w.write(0, frame(0, 60), 0, 60));
    }

    @Test
    void pcapBackendRecordsBothDirectionsWithoutTheVirtioHeader() throws Exception {
        Path file = dir.resolve("loop.pcapng");
        PcapBackend backend = new PcapBackend(new LoopbackBackend(), PcapWriter.open(file, PcapWriter.Format.PCAPNG));
        try (GuestMemory guest = GuestMemory.allocate(8 << 20)) {
            VirtioNetDevice device = new VirtioNetDevice(guest, VirtioNetDevice.Config.defaults(), backend);
            VirtioNetDriver driver = VirtioNetDriver.attach(device, guest, VirtioNetDriver.Config.defaults());
            for (int k = 0; k < 10; k++) {
                int id = driver.txAcquire();
                MemorySegment.copy(frame(k, 100), 0, driver.region(), driver.txFrameOffset(id), 100);
                driver.txSubmit(id, 100, -1, 0);
                driver.flush();
                device.pollTx(1_000L * k, 64);
            }
            int[] received = new int[1];
            driver.receive((region, off, len, flags) -> received[0]++, 64);
            assertEquals(10, received[0]);
            device.setStatus(0);
        }
        backend.close();
        assertEquals(10, backend.counters().frames());
        assertEquals(10, backend.counters().delivered());
        String f = file.toString();
        assertEquals(20, tshark("-r", f, "-T", "fields", "-e", "frame.number").size());
        assertEquals(List.of(), tshark("-r", f, "-Y", "_ws.malformed"));
        assertEquals(List.of("100"), tshark("-r", f, "-T", "fields", "-e", "frame.len").stream().distinct().toList(),
                "Ethernet frames only, no 12-byte header");
        assertEquals(List.of("0x88b5"), tshark("-r", f, "-T", "fields", "-e", "eth.type").stream().distinct().toList());
    }
}
