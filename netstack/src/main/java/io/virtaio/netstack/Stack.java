package io.virtaio.netstack;

import io.virtaio.netstack.link.NetDevice;
import io.virtaio.netstack.tcp.TcpSocket;
import io.virtaio.netstack.udp.UdpSocket;
import java.util.Map;

/**
 * One IPv4 host: an interface on a {@link NetDevice} with ARP, IPv4, ICMP, UDP and TCP, driven by polling.
 *
 * <p>Thread: one at a time, the loop that polls it (or the simulator). {@code poll(nowNs)} receives frames, fires
 * due timers, sends pending output and flushes the device, and returns when it next needs to run. There is no
 * thread, sleep, clock or unseeded randomness inside: time comes in through {@code nowNs}, randomness from
 * {@link StackConfig#seed()}.
 *
 * <p>API CONTRACT SKELETON — implemented by the stack work; the signatures and semantics below are binding.
 */
public final class Stack implements AutoCloseable {

    /** A stack on {@code device}; sends a gratuitous ARP at its first poll. */
    public Stack(NetDevice device, StackConfig config, long startNs) {
        throw new UnsupportedOperationException("stack not implemented yet");
    }

    /**
     * Does the work due at {@code nowNs}: received frames (up to the configured budget), timers, pending output,
     * device flush, device recovery after a reset.
     *
     * @return the next time it needs to run (absolute, same clock), {@code nowNs} or earlier if work remains now,
     *     or {@link Long#MAX_VALUE} if only an external event (a frame, a call) can create work
     */
    public long poll(long nowNs) {
        throw new UnsupportedOperationException("stack not implemented yet");
    }

    /** Sends pending output (after socket calls made between polls) and flushes the device; cheaper than poll. */
    public void flush(long nowNs) {
        throw new UnsupportedOperationException("stack not implemented yet");
    }

    /** True if a poll now would find work (socket events or output pending). */
    public boolean hasPendingWork() {
        throw new UnsupportedOperationException("stack not implemented yet");
    }

    /** A new TCP socket, or null when the socket table is full. */
    public TcpSocket tcpSocket() {
        throw new UnsupportedOperationException("stack not implemented yet");
    }

    /** A new UDP socket, or null when the socket table is full. */
    public UdpSocket udpSocket() {
        throw new UnsupportedOperationException("stack not implemented yet");
    }

    /** Hands every socket whose readiness may have changed to {@code handler}, once each; returns how many. */
    public int drainEvents(SocketEventHandler handler) {
        throw new UnsupportedOperationException("stack not implemented yet");
    }

    /** Sends an ICMP echo request (ping); replies reach the listener set with {@link #onEchoReply}. 0 or -errno. */
    public int ping(int dst, int ident, int seq, int payloadLength) {
        throw new UnsupportedOperationException("stack not implemented yet");
    }

    /** Called for each echo reply: (from, ident, seq, payloadLength). */
    public void onEchoReply(EchoListener listener) {
        throw new UnsupportedOperationException("stack not implemented yet");
    }

    /** An ICMP echo reply addressed to this stack. */
    @FunctionalInterface
    public interface EchoListener {
        void onReply(int from, int ident, int seq, int payloadLength, long nowNs);
    }

    public int address() {
        throw new UnsupportedOperationException("stack not implemented yet");
    }

    public StackConfig config() {
        throw new UnsupportedOperationException("stack not implemented yet");
    }

    public NetDevice device() {
        throw new UnsupportedOperationException("stack not implemented yet");
    }

    /** Every counter of the stack, its layers and its device, by name. */
    public Map<String, Long> counters() {
        throw new UnsupportedOperationException("stack not implemented yet");
    }

    /** Aborts every socket and releases all buffers. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("stack not implemented yet");
    }
}
