package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.backend.InboundHandoff;
import io.virtaio.virtio.backend.PcapBackend;
import io.virtaio.virtio.backend.PcapWriter;
import io.virtaio.virtio.queue.Doorbell;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every wrapping backend owes the backend it wraps (Backend's contract): the negotiated features — a TAP sets
 * its offloads from them — the poller's doorbell and the close are passed on.
 */
class WrapperContractTest {
    /** Records the control calls that reach it. */
    static final class Inner implements Backend {
        long features = -1;
        Doorbell wakeup;
        boolean closed;

        @Override
        public void connect(FrameSink toDevice) {
        }

        @Override
        public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
            return OK;
        }

        @Override
        public void flush(long nowNs) {
        }

        @Override
        public void featuresNegotiated(long f) {
            features = f;
        }

        @Override
        public void setWakeup(Doorbell d) {
            wakeup = d;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static Stream<Arguments> wrappers() {
        return Stream.of(
                Arguments.of("PcapBackend", (Function<Backend, Backend>) inner -> new PcapBackend(inner, writer())),
                Arguments.of("FaultStage", (Function<Backend, Backend>) inner -> new FaultStage(inner,
                        FaultPlan.parse("loss=1%"), 1)),
                Arguments.of("DeviceFaults", (Function<Backend, Backend>) inner -> new DeviceFaults(inner,
                        DeviceFaultPlan.NONE, 1)),
                Arguments.of("InboundHandoff", (Function<Backend, Backend>) inner -> new InboundHandoff(inner, 8,
                        1514)));
    }

    private static PcapWriter writer() {
        try {
            return new PcapWriter(Channels.newChannel(new ByteArrayOutputStream()), PcapWriter.Format.PCAPNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrappers")
    void controlCallsReachTheWrappedBackend(String name, Function<Backend, Backend> wrap) {
        Inner inner = new Inner();
        Backend wrapper = wrap.apply(inner);
        wrapper.featuresNegotiated(0x1234_5678L);
        assertEquals(0x1234_5678L, inner.features, name + " passes the negotiated features on");
        wrapper.setWakeup(() -> { });
        assertTrue(inner.wakeup != null, name + " passes the doorbell on");
        wrapper.close();
        assertTrue(inner.closed, name + " closes what it wraps");
    }
}
