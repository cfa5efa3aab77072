package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.backend.PcapWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fault-annotated capture, read back by tshark. */
class CaptureTest {
    private static final Path TSHARK = Path.of("/usr/bin/tshark");
    static final long MS = 1_000_000;

    @TempDir
    Path dir;

    static List<String> tshark(String... args) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(TSHARK), "tshark reads the capture back");
        List<String> command = new ArrayList<>(List.of(TSHARK.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<String> lines = new ArrayList<>(List.of(out.split("\n", -1)));
        lines.removeLast();
        return lines;
    }

    @Test
    void everyFaultIsMarkedOnTheFrameItWasDoneTo() throws Exception {
        Path file = dir.resolve("faults.pcapng");
        // Frame numbers (tx#N): 1 passes, 2 lost, 3 duplicated, 4 delayed, 5 corrupted on the wire, 6 reordered
        // (overtaken by 7), 8 corrupted in a router, 9 into a down link — each by a rule on its tag.
        FaultPlan plan = FaultPlan.NONE
                .withRule(tag(2, Impairments.dropAll()))
                .withRule(tag(3, Impairments.NONE.withDuplication(new Duplication(1, Gap.NONE))))
                .withRule(tag(4, Impairments.NONE.withDelay(Delay.constant(1_200_000))))
                .withRule(tag(5, Impairments.NONE.withCorruption(Corruption.of(1))))
                .withRule(tag(6, Impairments.NONE.withReordering(new Reordering(1, Gap.frames(1)))))
                .withRule(tag(8, Impairments.NONE.withCorruption(new Corruption(1, 1, Corruption.Mode.PAYLOAD))))
                .withRule(tag(9, Impairments.NONE.withDown(Window.ALWAYS)));
        StageRig rig = new StageRig(plan, 3);
        try (PcapWriter w = PcapWriter.open(file, PcapWriter.Format.PCAPNG)) {
            rig.stage.capture(w);
            for (int i = 1; i <= 9; i++) {
                rig.runUntil(i * MS);
                rig.send(i * MS, Packets.udp(1000, 2000, 40, i));
            }
            rig.deliver(10 * MS, Packets.udp(2000, 1000, 40, 10));
            rig.runUntil(20 * MS);
        }
        String f = file.toString();
        assertEquals(List.of(), tshark("-r", f, "-Y", "_ws.malformed"));
        List<String> rows = tshark("-r", f, "-T", "fields", "-E", "separator=|", "-e", "frame.time_epoch",
                "-e", "frame.packet_flags_direction", "-e", "frame.packet_flags_crc_error", "-e", "frame.comment");
        List<String> comments = rows.stream().map(r -> r.substring(r.lastIndexOf('|') + 1)).toList();
        List<String> flips = new ArrayList<>();
        for (FaultEvent e : rig.stage.events()) {
            if (e.kind() == FaultKind.CORRUPT) {
                flips.add("corrupt byte " + e.a() + " bit " + e.b());
            }
        }
        assertEquals(List.of(
                "",
                "tx#2 fault: DROPPED (loss)",
                "",
                "tx#3 fault: duplicate of tx#3",
                "tx#5 fault: " + flips.get(0) + "; DROPPED (bad FCS)",
                "tx#4 fault: delayed 1.200 ms",
                "",
                "tx#6 fault: reordered (held for 1 frames)",
                "tx#8 fault: " + flips.get(1),
                "tx#9 fault: DROPPED (down)",
                ""), comments);
        assertEquals("1", rows.get(4).split("\\|")[2], "the FCS-dropped frame carries the CRC error flag");
        assertEquals("0", rows.get(5).split("\\|")[2], "the others do not");
        assertTrue(rows.get(5).startsWith("0.005200000|"), "the delayed frame is recorded when it leaves: "
                + rows.get(5));
        assertEquals(1, Integer.decode(rows.getLast().split("\\|")[1]), "ingress frames are inbound");
        assertEquals(2, Integer.decode(rows.getFirst().split("\\|")[1]), "egress frames are outbound");
    }

    /** A rule matching the frame whose tag is {@code tag}. */
    static FaultRule tag(int tag, Impairments imp) {
        return FaultRule.when("tag " + tag, v -> v.byteAt(11) == tag && v.byteAt(10) == 0, imp);
    }

    @Test
    void aFailingWriterStopsTheCaptureNotTheTraffic() throws Exception {
        Path file = dir.resolve("closed.pcapng");
        PcapWriter w = PcapWriter.open(file, PcapWriter.Format.PCAPNG);
        w.close();
        StageRig rig = new StageRig("delay=1ms", 1);
        rig.stage.capture(w);
        rig.send(0, Packets.raw(60, 1));
        rig.runUntil(2 * MS);
        assertEquals(1, rig.inner.out.frames.size());
        assertTrue(rig.stage.captureFailure() != null);
    }
}
