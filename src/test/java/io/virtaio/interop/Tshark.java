package io.virtaio.interop;

import io.virtaio.virtio.netns.CommandException;
import io.virtaio.virtio.netns.HostCommands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a capture back with tshark, checksum validation on for every protocol that has a switch for it
 * (ICMP always validates), and reports what a reviewer would look for: malformed frames, bad checksums, expert
 * warnings, TCP retransmissions ({@link CaptureReport}). Each question is one display filter, run as its own pass.
 */
final class Tshark {
    private Tshark() {
    }

    private static final List<String> VALIDATE = List.of(
            "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
            // The capture holds one host's view: no "previous segment not captured" guesses from a relative
            // sequence analysis that started mid-stream.
            "-o", "tcp.analyze_sequence_numbers:TRUE");

    /** A transport checksum that fails inside an ICMP error is in the quoted datagram, not the frame's own. */
    private static final String QUOTED_BAD = "icmp && (udp.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\")";
    static final String BAD_CHECKSUM = "ip.checksum.status == \"Bad\" || icmp.checksum.status == \"Bad\""
            + " || ((udp.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\") && !icmp)";
    static final String GOOD_CHECKSUM = "ip.checksum.status == \"Good\" || icmp.checksum.status == \"Good\""
            + " || udp.checksum.status == \"Good\" || tcp.checksum.status == \"Good\"";
    static final String WARNING = "_ws.expert.severity >= \"Warning\" && !(" + QUOTED_BAD + ")";

    /** The tshark binary, or null when it is not installed. */
    static Path binary() {
        return HostCommands.find("tshark");
    }

    static CaptureReport analyze(Path capture) throws CommandException {
        List<String> problems = new ArrayList<>();
        int malformed = count(capture, "_ws.malformed", problems, "malformed");
        int bad = count(capture, BAD_CHECKSUM, problems, "bad checksum");
        int warnings = count(capture, WARNING, problems, "warning");
        return new CaptureReport(count(capture, null, null, null),
                count(capture, "frame.packet_flags_direction == 1", null, null),
                count(capture, "frame.packet_flags_direction == 2", null, null),
                malformed, bad, count(capture, QUOTED_BAD, null, null), count(capture, GOOD_CHECKSUM, null, null),
                warnings, count(capture, "tcp.analysis.retransmission", null, null),
                count(capture, "tcp.analysis.fast_retransmission", null, null),
                count(capture, "tcp.analysis.lost_segment", null, null), problems);
    }

    /** Frames matching {@code filter} (all when null); their numbers and info go to {@code problems} if given. */
    static int count(Path capture, String filter, List<String> problems, String label) throws CommandException {
        List<String> argv = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString()));
        argv.addAll(VALIDATE);
        if (filter != null) {
            argv.addAll(List.of("-Y", filter));
        }
        argv.addAll(List.of("-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info"));
        String out = HostCommands.check(Duration.ofMinutes(5), argv);
        List<String> lines = out.isEmpty() ? List.of() : List.of(out.split("\n"));
        if (problems != null) {
            for (String line : lines) {
                problems.add(label + ": frame " + line.replace('\t', ' '));
            }
        }
        return lines.size();
    }
}
