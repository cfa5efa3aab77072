package io.virtaio.netstack.arp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.netstack.ip.NeighborResolver;
import org.junit.jupiter.api.Test;

class ArpCacheTest {
    private static final long MAC = 0x02_00_00_00_00_09L;

    @Test
    void reachableUntilItsDeadlineThenUnresolved() {
        ArpCache c = new ArpCache(4);
        int e = c.insert(10);
        c.setReachable(e, MAC, 1000);
        assertEquals(MAC, c.lookup(10, 999));
        assertEquals(NeighborResolver.UNRESOLVED, c.lookup(10, 1000));
        assertEquals(NeighborResolver.UNRESOLVED, c.lookup(11, 0));
    }

    @Test
    void incompleteIsUnresolvedAndFailedIsUnreachableForItsHoldDown() {
        ArpCache c = new ArpCache(4);
        int e = c.insert(10);
        c.setIncomplete(e);
        assertEquals(NeighborResolver.UNRESOLVED, c.lookup(10, 0));
        assertEquals(1, c.countAttempt(e));
        c.setFailed(e, 500);
        assertEquals(NeighborResolver.UNREACHABLE, c.lookup(10, 499));
        assertEquals(NeighborResolver.UNRESOLVED, c.lookup(10, 500));
        c.setIncomplete(e);
        assertEquals(0, c.attempts(e), "a new resolution starts counting again");
    }

    @Test
    void whenFullEvictsTheEntryExpiringFirstButNeverOneBeingResolved() {
        ArpCache c = new ArpCache(3);
        c.setIncomplete(c.insert(1));
        c.setReachable(c.insert(2), MAC, 2000);
        c.setReachable(c.insert(3), MAC, 1000);
        int e = c.insert(4);
        assertTrue(e >= 0);
        assertEquals(-1, c.find(3));
        assertTrue(c.find(1) >= 0 && c.find(2) >= 0 && c.find(4) == e);
        assertEquals(1, c.evictions());
    }

    @Test
    void refusesANewAddressWhenEveryEntryIsBeingResolved() {
        ArpCache c = new ArpCache(2);
        c.setIncomplete(c.insert(1));
        c.setIncomplete(c.insert(2));
        assertEquals(-1, c.insert(3));
        assertEquals(2, c.size());
    }

    @Test
    void removedEntriesAreReused() {
        ArpCache c = new ArpCache(1);
        int e = c.insert(1);
        c.remove(e);
        assertEquals(0, c.size());
        assertEquals(e, c.insert(2));
        assertEquals(e, c.find(2));
        assertEquals(-1, c.find(1));
    }
}
