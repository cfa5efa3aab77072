package io.virtaio.virtio.backend;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes Ethernet frames to a capture file that Wireshark and tcpdump read: classic libpcap with nanosecond
 * timestamps, or pcapng with per-frame direction and comments.
 *
 * <p>Timestamps are the {@code nowNs} the caller gives (virtual or real), so the same frames at the same times give
 * the same bytes: no host name, no wall clock, no OS string in the file. Everything is written little-endian.
 * Records go into a buffer that is drained to the channel when full and by {@link #flush()} / {@link #close()}.
 *
 * <p>Thread-safe (each record is written under the writer's lock), so both directions of a device, driven by
 * different threads, can share one file. A capture is a diagnostic: the lock is not on any path that runs
 * without capture.
 */
public final class PcapWriter implements AutoCloseable {
    /** The file format. */
    public enum Format {
        /** libpcap 2.4, magic 0xa1b23c4d (nanosecond timestamps), linktype 1 (Ethernet). */
        PCAP,
        /** pcapng: one section, one Ethernet interface with if_tsresol 9 (ns), enhanced packet blocks. */
        PCAPNG
    }

    /** Direction of a frame relative to the captured device (pcapng epb_flags bits 0-1); unknown = 0. */
    public static final int DIRECTION_UNKNOWN = 0;
    public static final int INBOUND = 1;
    public static final int OUTBOUND = 2;
    /**
     * pcapng epb_flags bit 24, a link-layer-dependent error: the frame arrived with a bad CRC (FCS). OR it into the
     * flags of {@link #write(long, MemorySegment, long, int, int, byte[], int)}; Wireshark shows it as
     * {@code frame.packet_flags_crc_error}.
     */
    public static final int FLAG_CRC_ERROR = 1 << 24;
    /** The epb_flags bits a caller may set: direction and the CRC error. */
    private static final int KNOWN_FLAGS = INBOUND | OUTBOUND | FLAG_CRC_ERROR;

    /** Bytes kept of each frame (tcpdump's default); longer frames are truncated, their length recorded. */
    public static final int SNAPLEN = 262_144;

    private static final int PCAP_MAGIC_NS = 0xa1b23c4d;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int SHB = 0x0A0D0D0A;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int IDB = 1;
    private static final int EPB = 6;
    private static final int OPT_ENDOFOPT = 0;
    private static final int OPT_COMMENT = 1;
    private static final int EPB_FLAGS = 2;
    private static final int IF_TSRESOL = 9;
    /** An option's length is a u16. */
    private static final int MAX_COMMENT = 0xFFFF;

    private final WritableByteChannel channel;
    private final Format format;
    private final ByteBuffer buffer;
    private final MemorySegment bufferSegment;
    private boolean closed;

    /** Opens (creating or truncating) {@code path} and writes the file header. */
    public static PcapWriter open(Path path, Format format) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            return new PcapWriter(channel, format);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Writes the file header to {@code channel}; the writer owns the channel from now on. */
    public PcapWriter(WritableByteChannel channel, Format format) throws IOException {
        if (channel == null || format == null) {
            throw new IllegalArgumentException("channel and format are required");
        }
        this.channel = channel;
        this.format = format;
        this.buffer = ByteBuffer.allocate(2 * SNAPLEN).order(ByteOrder.LITTLE_ENDIAN);
        this.bufferSegment = MemorySegment.ofBuffer(buffer);
        if (format == Format.PCAP) {
            writePcapHeader();
        } else {
            writeSectionAndInterface();
        }
    }

    private void writePcapHeader() {
        buffer.putInt(PCAP_MAGIC_NS);
        buffer.putShort((short) 2);
        buffer.putShort((short) 4);
        buffer.putInt(0);               // thiszone: timestamps are UTC
        buffer.putInt(0);               // sigfigs
        buffer.putInt(SNAPLEN);
        buffer.putInt(LINKTYPE_ETHERNET);
    }

    private void writeSectionAndInterface() {
        // Section Header Block, no options.
        buffer.putInt(SHB);
        buffer.putInt(28);
        buffer.putInt(BYTE_ORDER_MAGIC);
        buffer.putShort((short) 1);
        buffer.putShort((short) 0);
        buffer.putLong(-1);             // section length unknown
        buffer.putInt(28);
        // Interface Description Block: Ethernet, if_tsresol = 9 (timestamps in nanoseconds).
        buffer.putInt(IDB);
        buffer.putInt(32);
        buffer.putShort((short) LINKTYPE_ETHERNET);
        buffer.putShort((short) 0);
        buffer.putInt(SNAPLEN);
        buffer.putShort((short) IF_TSRESOL);
        buffer.putShort((short) 1);
        buffer.putInt(9);               // value 9, then 3 bytes of padding (little-endian: 09 00 00 00)
        buffer.putShort((short) OPT_ENDOFOPT);
        buffer.putShort((short) 0);
        buffer.putInt(32);
    }

    public Format format() {
        return format;
    }

    /** Records one frame with no direction and no comment. */
    public void write(long timestampNs, MemorySegment frame, long offset, int length) throws IOException {
        write(timestampNs, frame, offset, length, DIRECTION_UNKNOWN, null);
    }

    /**
     * Records one frame.
     *
     * @param direction {@link #INBOUND}, {@link #OUTBOUND} or {@link #DIRECTION_UNKNOWN}; pcapng only
     * @param comment   a per-frame comment (pcapng opt_comment), e.g. to mark an injected fault; null for none;
     *                  ignored by the libpcap format, which has no place for it
     * @throws IOException if draining the buffer to the channel fails, or the writer is closed
     */
    public void write(long timestampNs, MemorySegment frame, long offset, int length, int direction,
                      String comment) throws IOException {
        if (direction < 0 || direction > OUTBOUND) {
            throw new IllegalArgumentException("bad record: direction " + direction);
        }
        byte[] commentBytes = format == Format.PCAPNG && comment != null
                ? comment.getBytes(StandardCharsets.UTF_8) : null;
        write(timestampNs, frame, offset, length, direction, commentBytes,
                commentBytes == null ? 0 : commentBytes.length);
    }

    /**
     * Records one frame with epb_flags and a comment given as UTF-8 bytes, allocating nothing: for recorders on a
     * per-frame path (a fault stage marks the frames it touched).
     *
     * @param flags         {@link #INBOUND} or {@link #OUTBOUND} (or neither), optionally OR {@link #FLAG_CRC_ERROR};
     *                      pcapng only
     * @param comment       the comment's UTF-8 bytes in {@code comment[0, commentLength)}; null for none; ignored by
     *                      the libpcap format
     * @param commentLength bytes of {@code comment} used
     * @throws IOException if draining the buffer to the channel fails, or the writer is closed
     */
    public synchronized void write(long timestampNs, MemorySegment frame, long offset, int length, int flags,
                                   byte[] comment, int commentLength) throws IOException {
        if (closed) {
            throw new IOException("pcap writer closed");
        }
        if (length < 0 || (flags & ~KNOWN_FLAGS) != 0 || (flags & (INBOUND | OUTBOUND)) == (INBOUND | OUTBOUND)) {
            throw new IllegalArgumentException("bad record: length " + length + ", flags 0x"
                    + Integer.toHexString(flags));
        }
        if (comment != null && (commentLength < 0 || commentLength > comment.length)) {
            throw new IllegalArgumentException("comment length " + commentLength + " outside its " + comment.length
                    + "-byte array");
        }
        if (commentLength > MAX_COMMENT) {
            throw new IllegalArgumentException("comment of " + commentLength + " bytes exceeds an option's "
                    + MAX_COMMENT);
        }
        int captured = Math.min(length, SNAPLEN);
        int commentBytes = format == Format.PCAPNG && comment != null ? commentLength : -1;
        int recordSize = format == Format.PCAP ? 16 + captured
                : 32 + pad4(captured) + optionsSize(flags, commentBytes);
        if (buffer.remaining() < recordSize) {
            drain();
        }
        if (format == Format.PCAP) {
            buffer.putInt((int) Math.floorDiv(timestampNs, 1_000_000_000L));
            buffer.putInt((int) Math.floorMod(timestampNs, 1_000_000_000L));
            buffer.putInt(captured);
            buffer.putInt(length);
            putFrame(frame, offset, captured);
            return;
        }
        buffer.putInt(EPB);
        buffer.putInt(recordSize);
        buffer.putInt(0);                               // interface id
        buffer.putInt((int) (timestampNs >>> 32));      // timestamp in if_tsresol units (ns), high word first
        buffer.putInt((int) timestampNs);
        buffer.putInt(captured);
        buffer.putInt(length);
        putFrame(frame, offset, captured);
        putPadding(pad4(captured) - captured);
        if (flags != 0 || commentBytes >= 0) {
            if (commentBytes >= 0) {
                buffer.putShort((short) OPT_COMMENT);
                buffer.putShort((short) commentBytes);
                buffer.put(comment, 0, commentBytes);
                putPadding(pad4(commentBytes) - commentBytes);
            }
            if (flags != 0) {
                buffer.putShort((short) EPB_FLAGS);
                buffer.putShort((short) 4);
                buffer.putInt(flags);
            }
            buffer.putShort((short) OPT_ENDOFOPT);
            buffer.putShort((short) 0);
        }
        buffer.putInt(recordSize);
    }

    /** Bytes of an EPB's options: a comment of {@code commentLength} bytes (-1: none) and the flags if any. */
    private static int optionsSize(int flags, int commentLength) {
        if (flags == 0 && commentLength < 0) {
            return 0;
        }
        int size = 4;                                   // opt_endofopt
        if (commentLength >= 0) {
            size += 4 + pad4(commentLength);
        }
        if (flags != 0) {
            size += 8;
        }
        return size;
    }

    private static int pad4(int n) {
        return (n + 3) & ~3;
    }

    private void putFrame(MemorySegment frame, long offset, int length) {
        MemorySegment.copy(frame, offset, bufferSegment, buffer.position(), length);
        buffer.position(buffer.position() + length);
    }

    private void putPadding(int n) {
        for (int i = 0; i < n; i++) {
            buffer.put((byte) 0);
        }
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    /** Writes out everything recorded so far. */
    public synchronized void flush() throws IOException {
        if (!closed) {
            drain();
        }
    }

    /** Flushes and closes the channel. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            drain();
        } finally {
            channel.close();
        }
    }
}
