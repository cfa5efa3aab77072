package io.virtaio.bench;

import io.virtaio.aio.node.Nodes;
import io.virtaio.netstack.Errno;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.host.VirtioHost;
import io.virtaio.netstack.tcp.TcpConfig;
import io.virtaio.netstack.tcp.TcpSocket;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.virtio.backend.LinkModel;
import io.virtaio.virtio.backend.Wire;
import io.virtaio.virtio.net.VirtioNetDevice;
import io.virtaio.virtio.net.VirtioNetDriver;

/**
 * The start of the stack-level benchmarks: two {@link VirtioHost}s joined by {@code Wire.create(LinkModel.UNLIMITED)}
 * (a at {@link #IP_A}, b at {@link #IP_B}), a listener on b at {@link #PORT}, and a client socket on a whose SYN is
 * queued. Nothing has polled the hosts yet: the caller's loops (or the benchmark thread) complete the handshake and
 * accept.
 */
final class WiredTcp {
    static final int PORT = 5001;
    static final int IP_A = Ipv4Address.of(10, 7, 0, 1);
    static final int IP_B = Ipv4Address.of(10, 7, 0, 2);

    final VirtioHost a;
    final VirtioHost b;
    final TcpSocket listener;
    final TcpSocket client;

    /**
     * @param device  both devices' configuration (each gets its own MAC)
     * @param driver  both drivers' configuration
     * @param tcp     both stacks' TCP
     * @param noDelay TCP_NODELAY on the client
     */
    WiredTcp(VirtioNetDevice.Config device, VirtioNetDriver.Config driver, TcpConfig tcp, boolean noDelay) {
        Wire wire = Wire.create(LinkModel.UNLIMITED);
        long now = System.nanoTime();
        a = new VirtioHost(device.withMac(Nodes.macFor(IP_A)), driver, StackConfig.of(IP_A, 24).withTcp(tcp),
                wire.a(), now);
        b = new VirtioHost(device.withMac(Nodes.macFor(IP_B)), driver, StackConfig.of(IP_B, 24).withTcp(tcp),
                wire.b(), now);
        listener = b.stack().tcpSocket();
        check(listener.bind(0, PORT), "bind");
        check(listener.listen(1), "listen");
        client = a.stack().tcpSocket();
        if (noDelay) {
            check(client.setOption(TcpSocket.TCP_NODELAY, 1), "setsockopt");
        }
        if (client.connect(IP_B, PORT) != -Errno.EINPROGRESS) {
            throw new IllegalStateException("stack: connect failed");
        }
    }

    /** Fails with the errno's name when a socket call returned one. */
    static void check(int rc, String what) {
        if (rc < 0) {
            throw new IllegalStateException("stack: " + what + " failed: " + Errno.name(-rc));
        }
    }
}
