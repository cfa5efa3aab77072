package io.virtaio.interop;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that talks to the Linux kernel through a TAP in a network namespace of its own. Before each
 * test, {@link LinuxInteropExtension} checks the prerequisites (Linux, root, /dev/net/tun, iproute2, native access)
 * and, once per JVM, deletes namespaces left by killed runs; with {@code CI=true} a missing prerequisite fails the
 * test with the reason, elsewhere it skips it with the reason (counted as skipped, the reason in the report).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("interop")
@ExtendWith(LinuxInteropExtension.class)
public @interface LinuxInterop {
}
