package io.virtaio.netstack.tcp;

import java.util.ArrayDeque;

/**
 * A listening socket's passive-open state (RFC 9293 §3.10.1 OPEN passive): its local address and port, the
 * backlog bound, the accept queue of established connections not yet accepted, and the count of its half-open
 * entries in the stack's {@link SynQueue}.
 */
final class Listener {
    final TcpSocket socket;
    final int localAddr;
    final int localPort;
    int backlog;
    final ArrayDeque<TcpSocket> acceptQueue = new ArrayDeque<>();
    int synCount;

    Listener(TcpSocket socket, int localAddr, int localPort, int backlog) {
        this.socket = socket;
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.backlog = backlog;
    }

    boolean acceptQueueFull() {
        return acceptQueue.size() >= backlog;
    }
}
