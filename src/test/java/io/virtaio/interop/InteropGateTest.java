package io.virtaio.interop;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The gate's policy, which must hold on any machine: in CI a missing prerequisite fails, elsewhere it skips. */
class InteropGateTest {
    @Test
    void missingPrerequisitesFailInCiAndSkipElsewhereWithTheReason() {
        List<String> missing = List.of("frobnicator not installed (apt-get install frobnicator)");
        Throwable t = assertThrows(Throwable.class, () -> LinuxInteropExtension.require(missing));
        if (LinuxInteropExtension.inCi()) {
            assertTrue(t instanceof AssertionError && !(t instanceof TestAbortedException), t.toString());
            assertTrue(t.getMessage().contains("CI=true"), t.getMessage());
        } else {
            assertTrue(t instanceof TestAbortedException, t.toString());
        }
        assertTrue(t.getMessage().contains("frobnicator not installed"), t.getMessage());
    }

    @Test
    void nothingMissingIsNoObjection() {
        LinuxInteropExtension.require(List.of());
    }

    @Test
    void absentToolsAreNamedWithTheirPackage() {
        assertTrue(LinuxInteropExtension.tools("no-such-tool-vtap").getFirst().contains("apt-get install"));
        assertTrue(LinuxInteropExtension.tools("sh").isEmpty(), "sh is everywhere");
    }
}
