package io.virtaio.aio.net;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.aio.AioConfig;
import io.virtaio.aio.AioRuntime;
import io.virtaio.aio.channels.StackSocketChannel;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sigevent;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Closing a runtime while socket operations are queued, in progress and blocked: each completes or is canceled,
 * exactly one notification each, Java channel operations fail with AsynchronousCloseException, the threads stop and
 * the native memory (runtime buffers, guest memory) is freed.
 */
class SocketCloseTest extends SocketFixture {
    @Override
    AioRuntime.Builder runtime() {
        return AioRuntime.builder()
                .config(AioConfig.builder().name("close").closeGraceNs(TimeUnit.MILLISECONDS.toNanos(200)).build())
                .wiredPair();
    }

    @Test
    void closeWithSocketOperationsInFlight() throws Exception {
        List<aiocb> cbs = new ArrayList<>();
        AtomicIntegerArray notified = new AtomicIntegerArray(64);
        for (int k = 0; k < 4; k++) {
            int[] p = pair();
            // A read that waits for data that never comes.
            cbs.add(new aiocb(p[1], rt.allocate(128), 128, 0));
            // A write that fills both buffers and blocks half way (in progress), and two queued behind it.
            for (int i = 0; i < 3; i++) {
                cbs.add(new aiocb(p[0], rt.allocate(1 << 20), 1 << 20, 0));
            }
            // A read that completes before the close.
            cbs.add(new aiocb(p[0], rt.allocate(16), 16, 0));
            assertEquals(16, b.write(p[1], MemorySegment.ofArray(new byte[16]), 16));
        }
        for (int i = 0; i < cbs.size(); i++) {
            aiocb cb = cbs.get(i);
            int index = i;
            cb.aio_sigevent.set(sigevent.thread(v -> notified.incrementAndGet(index), null));
            assertEquals(0, cb.aio_nbytes == 128 || cb.aio_nbytes == 16 ? rt.aio(0).aio_read(cb)
                    : rt.aio(0).aio_write(cb));
        }
        // A Java channel with a read pending, connected to a POSIX socket (closed only after the channels are).
        int[] listener = listen(4444, 4);
        StackSocketChannel ch = StackSocketChannel.open(rt.channelGroup(0));
        ch.connectAsync(new InetSocketAddress("10.0.0.2", 4444)).get(10, TimeUnit.SECONDS);
        assertTrue(b.accept(listener[0], null) >= 0);
        CompletableFuture<Integer> pendingRead = ch.readAsync(ByteBuffer.allocate(8));
        awaitTrue(() -> a.aio_error(cbs.get(4)) == 0, "the completing read");
        assertTrue(rt.ownedMemoryBytes() > 0);

        rt.close();

        for (int i = 0; i < cbs.size(); i++) {
            aiocb cb = cbs.get(i);
            int err = a.aio_error(cb);
            assertNotEquals(Errno.EINPROGRESS, err, "request " + i + " still in progress after close");
            long ret = a.aio_return(cb);
            if (err == Errno.ECANCELED) {
                assertEquals(-1, ret);
            } else {
                assertEquals(0, err, "request " + i);
                assertTrue(ret >= 0 && ret <= cb.aio_nbytes);
            }
            assertEquals(1, notified.get(i), "notifications of request " + i);
        }
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                pendingRead::join);
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        assertEquals(0, rt.inFlight());
        assertEquals(0, rt.threadsAlive());
        assertEquals(0, rt.ownedMemoryBytes(), "buffers and guest memory freed");
        assertEquals(0, rt.descriptorsInUse());
    }
}
