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
        return analyze(capture, List.of());
    }

    /**
     * Options that make tshark take the TCP payload of {@code port} as opaque data. On a port it has no dissector
     * for, tshark tries some 60 heuristic dissectors on every segment; on a random byte stream one of them now and
     * then bites, asks for TCP reassembly, and a later retransmission then "overlaps old data" — a malformed frame
     * that says nothing about ours (seen in one run of twenty).
     */
    static List<String> opaquePayload(int port) {
        return List.of("-d", "tcp.port==" + port + ",data");
    }

    /** {@link #analyze(Path)} with further tshark options (e.g. {@link #opaquePayload}). */
    static CaptureReport analyze(Path capture, List<String> options) throws CommandException {
        List<String> problems = new ArrayList<>();
        int malformed = count(capture, options, "_ws.malformed", problems, "malformed");
        int bad = count(capture, options, BAD_CHECKSUM, problems, "bad checksum");
        int warnings = count(capture, options, WARNING, problems, "warning");
        return new CaptureReport(count(capture, options, null, null, null),
                count(capture, options, "frame.packet_flags_direction == 1", null, null),
                count(capture, options, "frame.packet_flags_direction == 2", null, null),
                malformed, bad, count(capture, options, QUOTED_BAD, null, null),
                count(capture, options, GOOD_CHECKSUM, null, null), warnings,
                count(capture, options, "tcp.analysis.retransmission", null, null),
                count(capture, options, "tcp.analysis.fast_retransmission", null, null),
                count(capture, options, "tcp.analysis.lost_segment", null, null), problems);
    }

    /** Frames matching {@code filter} (all when null); their numbers and info go to {@code problems} if given. */
    static int count(Path capture, String filter, List<String> problems, String label) throws CommandException {
        return count(capture, List.of(), filter, problems, label);
    }

    /** {@link #count(Path, String, List, String)} with further tshark options. */
    static int count(Path capture, List<String> options, String filter, List<String> problems, String label)
            throws CommandException {
        List<String> argv = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString()));
        argv.addAll(VALIDATE);
        argv.addAll(options);
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
