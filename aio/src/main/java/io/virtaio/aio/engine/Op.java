package io.virtaio.aio.engine;

/**
 * What a {@link Request} does. These are the runtime's own operation codes, not aio.h's {@code LIO_} opcodes: the
 * façade maps {@code aio_read}, {@code pread}, {@code read} and the rest onto them.
 */
public final class Op {
    private Op() {
    }

    /** Reads at the request's offset ({@code aio_read}, {@code pread}); the offset is ignored when not seekable. */
    public static final int READ = 1;
    /** Writes at the request's offset ({@code aio_write}, {@code pwrite}), or at the end under O_APPEND. */
    public static final int WRITE = 2;
    /** Reads at the descriptor's file offset and advances it ({@code read}). */
    public static final int READ_SEQUENTIAL = 3;
    /** Writes at the descriptor's file offset and advances it ({@code write}). */
    public static final int WRITE_SEQUENTIAL = 4;
    /** Flushes data and metadata ({@code aio_fsync(O_SYNC)}, {@code fsync}); a barrier in its queue. */
    public static final int FSYNC = 5;
    /** Flushes data ({@code aio_fsync(O_DSYNC)}, {@code fdatasync}); a barrier in its queue. */
    public static final int FDATASYNC = 6;
    /** Takes a connection from a listening socket's accept queue. */
    public static final int ACCEPT = 7;
    /** Completes an active open. */
    public static final int CONNECT = 8;

    /** True for operations that move bytes into the request's buffer. */
    public static boolean readsIntoBuffer(int op) {
        return op == READ || op == READ_SEQUENTIAL;
    }

    /** True for operations that move bytes out of the request's buffer. */
    public static boolean writesFromBuffer(int op) {
        return op == WRITE || op == WRITE_SEQUENTIAL;
    }

    /** True for operations that no later request may overtake and that overtake nothing (aio_fsync, decision 7). */
    public static boolean isBarrier(int op) {
        return op == FSYNC || op == FDATASYNC;
    }

    public static String name(int op) {
        return switch (op) {
            case READ -> "READ";
            case WRITE -> "WRITE";
            case READ_SEQUENTIAL -> "READ_SEQUENTIAL";
            case WRITE_SEQUENTIAL -> "WRITE_SEQUENTIAL";
            case FSYNC -> "FSYNC";
            case FDATASYNC -> "FDATASYNC";
            case ACCEPT -> "ACCEPT";
            case CONNECT -> "CONNECT";
            default -> "OP(" + op + ")";
        };
    }
}
