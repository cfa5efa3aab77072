package io.virtaio.virtio.net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Frames for tests: numbered frames whose every byte depends on the number, and UDP/TCP over IPv4. */
final class TestFrames {
    private TestFrames() {
    }

    static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final int ETHERTYPE_TEST = 0x88B5;
    static final int IP = 14;
    static final int L4 = 34;

    /** Frame length of frame {@code k}: spread over [min, max], both ends included. */
    static int length(long k, int min, int max) {
        if (k % 97 == 0) {
            return max;
        }
        if (k % 89 == 0) {
            return min;
        }
        return min + (int) Math.floorMod(k * 7919, (long) (max - min + 1));
    }

    static byte pattern(long k, int i) {
        long x = (k + 1) * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L;
        return (byte) (x >>> 56);
    }

    /** Writes frame {@code k} of {@code length} bytes: a test Ethernet header, then bytes that depend on k. */
    static void write(MemorySegment s, long off, long k, int length) {
        s.set(BE32, off, 0x02000000);
        s.set(BE16, off + 4, (short) 0x0002);
        s.set(BE32, off + 6, 0x02000000);
        s.set(BE16, off + 10, (short) 0x0001);
        s.set(BE16, off + 12, (short) ETHERTYPE_TEST);
        for (int i = 14; i < length; i++) {
            s.set(ValueLayout.JAVA_BYTE, off + i, pattern(k, i));
        }
    }

    /** Null if the frame is frame {@code k} of the expected length, else what differs. */
    static String check(MemorySegment s, long off, int length, long k, int expectedLength) {
        if (length != expectedLength) {
            return "frame " + k + ": length " + length + ", expected " + expectedLength;
        }
        if (Short.toUnsignedInt(s.get(BE16, off + 12)) != ETHERTYPE_TEST) {
            return "frame " + k + ": wrong ethertype";
        }
        for (int i = 14; i < length; i++) {
            if (s.get(ValueLayout.JAVA_BYTE, off + i) != pattern(k, i)) {
                return "frame " + k + ": byte " + i + " differs";
            }
        }
        return null;
    }

    /**
     * Writes Ethernet + IPv4 + UDP (protocol 17) or TCP (6) with {@code payload} bytes of payload. The IPv4 header
     * checksum is complete; the transport checksum holds the pseudo-header sum only when {@code partial} (what a
     * driver sends with NEEDS_CSUM), else the complete checksum.
     *
     * @return the frame length
     */
    static int writeIpv4(MemorySegment s, long off, int protocol, int payload, boolean partial) {
        int l4Header = protocol == 6 ? 20 : 8;
        int l4Length = l4Header + payload;
        int ipLength = 20 + l4Length;
        s.set(BE32, off, 0x02000000);
        s.set(BE16, off + 4, (short) 0x0002);
        s.set(BE32, off + 6, 0x02000000);
        s.set(BE16, off + 10, (short) 0x0001);
        s.set(BE16, off + 12, (short) 0x0800);
        long ip = off + IP;
        s.set(BE16, ip, (short) 0x4500);
        s.set(BE16, ip + 2, (short) ipLength);
        s.set(BE32, ip + 4, 0x12344000);
        s.set(BE16, ip + 8, (short) ((64 << 8) | protocol));
        s.set(BE16, ip + 10, (short) 0);
        s.set(BE32, ip + 12, 0x0A000001);
        s.set(BE32, ip + 16, 0x0A000002);
        s.set(BE16, ip + 10, (short) InternetChecksum.checksum(s, ip, 20));
        long l4 = off + L4;
        s.set(BE16, l4, (short) 40000);
        s.set(BE16, l4 + 2, (short) 7);
        if (protocol == 6) {
            s.set(BE32, l4 + 4, 1);
            s.set(BE32, l4 + 8, 2);
            s.set(BE16, l4 + 12, (short) 0x5018);
            s.set(BE16, l4 + 14, (short) 65535);
            s.set(BE16, l4 + 18, (short) 0);
        } else {
            s.set(BE16, l4 + 4, (short) l4Length);
        }
        for (int i = 0; i < payload; i++) {
            s.set(ValueLayout.JAVA_BYTE, l4 + l4Header + i, (byte) (i * 13 + 7));
        }
        int field = checksumOffset(protocol);
        int pseudo = pseudoHeaderSum(s, off, protocol, l4Length);
        s.set(BE16, l4 + field, (short) pseudo);
        if (!partial) {
            int sum = InternetChecksum.checksum(s, l4, l4Length);
            s.set(BE16, l4 + field, (short) (sum == 0 ? 0xFFFF : sum));
        }
        return 14 + ipLength;
    }

    /** Offset of the checksum field from the transport header: TCP 16, UDP 6. */
    static int checksumOffset(int protocol) {
        return protocol == 6 ? 16 : 6;
    }

    static int pseudoHeaderSum(MemorySegment s, long off, int protocol, int l4Length) {
        int sum = InternetChecksum.partial(s, off + IP + 12, 8, 0);
        return InternetChecksum.add(sum, InternetChecksum.add(protocol, l4Length));
    }

    /** True iff the transport checksum of the IPv4 frame verifies (pseudo-header + segment sum to 0xFFFF). */
    static boolean transportChecksumOk(MemorySegment s, long off, int frameLength) {
        int protocol = s.get(ValueLayout.JAVA_BYTE, off + IP + 9);
        int l4Length = frameLength - L4;
        int sum = InternetChecksum.partial(s, off + L4, l4Length, pseudoHeaderSum(s, off, protocol, l4Length));
        return sum == 0xFFFF;
    }
}
