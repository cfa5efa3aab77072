package io.virtaio.aio.channels;

import io.virtaio.aio.net.SocketCalls;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;

/** The JDK's standard socket options as the stack's (level, name, int value). */
final class Options {
    private Options() {
    }

    /** Options of a socket channel. */
    static final Set<SocketOption<?>> SOCKET = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_LINGER);
    /** Options of a server channel (inherited by the connections it accepts). */
    static final Set<SocketOption<?>> SERVER = Set.of(StandardSocketOptions.SO_RCVBUF);

    static int[] levelAndName(SocketOption<?> o, Set<SocketOption<?>> supported) {
        if (!supported.contains(o)) {
            throw new UnsupportedOperationException("'" + o + "' not supported");
        }
        if (o == StandardSocketOptions.TCP_NODELAY) {
            return new int[] {SocketCalls.IPPROTO_TCP, SocketCalls.TCP_NODELAY};
        }
        if (o == StandardSocketOptions.SO_KEEPALIVE) {
            return new int[] {SocketCalls.SOL_SOCKET, SocketCalls.SO_KEEPALIVE};
        }
        if (o == StandardSocketOptions.SO_SNDBUF) {
            return new int[] {SocketCalls.SOL_SOCKET, SocketCalls.SO_SNDBUF};
        }
        if (o == StandardSocketOptions.SO_RCVBUF) {
            return new int[] {SocketCalls.SOL_SOCKET, SocketCalls.SO_RCVBUF};
        }
        return new int[] {SocketCalls.SOL_SOCKET, SocketCalls.SO_LINGER};
    }

    static <T> int toInt(SocketOption<T> o, T value) {
        if (value == null) {
            throw new IllegalArgumentException("'" + o + "' needs a value");
        }
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        int v = (Integer) value;
        if ((o == StandardSocketOptions.SO_SNDBUF || o == StandardSocketOptions.SO_RCVBUF) && v < 0) {
            throw new IllegalArgumentException("negative buffer size: " + v);
        }
        return o == StandardSocketOptions.SO_LINGER && v < 0 ? -1 : v;
    }

    @SuppressWarnings("unchecked")
    static <T> T fromInt(SocketOption<T> o, int v) {
        if (o.type() == Boolean.class) {
            return (T) Boolean.valueOf(v != 0);
        }
        return (T) Integer.valueOf(v);
    }
}
