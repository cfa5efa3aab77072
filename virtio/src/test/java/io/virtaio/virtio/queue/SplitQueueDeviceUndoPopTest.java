package io.virtaio.virtio.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.virtaio.virtio.mem.GuestMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SplitQueueDeviceUndoPopTest {
    private final GuestMemory guest = GuestMemory.allocate(1 << 20);
    private final SplitQueueDriver driver = SplitQueueDriver.create(guest, 8, false, 0, UsedLenPolicy.STRICT,
            Doorbell.NONE);
    private final SplitQueueDevice device = new SplitQueueDevice(guest, 8, driver.descAddress(),
            driver.availAddress(), driver.usedAddress(), false, 0, Doorbell.NONE);
    private final DescChain chain = device.newChain();

    @AfterEach
    void close() {
        guest.close();
    }

    private void offer(int token, int len) {
        long buf = guest.reserve(len, 64);
        driver.addOne(buf, len, true, token);
    }

    @Test
    void undoneChainIsPoppedAgainAndNotCompleted() {
        offer(7, 100);
        offer(8, 200);
        driver.publish();

        int first = device.pop(chain);
        device.undoPop(first);
        assertEquals(0, device.inFlight());
        assertEquals(first, device.pop(chain), "the same chain comes back");
        assertEquals(100, chain.writableBytes());
        device.pushUsed(first, 10);
        int second = device.pop(chain);
        assertEquals(200, chain.writableBytes());
        device.pushUsed(second, 20);
        device.publishUsed();

        assertEquals(7, driver.reap());
        assertEquals(8, driver.reap());
        assertEquals(QueueStatus.EMPTY, driver.reap());
    }

    @Test
    void onlyTheLatestPopBeforeItsPushCanBeUndone() {
        offer(1, 64);
        offer(2, 64);
        driver.publish();

        int a = device.pop(chain);
        int b = device.pop(chain);
        assertThrows(IllegalArgumentException.class, () -> device.undoPop(a), "not the latest pop");
        device.pushUsed(b, 0);
        assertThrows(IllegalArgumentException.class, () -> device.undoPop(b), "already pushed");
        device.pushUsed(a, 0);
        assertEquals(0, device.inFlight());
    }

    @Test
    void emptyPopCannotBeUndone() {
        offer(1, 64);
        driver.publish();
        int a = device.pop(chain);
        assertEquals(QueueStatus.EMPTY, device.pop(chain));
        assertThrows(IllegalArgumentException.class, () -> device.undoPop(a), "a later pop closes the window");
    }
}
