package io.virtaio.netstack.ip;

import static io.virtaio.netstack.testing.Host.IP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import io.virtaio.netstack.testing.Host;
import io.virtaio.netstack.udp.UdpSocket;
import io.virtaio.netstack.wire.Ipv4Address;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two sockets of one stack talk through the loopback path: nothing reaches the device. */
class LoopbackTest {
    private static final int LOCALHOST = Ipv4Address.of(127, 0, 0, 1);

    private static byte[] recv(UdpSocket s) {
        byte[] buf = new byte[70_000];
        int n = s.recvFrom(MemorySegment.ofArray(buf), 0, buf.length);
        assertTrue(n >= 0, "received: " + Errno.name(n));
        return Arrays.copyOf(buf, n);
    }

    @Test
    void socketsOfOneStackTalkThroughItsOwnAddressAndLocalhost() {
        Host h = Host.create();
        UdpSocket a = h.stack.udpSocket();
        UdpSocket b = h.stack.udpSocket();
        assertEquals(0, a.bind(0, 1000));
        assertEquals(0, b.bind(0, 2000));
        byte[] ping = {1, 2, 3};
        assertEquals(3, a.sendTo(MemorySegment.ofArray(ping), 0, 3, IP, 2000));
        assertEquals(3, b.sendTo(MemorySegment.ofArray(ping), 0, 3, LOCALHOST, 1000));
        assertEquals(-Errno.EAGAIN, b.recvFrom(MemorySegment.ofArray(new byte[8]), 0, 8), "delivered by the poll");
        assertTrue(h.stack.hasPendingWork());
        assertEquals(Long.MAX_VALUE, h.poll(), "delivered, and nothing caused in turn");
        List<Socket> readable = new ArrayList<>();
        assertEquals(2, h.stack.drainEvents((socket, readiness) -> {
            assertEquals(Socket.POLLIN | Socket.POLLOUT, readiness);
            readable.add(socket);
        }));
        assertEquals(List.of(b, a), readable);
        assertFalse(h.stack.hasPendingWork());
        assertArrayEquals(ping, recv(b));
        assertEquals(IP, b.lastSourceAddress());
        assertEquals(1000, b.lastSourcePort());
        assertArrayEquals(ping, recv(a));
        assertEquals(LOCALHOST, a.lastSourceAddress(), "127/8 traffic comes from 127.0.0.1");
        assertTrue(h.sent().isEmpty(), "nothing on the wire");
        assertEquals(2, h.counter("ipv4.loopback.packets"));
        assertEquals(1, h.counter("eth.tx.frames"), "the start-up announcement only");
    }

    @Test
    void carriesDatagramsUpToTheLoopbackMtu() {
        Host h = Host.create();
        UdpSocket a = h.stack.udpSocket();
        UdpSocket b = h.stack.udpSocket();
        b.setOption(UdpSocket.SO_RCVBUF, 1 << 20);
        b.bind(0, 2000);
        byte[] big = new byte[LoopbackQueue.MTU - 28];
        Arrays.fill(big, (byte) 7);
        assertEquals(-Errno.EMSGSIZE, a.sendTo(MemorySegment.ofArray(new byte[big.length + 1]), 0, big.length + 1,
                LOCALHOST, 2000));
        assertEquals(big.length, a.sendTo(MemorySegment.ofArray(big), 0, big.length, LOCALHOST, 2000));
        h.poll();
        assertArrayEquals(big, recv(b));
    }

    @Test
    void aClosedLocalPortIsRefusedOverLoopbackToo() {
        Host h = Host.create();
        UdpSocket a = h.stack.udpSocket();
        assertEquals(0, a.connect(LOCALHOST, 3333));
        assertEquals(1, a.send(MemorySegment.ofArray(new byte[1]), 0, 1));
        assertEquals(h.now(), h.poll(), "the port unreachable it caused is queued for the next poll");
        assertEquals(0, a.readiness() & Socket.POLLERR);
        assertEquals(Long.MAX_VALUE, h.poll());
        assertEquals(Socket.POLLERR, a.readiness() & Socket.POLLERR);
        assertEquals(Errno.ECONNREFUSED, a.takeError());
    }

    @Test
    void aFullLoopbackQueueRefusesWithEnobufsUntilThePollDrainsIt() {
        Host h = Host.create();
        UdpSocket a = h.stack.udpSocket();
        UdpSocket b = h.stack.udpSocket();
        b.setOption(UdpSocket.SO_RCVBUF, 16 << 20);
        b.bind(0, 2000);
        MemorySegment big = MemorySegment.ofArray(new byte[60_000]);
        List<Integer> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            results.add(a.sendTo(big, 0, 60_000, IP, 2000));
        }
        assertEquals(List.of(60_000, 60_000, 60_000, 60_000, -Errno.ENOBUFS, -Errno.ENOBUFS), results);
        h.poll();
        assertEquals(4, b.queuedDatagrams());
        assertEquals(60_000, a.sendTo(big, 0, 60_000, IP, 2000));
    }
}
