package io.virtaio.netstack.wire;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded random and mutated inputs through every parser. Each input is a slice of exactly its length at a random
 * offset of a larger array, so any access outside it throws {@link IndexOutOfBoundsException} and fails the test;
 * so does any other exception.
 */
class RandomInputTest {
    private static final int INPUTS = 100_000;
    private static final int MAX_LENGTH = 1600;

    @Test
    void randomBytesNeverBreakAParser() {
        SplittableRandom random = new SplittableRandom(0x5EED_0001L);
        ParseAll all = new ParseAll();
        byte[] backing = new byte[MAX_LENGTH + 64];
        for (int i = 0; i < INPUTS; i++) {
            int length = random.nextInt(MAX_LENGTH + 1);
            int offset = random.nextInt(64);
            random.nextBytes(backing);
            run(all, MemorySegment.ofArray(backing).asSlice(offset, length), i);
        }
        assertTrue(all.reached(ParseAll.Reached.ETHERNET) > INPUTS / 2);
        assertTrue(all.reached(ParseAll.Reached.TCP) > 1000, "random TCP headers pass check() often");
        assertTrue(all.reached(ParseAll.Reached.TCP_BAD_OPTIONS) > 100);
    }

    /** Real frames with a few random edits, so that inputs get past check() and into every deeper parser. */
    @Test
    void mutatedRealFramesNeverBreakAParser() {
        List<FrameCorpus.Frame> corpus = FrameCorpus.all();
        SplittableRandom random = new SplittableRandom(0x5EED_0002L);
        ParseAll all = new ParseAll();
        byte[] backing = new byte[MAX_LENGTH + 64];
        for (int i = 0; i < INPUTS; i++) {
            byte[] frame = corpus.get(random.nextInt(corpus.size())).bytes();
            int length = Math.min(frame.length, MAX_LENGTH);
            int offset = random.nextInt(64);
            System.arraycopy(frame, 0, backing, offset, length);
            for (int edits = 1 + random.nextInt(4); edits > 0; edits--) {
                switch (random.nextInt(6)) {
                    case 0 -> backing[offset + random.nextInt(Math.max(length, 1))] = (byte) random.nextInt();
                    case 1 -> backing[offset + random.nextInt(Math.max(length, 1))] ^= (byte) (1 << random.nextInt(8));
                    case 2 -> length = random.nextInt(length + 1);
                    case 3 -> {
                        int more = random.nextInt(MAX_LENGTH - length + 1);
                        for (int k = 0; k < more; k++) {
                            backing[offset + length + k] = (byte) random.nextInt();
                        }
                        length += more;
                    }
                    // A header byte of the transport layer or its options, where the interesting fields are.
                    case 4 -> backing[offset + Math.min(34 + random.nextInt(60), Math.max(length - 1, 0))] =
                            (byte) random.nextInt();
                    default -> backing[offset + Math.min(14 + random.nextInt(20), Math.max(length - 1, 0))] =
                            (byte) random.nextInt();
                }
            }
            run(all, MemorySegment.ofArray(backing).asSlice(offset, length), i);
        }
        for (ParseAll.Reached r : ParseAll.Reached.values()) {
            assertTrue(all.reached(r) > 100, r + " reached only " + all.reached(r) + " times");
        }
    }

    private static void run(ParseAll all, MemorySegment input, int index) {
        try {
            all.everyView(input);
            all.frame(input);
        } catch (RuntimeException | AssertionError e) {
            fail("input " + index + " (" + input.byteSize() + " bytes) broke a parser: "
                    + HexFormat.of().formatHex(input.toArray(ValueLayout.JAVA_BYTE)), e);
        }
    }
}
