package io.virtaio.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.virtaio.bench.tap.TapBench;
import io.virtaio.virtio.netns.NetNamespace;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ./virtaio bench tap} in miniature: both topologies measure something, and nothing of them is left. */
@LinuxInterop
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TapBenchTest {
    @Test
    void bothTopologiesMeasureAndLeaveNothingBehind() throws Exception {
        TapBench.Options options = new TapBench.Options(8L << 20, 1, 200, 500, 64, 1500);
        StringWriter log = new StringWriter();
        List<TapBench.Row> rows = TapBench.run(options, new PrintWriter(log));
        assertEquals(List.of("tap", "veth"), rows.stream().map(TapBench.Row::topology).toList());
        for (TapBench.Row r : rows) {
            assertEquals(1, r.gbits().size(), r.toString());
            assertTrue(r.gbits().getFirst() > 0, r.toString());
            assertTrue(r.p50Ns() > 0 && r.p50Ns() <= r.p99Ns() && r.p99Ns() <= r.p999Ns(), r.toString());
        }
        assertTrue(NetNamespace.list().stream().noneMatch(n -> n.startsWith("vbench-"
                + ProcessHandle.current().pid() + "-")), "namespaces left: " + NetNamespace.list());
        StringWriter table = new StringWriter();
        TapBench.print(rows, options, new PrintWriter(table));
        assertTrue(table.toString().contains("\ntap    virtaio     1500 "), table.toString());
        assertTrue(table.toString().contains("\nveth   Linux       1500 "), table.toString());
    }
}
