package io.virtaio.aio.fd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.engine.CancelResult;
import io.virtaio.aio.engine.Request;
import io.virtaio.netstack.Errno;
import org.junit.jupiter.api.Test;

/** Numbers: lowest free, reserved while referenced after close (glibc bug 14942), bounded (EMFILE). */
class DescriptorTableTest {

    /** A descriptor that records its life cycle. */
    private static final class Probe extends Descriptor {
        int closed;
        int released;

        @Override
        public int submit(Request r) {
            return 0;
        }

        @Override
        public int cancel(Request r) {
            return CancelResult.ALLDONE;
        }

        @Override
        protected void onClose() {
            closed++;
        }

        @Override
        protected void onLastRelease() {
            released++;
        }

        @Override
        public void abortInProgress() {
        }

        @Override
        public boolean readable() {
            return true;
        }

        @Override
        public boolean writable() {
            return true;
        }

        @Override
        public boolean seekable() {
            return true;
        }

        @Override
        public boolean syncable() {
            return true;
        }

        @Override
        public String describe() {
            return "probe";
        }
    }

    @Test
    void aClosedNumberStaysReservedUntilItsLastReferenceIsDropped() {
        DescriptorTable t = new DescriptorTable(4);
        Probe a = new Probe();
        assertEquals(0, t.install(a));
        Probe b = new Probe();
        assertEquals(1, t.install(b));
        Descriptor held = t.acquire(0);
        assertSame(a, held);
        assertEquals(0, t.close(0));
        assertEquals(-Errno.EBADF, t.close(0));
        assertNull(t.get(0));
        assertNull(t.acquire(0), "no new reference to a closed descriptor");
        assertEquals(1, a.closed);
        assertEquals(0, a.released);
        assertEquals(2, t.install(new Probe()), "number 0 is still reserved");
        held.release();
        assertEquals(1, a.released);
        assertEquals(0, t.install(new Probe()), "now it is free again");
        assertThrows(IllegalStateException.class, held::release);
    }

    @Test
    void theTableIsBounded() {
        DescriptorTable t = new DescriptorTable(2);
        assertEquals(0, t.install(new Probe()));
        assertEquals(1, t.install(new Probe()));
        assertEquals(-Errno.EMFILE, t.install(new Probe()));
        assertNull(t.get(-1));
        assertNull(t.get(2));
        t.closeAll();
        assertEquals(0, t.inUse());
        assertFalse(t.descriptors().iterator().hasNext());
        Probe p = new Probe();
        p.discard();
        assertTrue(p.isClosed());
        assertEquals(1, p.released);
    }
}
