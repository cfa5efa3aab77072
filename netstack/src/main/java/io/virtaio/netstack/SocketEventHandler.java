package io.virtaio.netstack;

/** Receives sockets whose readiness may have changed; see {@link Stack#drainEvents}. */
@FunctionalInterface
public interface SocketEventHandler {
    /** @param readiness the socket's readiness bits at the time of the drain */
    void onEvent(Socket socket, int readiness);
}
