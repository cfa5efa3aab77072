package io.virtaio.virtio.fault;

import io.virtaio.virtio.net.InternetChecksum;
import io.virtaio.virtio.net.VirtioNet;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Frames for fault tests. Every frame carries a 32-bit tag in the low four bytes of its source MAC (bytes 8..11),
 * so a test can tell frames apart whatever their protocol; payload-mode corruption never touches it.
 */
final class Packets {
    private Packets() {
    }

    static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final int A = 0x0A000001;
    static final int B = 0x0A000002;

    private static MemorySegment ethernet(int length, int tag, int etherType) {
        MemorySegment f = MemorySegment.ofArray(new byte[length]);
        f.set(BE32, 0, 0x02000000);
        f.set(BE16, 4, (short) 0x0002);
        f.set(BE16, 6, (short) 0x0200);
        f.set(BE32, 8, tag);
        f.set(BE16, 12, (short) etherType);
        return f;
    }

    static int tag(MemorySegment frame, long off) {
        return frame.get(BE32, off + 8);
    }

    /** The frame's tag, or -1 for a frame too short to carry one. */
    static int tag(byte[] frame) {
        return frame.length < 12 ? -1 : tag(MemorySegment.ofArray(frame), 0);
    }

    /** A non-IP frame (EtherType 0x88B5) of {@code length} bytes; the payload depends on the tag. */
    static byte[] raw(int length, int tag) {
        MemorySegment f = ethernet(length, tag, 0x88B5);
        for (int i = 14; i < length; i++) {
            f.set(ValueLayout.JAVA_BYTE, i, (byte) (tag * 31 + i));
        }
        return f.toArray(ValueLayout.JAVA_BYTE);
    }

    private static MemorySegment ipv4(int tag, int protocol, int src, int dst, int l4Length) {
        MemorySegment f = ethernet(34 + l4Length, tag, 0x0800);
        f.set(BE16, 14, (short) 0x4500);
        f.set(BE16, 16, (short) (20 + l4Length));
        f.set(BE32, 18, (tag & 0xFFFF) << 16 | 0x4000);
        f.set(BE16, 22, (short) ((64 << 8) | protocol));
        f.set(BE32, 26, src);
        f.set(BE32, 30, dst);
        f.set(BE16, 24, (short) InternetChecksum.checksum(f, 14, 20));
        return f;
    }

    private static int pseudo(MemorySegment f, int protocol, int l4Length) {
        int sum = InternetChecksum.partial(f, 26, 8, 0);
        return InternetChecksum.add(sum, InternetChecksum.add(protocol, l4Length));
    }

    /** UDP from src:sport to dst:dport with {@code payload} bytes; complete checksum, or the pseudo sum if partial. */
    static byte[] udp(int src, int sport, int dst, int dport, int payload, int tag, boolean partial) {
        int l4 = 8 + payload;
        MemorySegment f = ipv4(tag, 17, src, dst, l4);
        f.set(BE16, 34, (short) sport);
        f.set(BE16, 36, (short) dport);
        f.set(BE16, 38, (short) l4);
        for (int i = 0; i < payload; i++) {
            f.set(ValueLayout.JAVA_BYTE, 42 + i, (byte) (tag + i * 7));
        }
        int p = pseudo(f, 17, l4);
        f.set(BE16, 40, (short) p);
        if (!partial) {
            int sum = InternetChecksum.checksum(f, 34, l4);
            f.set(BE16, 40, (short) (sum == 0 ? 0xFFFF : sum));
        }
        return f.toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] udp(int sport, int dport, int payload, int tag) {
        return udp(A, sport, B, dport, payload, tag, false);
    }

    /** UDP with a zero checksum field: no checksum (RFC 768). */
    static byte[] udpWithoutChecksum(int payload, int tag) {
        byte[] b = udp(A, 1000, B, 2000, payload, tag, false);
        b[40] = 0;
        b[41] = 0;
        return b;
    }

    /** TCP from src:sport to dst:dport, complete checksum. */
    static byte[] tcp(int src, int sport, int dst, int dport, long seq, int flags, int payload, int tag) {
        int l4 = 20 + payload;
        MemorySegment f = ipv4(tag, 6, src, dst, l4);
        f.set(BE16, 34, (short) sport);
        f.set(BE16, 36, (short) dport);
        f.set(BE32, 38, (int) seq);
        f.set(BE32, 42, 1);
        f.set(ValueLayout.JAVA_BYTE, 46, (byte) 0x50);
        f.set(ValueLayout.JAVA_BYTE, 47, (byte) flags);
        f.set(BE16, 48, (short) 65535);
        for (int i = 0; i < payload; i++) {
            f.set(ValueLayout.JAVA_BYTE, 54 + i, (byte) (tag + i * 13));
        }
        f.set(BE16, 50, (short) pseudo(f, 6, l4));
        int sum = InternetChecksum.checksum(f, 34, l4);
        f.set(BE16, 50, (short) sum);
        return f.toArray(ValueLayout.JAVA_BYTE);
    }

    /** ICMP echo request. */
    static byte[] ping(int payload, int tag) {
        int l4 = 8 + payload;
        MemorySegment f = ipv4(tag, 1, A, B, l4);
        f.set(ValueLayout.JAVA_BYTE, 34, (byte) 8);
        f.set(BE16, 38, (short) 7);
        f.set(BE16, 40, (short) tag);
        for (int i = 0; i < payload; i++) {
            f.set(ValueLayout.JAVA_BYTE, 42 + i, (byte) i);
        }
        f.set(BE16, 36, (short) InternetChecksum.checksum(f, 34, l4));
        return f.toArray(ValueLayout.JAVA_BYTE);
    }

    /** A virtio-net header with no flags. */
    static byte[] plainHeader() {
        return new byte[VirtioNet.HDR_SIZE];
    }

    /** A header asking for the transport checksum to be completed (NEEDS_CSUM) at csum_start 34. */
    static byte[] needsCsumHeader(int protocol) {
        MemorySegment h = MemorySegment.ofArray(new byte[VirtioNet.HDR_SIZE]);
        h.set(ValueLayout.JAVA_BYTE, VirtioNet.HDR_FLAGS, (byte) VirtioNet.HDR_F_NEEDS_CSUM);
        h.set(VirtioNet.LE16, VirtioNet.HDR_CSUM_START, (short) 34);
        h.set(VirtioNet.LE16, VirtioNet.HDR_CSUM_OFFSET, (short) (protocol == 6 ? 16 : 6));
        return h.toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * True iff a receiver would take the frame's IPv4 packet as intact: version 4, header and total lengths that fit
     * (RFC 1122 §3.2.1.1-2), the header checksum and the transport checksum (if any) verify.
     */
    static boolean checksumsVerify(byte[] frame) {
        MemorySegment f = MemorySegment.ofArray(frame);
        int ihl = (frame[14] & 0x0F) * 4;
        int total = Short.toUnsignedInt(f.get(BE16, 16));
        if ((frame[14] & 0xF0) != 0x40 || ihl < 20 || total < ihl || 14 + total > frame.length) {
            return false;
        }
        if (InternetChecksum.partial(f, 14, ihl, 0) != 0xFFFF) {
            return false;
        }
        int protocol = frame[23] & 0xFF;
        int l4 = 14 + ihl;
        int l4Length = total - ihl;
        if (protocol == 1) {
            return InternetChecksum.partial(f, l4, l4Length, 0) == 0xFFFF;
        }
        if (protocol == 17 && f.get(BE16, l4 + 6) == 0) {
            return true;
        }
        int sum = InternetChecksum.partial(f, 26, 8, 0);
        sum = InternetChecksum.add(sum, InternetChecksum.add(protocol, l4Length));
        return InternetChecksum.partial(f, l4, l4Length, sum) == 0xFFFF;
    }
}
