package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaultSpecTest {
    @Test
    void networkAndDeviceSettingsSplitIntoTheirPlans() {
        FaultSpec s = FaultSpec.parse("loss=2%,kick-loss=1%,irq-delay=2ms@10%,reset=4s,[tcp sport=80]{drop},"
                + "needs-reset=1s,rx-starve=2s+50ms,link-flap=3s+200ms,shuffle=1s+10ms:16:2ms,"
                + "sabotage=5s:tx:descriptor-loop");
        assertEquals(FaultPlan.parse("loss=2%,[tcp sport=80]{drop}"), s.network());
        DeviceFaultPlan d = s.device();
        assertEquals(0.01, d.kicks().loss());
        assertEquals(0.10, d.interrupts().delay(), 1e-12);
        assertEquals(2_000_000L, d.interrupts().delayNs());
        assertEquals(new DeviceFaultPlan.CompletionShuffle(16, 2_000_000L), d.completions());
        assertEquals(List.of(
                new DeviceFaultPlan.Action.NeedsReset(1_000_000_000L),
                new DeviceFaultPlan.Action.ShuffleCompletions(1_000_000_000L, 10_000_000L),
                new DeviceFaultPlan.Action.RxStarvation(2_000_000_000L, 50_000_000L),
                new DeviceFaultPlan.Action.LinkDown(3_000_000_000L, 200_000_000L),
                new DeviceFaultPlan.Action.Reset(4_000_000_000L),
                new DeviceFaultPlan.Action.Sabotage(5_000_000_000L, 1, RingSaboteur.Kind.DESCRIPTOR_LOOP)),
                d.actions());
        assertTrue(s.hasDeviceFaults());
    }

    @Test
    void networkOnlySpecHasNoDeviceFaults() {
        FaultSpec s = FaultSpec.parse("loss=5%,dup=1%,reorder=2%:5ms,corrupt=0.1%");
        assertFalse(s.hasDeviceFaults());
        assertEquals(FaultPlan.parse("loss=5%,dup=1%,reorder=2%:5ms,corrupt=0.1%"), s.network());
        assertEquals(FaultSpec.NONE, FaultSpec.parse("none"));
    }

    @Test
    void badDeviceTokensAreNamedWithTheirColumn() {
        FaultSpecException e = assertThrows(FaultSpecException.class, () -> FaultSpec.parse("loss=1%,reset=soon"));
        assertEquals("reset=soon", e.token());
        assertEquals(8, e.column());
        FaultSpecException w = assertThrows(FaultSpecException.class, () -> FaultSpec.parse("rx-starve=2s"));
        assertTrue(w.getMessage().contains("START+DURATION"), w.getMessage());
        FaultSpecException k = assertThrows(FaultSpecException.class,
                () -> FaultSpec.parse("sabotage=1s:rx:nonsense"));
        assertTrue(k.getMessage().contains("unknown sabotage"), k.getMessage());
    }

    @Test
    void badNetworkTokensKeepTheirColumnInTheWholeSpec() {
        FaultSpecException e = assertThrows(FaultSpecException.class,
                () -> FaultSpec.parse("kick-loss=1%,dup=2"));
        assertEquals("dup=2", e.token());
        assertEquals(13, e.column());
    }
}
