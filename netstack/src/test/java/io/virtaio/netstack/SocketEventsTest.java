package io.virtaio.netstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SocketEventsTest {
    @Test
    void queuesEachSocketOnceInOrder() {
        SocketEvents events = new SocketEvents(8);
        Socket s1 = new TestSocket("s1", 1);
        Socket s2 = new TestSocket("s2", 2);
        events.offer(s2);
        events.offer(s1);
        events.offer(s2);
        assertEquals(2, events.size());
        assertSame(s2, events.poll());
        assertSame(s1, events.poll());
        assertNull(events.poll());
        assertTrue(events.isEmpty());
    }

    /** A socket closed while queued must not come out, and a new socket in its slot must not lose its event. */
    @Test
    void aReleasedSlotDropsItsEventAndItsNextOwnerKeepsTheirs() {
        StackContext ctx = new StackContext(StackConfig.of(1, 24), 0);
        Socket old = new TestSocket("old", 0);
        Socket other = new TestSocket("other", 1);
        assertEquals(0, ctx.allocateSlot(old));
        assertEquals(1, ctx.allocateSlot(other));
        ctx.ready(old);
        ctx.ready(other);
        ctx.releaseSlot(0);
        assertEquals(1, ctx.events().size());
        Socket reborn = new TestSocket("reborn", 0);
        assertEquals(0, ctx.allocateSlot(reborn));
        ctx.ready(reborn);
        ctx.ready(reborn);
        assertEquals(2, ctx.events().size());
        assertSame(reborn, ctx.events().poll());     // it took over the old socket's place
        assertSame(other, ctx.events().poll());
        assertNull(ctx.events().poll());
    }

    @Test
    void forgottenEntriesNeverOverflowTheRing() {
        SocketEvents events = new SocketEvents(2);
        Socket a = new TestSocket("a", 0);
        Socket b = new TestSocket("b", 1);
        for (int i = 0; i < 10; i++) {
            events.offer(a);
            events.offer(b);
            events.forget(0);
            events.forget(1);
        }
        assertTrue(events.isEmpty());
        events.offer(b);
        assertSame(b, events.poll());
        assertNull(events.poll());
    }

    private record TestSocket(String name, int slot) implements Socket {
        @Override public int readiness() { return 0; }
        @Override public int takeError() { return 0; }
        @Override public int bind(int address, int port) { return 0; }
        @Override public int localAddress() { return 0; }
        @Override public int localPort() { return 0; }
        @Override public int remoteAddress() { return 0; }
        @Override public int remotePort() { return 0; }
        @Override public int close() { return 0; }
        @Override public boolean isClosed() { return false; }
        @Override public Object attachment() { return null; }
        @Override public void attach(Object attachment) { }
        @Override public long id() { return slot; }
    }
}
