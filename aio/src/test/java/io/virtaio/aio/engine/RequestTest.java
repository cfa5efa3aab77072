package io.virtaio.aio.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.Errno;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A request's life: claim, complete once, publish before telling, retrieve once. */
class RequestTest {
    private final Engine engine = new Engine(new Limits(4, 4, 0, 64, 32));

    @Test
    void statusResultAndSingleRetrieval() {
        Request r = new Request("owner");
        assertEquals(Request.IDLE, r.status());
        assertEquals(Request.NO_RESULT, r.consume());
        assertTrue(r.claim());
        assertFalse(r.claim(), "one operation at a time");
        assertEquals(Errno.EINPROGRESS, r.status());
        assertEquals(Request.NO_RESULT, r.consume(), "nothing to retrieve while in progress");
        r.prepare(engine, Op.WRITE, null, 0, 10, 0);
        r.complete(10, 0);
        assertEquals(0, r.statusAcquire());
        assertEquals(10, r.consume());
        assertEquals(Request.NO_RESULT, r.consume());
        assertEquals(Request.IDLE, r.status());
    }

    @Test
    void completingTwiceIsAnInternalError() {
        Request r = new Request(null);
        assertTrue(r.claim());
        r.prepare(engine, Op.READ, null, 0, 0, 0);
        r.complete(0, 0);
        assertThrows(IllegalStateException.class, () -> r.complete(0, 0));
    }

    @Test
    void everyoneIsToldAfterThePublicationAndOnlyOnce() {
        Request r = new Request("me");
        AtomicInteger fired = new AtomicInteger();
        AtomicReference<String> seenByNotification = new AtomicReference<>();
        AtomicReference<String> seenBySink = new AtomicReference<>();
        assertTrue(engine.budget().tryAcquire(1));
        assertTrue(r.claim());
        r.prepare(engine, Op.READ, null, 0, 7, 0)
                .withSlot()
                .withNotification(done -> {
                    seenByNotification.set(Errno.name(r.status()) + "/" + r.result());
                    fired.incrementAndGet();
                    done.run();
                })
                .withSink((owner, result) -> seenBySink.set(owner + "/" + result));
        r.complete(-1, Errno.ECANCELED);
        assertEquals("ECANCELED/-1", seenByNotification.get());
        assertEquals("me/-" + Errno.ECANCELED, seenBySink.get());
        assertEquals(1, fired.get());
        assertEquals(0, engine.budget().used(), "the slot came back when the notification was handed off");
    }

    @Test
    void unclaimRestoresThePreviousOutcome() {
        Request r = new Request(null);
        assertTrue(r.claim());
        r.prepare(engine, Op.READ, null, 0, 0, 0);
        r.complete(3, 0);
        assertTrue(r.claim());
        r.unclaim();
        assertEquals(0, r.status());
        assertEquals(3, r.consume());
    }

    @Test
    void aListFinishesOnceAfterItsLastEntryAndRemembersFailure() {
        AtomicInteger fired = new AtomicInteger();
        ListGroup g = new ListGroup(2, done -> fired.incrementAndGet(), Engine.NOTHING, null);
        g.entryDone(0);
        g.entryDone(Errno.EBADF);
        assertFalse(g.isDone(), "the submitter still holds the list");
        g.submitted();
        assertTrue(g.isDone());
        assertTrue(g.anyFailed());
        assertEquals(1, fired.get());
    }
}
