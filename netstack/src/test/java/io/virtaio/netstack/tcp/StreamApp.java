package io.virtaio.netstack.tcp;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import java.lang.foreign.MemorySegment;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * One side of a test connection: sends {@code toSend} bytes of a seeded pseudo-random stream, then shuts down
 * writing; reads everything until end of stream; SHA-256 of both directions for integrity checks.
 */
final class StreamApp {
    private static final int CHUNK = 64 * 1024;

    final TcpSocket socket;
    final long toSend;
    long sent;
    long received;
    boolean eof;
    boolean shut;
    boolean closeWhenDone;
    boolean closed;
    long doneAtNs = -1;
    /** When the connection was first seen established (the start of a goodput measurement). */
    long establishedAtNs = -1;
    int error;
    private final byte[] chunk = new byte[CHUNK];
    private final MemorySegment chunkSeg = MemorySegment.ofArray(chunk);
    private int chunkOff = CHUNK;
    private long rng;
    private final MessageDigest sentDigest;
    private final MessageDigest receivedDigest;
    private final byte[] rx = new byte[CHUNK];
    private final MemorySegment rxSeg = MemorySegment.ofArray(rx);

    StreamApp(TcpSocket socket, long toSend, long seed) {
        this.socket = socket;
        this.toSend = toSend;
        this.rng = seed | 1;
        try {
            sentDigest = MessageDigest.getInstance("SHA-256");
            receivedDigest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        socket.attach(this);
    }

    /** Reacts to a readiness event: write what fits, read what is there. */
    void onEvent(long nowNs) {
        if (closed) {
            return;
        }
        if (establishedAtNs < 0 && socket.state() != TcpState.SYN_SENT && socket.state() != TcpState.SYN_RECEIVED
                && socket.state() != TcpState.CLOSED) {
            establishedAtNs = nowNs;
        }
        int ready = socket.readiness();
        if ((ready & Socket.POLLERR) != 0) {
            error = socket.takeError();
            return;
        }
        while (sent < toSend) {
            if (chunkOff == CHUNK) {
                refill();
            }
            int want = (int) Math.min(CHUNK - chunkOff, toSend - sent);
            int n = socket.send(chunkSeg, chunkOff, want);
            if (n <= 0) {
                if (n != -Errno.EAGAIN && n != -Errno.ENOTCONN) {
                    error = -n;
                }
                break;
            }
            sentDigest.update(chunk, chunkOff, n);
            chunkOff += n;
            sent += n;
        }
        if (sent == toSend && !shut && socket.state() != TcpState.SYN_SENT) {
            shut = socket.shutdown(TcpSocket.SHUT_WR) == 0;
        }
        while (!eof) {
            int n = socket.recv(rxSeg, 0, rx.length);
            if (n > 0) {
                receivedDigest.update(rx, 0, n);
                received += n;
            } else if (n == 0) {
                eof = true;
            } else {
                if (n != -Errno.EAGAIN) {
                    error = -n;
                }
                break;
            }
        }
        if (eof && shut && doneAtNs < 0) {
            doneAtNs = nowNs;
            if (closeWhenDone) {
                socket.close();
                closed = true;
            }
        }
    }

    boolean done() {
        return eof && shut && sent == toSend;
    }

    private void refill() {
        for (int i = 0; i < CHUNK; i += 8) {
            rng ^= rng << 13;
            rng ^= rng >>> 7;
            rng ^= rng << 17;
            long v = rng;
            for (int k = 0; k < 8; k++) {
                chunk[i + k] = (byte) (v >>> (8 * k));
            }
        }
        chunkOff = 0;
    }

    byte[] sentHash() {
        return sentDigest.digest();
    }

    byte[] receivedHash() {
        return receivedDigest.digest();
    }

    static boolean sameHash(byte[] x, byte[] y) {
        return Arrays.equals(x, y);
    }
}
