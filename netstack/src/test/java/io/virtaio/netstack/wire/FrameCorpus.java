package io.virtaio.netstack.wire;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real frames in {@code src/test/resources/frames/}: one hex line per frame, each after a {@code #} comment
 * that describes it and, for TCP and UDP, tags its checksum as {@code [l4-checksum: valid]} or {@code partial}.
 */
final class FrameCorpus {
    static final List<String> FILES = List.of("linux-veth.hex", "linux-veth-tx-offload.hex");

    /** One frame: where it came from, what it is, its bytes and its L4 checksum tag (null if none). */
    record Frame(String file, String description, byte[] bytes, String l4Checksum) {
        @Override
        public String toString() {
            return file + " " + description;
        }
    }

    private static final Pattern TAG = Pattern.compile("\\[l4-checksum: (\\w+)]");

    private FrameCorpus() {}

    static List<Frame> all() {
        List<Frame> frames = new ArrayList<>();
        for (String file : FILES) {
            frames.addAll(load(file));
        }
        return frames;
    }

    static List<Frame> load(String file) {
        try (InputStream in = FrameCorpus.class.getResourceAsStream("/frames/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource frames/" + file);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            List<Frame> frames = new ArrayList<>();
            String comment = null;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                line = line.strip();
                if (line.startsWith("#")) {
                    comment = line.substring(1).strip();
                } else if (!line.isEmpty()) {
                    Matcher tag = TAG.matcher(comment == null ? "" : comment);
                    String l4Checksum = tag.find() ? tag.group(1) : null;
                    frames.add(new Frame(file, comment, HexFormat.of().parseHex(line), l4Checksum));
                    comment = null;
                }
            }
            return frames;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
