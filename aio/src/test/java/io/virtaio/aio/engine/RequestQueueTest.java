package io.virtaio.aio.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The intrusive request queue: FIFO within a priority, priority order, barriers, removal from the middle. */
class RequestQueueTest {
    private static final Engine ENGINE = new Engine(new Limits(16, 16, 20, 64, 32));

    private static Request request(String name, int op, int priority) {
        Request r = new Request(name);
        assertTrue(r.claim());
        r.prepare(ENGINE, op, null, 0, 0, priority);
        return r;
    }

    private static List<Object> drain(RequestQueue q) {
        List<Object> out = new ArrayList<>();
        Request r;
        while ((r = q.poll()) != null) {
            out.add(r.owner());
        }
        return out;
    }

    @Test
    void fifoWithinAPriorityAndUrgentFirst() {
        RequestQueue q = new RequestQueue();
        q.addByPriority(request("a5", Op.WRITE, 5));
        q.addByPriority(request("b5", Op.WRITE, 5));
        q.addByPriority(request("c0", Op.WRITE, 0));
        q.addByPriority(request("d5", Op.READ, 5));
        q.addByPriority(request("e0", Op.READ, 0));
        q.addByPriority(request("f3", Op.READ, 3));
        assertEquals(List.of("c0", "e0", "f3", "a5", "b5", "d5"), drain(q));
    }

    @Test
    void nothingCrossesABarrier() {
        RequestQueue q = new RequestQueue();
        q.addByPriority(request("a5", Op.WRITE, 5));
        q.addByPriority(request("sync", Op.FSYNC, 20));
        q.addByPriority(request("b0", Op.WRITE, 0));
        q.addByPriority(request("sync2", Op.FDATASYNC, 0));
        q.addByPriority(request("c9", Op.WRITE, 9));
        q.addByPriority(request("d1", Op.WRITE, 1));
        assertEquals(List.of("a5", "sync", "b0", "sync2", "d1", "c9"), drain(q));
    }

    @Test
    void removalFromAnywhereAndNoDoubleQueueing() {
        RequestQueue q = new RequestQueue();
        Request a = request("a", Op.READ, 0);
        Request b = request("b", Op.READ, 0);
        Request c = request("c", Op.READ, 0);
        q.addLast(a);
        q.addLast(b);
        q.addLast(c);
        assertThrows(IllegalStateException.class, () -> q.addLast(b));
        assertTrue(q.remove(b));
        assertFalse(q.remove(b));
        assertEquals(c, q.after(a));
        assertNull(q.after(c));
        RequestQueue other = new RequestQueue();
        q.moveAllTo(other);
        assertTrue(q.isEmpty());
        assertEquals(List.of("a", "c"), drain(other));
    }
}
