package io.virtaio.aio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.virtaio.netstack.Errno;
import java.net.ConnectException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class ErrnoExceptionTest {

    @Test
    void carriesTheErrnoAndItsName() {
        ErrnoException e = new ErrnoException(Errno.ECONNRESET, "read 10.0.0.2:80");
        assertEquals(Errno.ECONNRESET, e.errno());
        assertEquals("ECONNRESET", e.errnoName());
        assertEquals("read 10.0.0.2:80: ECONNRESET (Connection reset by peer)", e.getMessage());
        assertEquals(Errno.EPIPE, new ErrnoException(-Errno.EPIPE).errno(), "a -errno is taken as errno");
    }

    @Test
    void usesTheJdkTypeWhereTheJdkHasOne() {
        assertInstanceOf(NoSuchFileException.class, ErrnoException.of(Errno.ENOENT, "/x"));
        assertInstanceOf(ConnectException.class, ErrnoException.of(-Errno.ECONNREFUSED, "10.0.0.1:1"));
        ErrnoException other = assertInstanceOf(ErrnoException.class, ErrnoException.of(Errno.EMSGSIZE, null));
        assertEquals("EMSGSIZE", other.errnoName());
    }
}
