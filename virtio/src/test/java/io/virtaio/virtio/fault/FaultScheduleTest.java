package io.virtaio.virtio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Schedules: their text form, and plans changing at the scheduled instants on the stage's clock. */
class FaultScheduleTest {
    static final long MS = 1_000_000;

    @Test
    void textFormParsesAndPrintsBack() {
        String text = "at 0 set delay=1ms; at 2s set loss=10%,delay=1ms; at 5s heal";
        FaultSchedule s = FaultSchedule.parse(text);
        assertEquals(3, s.changes().size());
        assertEquals(2_000_000_000L, s.changes().get(1).atNs());
        assertEquals(FaultPlan.parse("loss=10%,delay=1ms"), s.changes().get(1).plan());
        assertTrue(s.changes().get(2).plan().isNone());
        assertEquals(text, s.toString());
        assertEquals(s, FaultSchedule.parse(s.toString()));
        assertEquals(s, FaultSchedule.NONE.at(0, "delay=1ms").at(2_000_000_000L, "loss=10%,delay=1ms")
                .healAt(5_000_000_000L));
        assertEquals(FaultSchedule.NONE, FaultSchedule.parse("  "));
        assertEquals(1, FaultSchedule.parse("at 1s heal;").changes().size(), "a trailing ';' is allowed");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "at 2s set loss=10%; at 1s heal      | at 1s heal   | 20 | time goes back",
        "at 2x set loss=10%                  | 2x           | 3  | needs a unit",
        "at 2s put loss=10%                  | put loss=10% | 6  | 'set SPEC' or 'heal'",
        "2s set loss=10%                     | 2s set loss=10% | 0 | 'at TIME set SPEC'",
        "at 2s                               | at 2s        | 0  | must be followed",
        "at 1s heal; ; at 2s heal            | ;            | 12 | empty entry",
        "at 1s heal; at 2s set loss=1%,dup=7 | dup=7        | 30 | above 1",
    })
    void malformedSchedulesNameTheBadToken(String text, String token, int column, String reason) {
        FaultSpecException e = assertThrows(FaultSpecException.class, () -> FaultSchedule.parse(text));
        assertEquals(token, e.token(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.reason().contains(reason), e.getMessage());
        assertTrue(e.getMessage().startsWith("bad fault schedule"), e.getMessage());
    }

    @Test
    void theStageChangesPlanAtTheScheduledInstantsOfItsClock() {
        // Stage time starts at 10 s: "at 2s" is 12 s on the clock.
        long start = 10_000 * MS;
        FaultSchedule s = FaultSchedule.parse("at 2s set drop; at 3s set tx.delay=5ms; at 4s heal");
        StageRig rig = new StageRig(FaultPlan.NONE, 1,
                FaultStage.Options.defaults().withStartNs(start).withSchedule(s));
        assertEquals(start + 2000 * MS, rig.stage.poll(start), "the next change is a deadline");
        List<Long> sentAt = new ArrayList<>();
        for (long t = start; t < start + 5000 * MS; t += 100 * MS) {
            rig.send(t, Packets.raw(60, (int) ((t - start) / MS)));
            sentAt.add(t);
            rig.runUntil(t + 99 * MS);
        }
        // 0..1900 ms pass, 2000..2900 ms dropped, 3000..3900 ms delayed 5 ms, 4000.. pass again.
        FaultCounters tx = rig.tx();
        assertEquals(10, tx.faults(FaultKind.LOSS));
        assertEquals(10, tx.faults(FaultKind.DELAY));
        assertEquals(40, tx.framesOut());
        for (StageRig.Out o : rig.egressOut()) {
            long sent = start + o.tag() * MS;
            assertTrue(o.tag() < 2000 || o.tag() >= 3000, "dropped while 'drop' was in force: " + o.tag());
            long expected = o.tag() >= 3000 && o.tag() < 4000 ? sent + 5 * MS : sent;
            assertEquals(expected, o.nowNs(), "frame sent at +" + o.tag() + " ms");
        }
        assertTrue(rig.stage.plan().isNone(), "healed at 4 s");
    }

    @Test
    void aScheduledWindowCountsFromTheEntrysInstantNotFromTheNextFrame() {
        // The entry at 1 s installs "down for 100 ms starting 0 ms after the plan takes effect"; the first frame
        // after it comes at 1.05 s and must see the window as opened at 1 s.
        StageRig rig = new StageRig(FaultPlan.NONE, 1,
                FaultStage.Options.defaults().withSchedule(FaultSchedule.parse("at 1s set down=0+100ms")));
        rig.send(1050 * MS, Packets.raw(60, 1));
        rig.send(1099 * MS, Packets.raw(60, 2));
        rig.send(1100 * MS, Packets.raw(60, 3));
        assertEquals(List.of(3), rig.inner.out.tags());
        assertEquals(2, rig.tx().faults(FaultKind.DOWN));
    }

    @Test
    void setPlanTakesEffectAtOnceAndASetScheduleCatchesUp() {
        StageRig rig = new StageRig("drop", 1);
        rig.send(0, Packets.raw(60, 1));
        rig.stage.setPlan(FaultPlan.NONE, 5);
        rig.send(5, Packets.raw(60, 2));
        rig.stage.setSchedule(FaultSchedule.parse("at 0 set drop; at 10ns heal; at 20ns set loss=100%"));
        rig.send(15, Packets.raw(60, 3));
        rig.send(25, Packets.raw(60, 4));
        assertEquals(List.of(2, 3), rig.inner.out.tags(), "at 15 ns the entries up to 10 ns have applied in order");
    }
}
