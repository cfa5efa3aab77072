package io.virtaio.aio.net;

import static io.virtaio.aio.posix.Aio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.virtaio.aio.node.Nodes;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sockaddr_in;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Bad arguments on sockets get the errno POSIX.1-2017 (or Linux, where POSIX leaves it open) documents. */
class SocketBadArgumentsTest extends SocketFixture {

    private void fails(int errno, long rc) {
        assertEquals(-1, rc);
        assertEquals(errno, a.errno(), () -> "errno " + Errno.name(a.errno()) + ", expected " + Errno.name(errno));
    }

    /** Submitted (0), then failed with {@code errno} through aio_error, return -1. */
    private void failsLater(int errno, aiocb cb, boolean read) {
        assertEquals(0, read ? a.aio_read(cb) : a.aio_write(cb));
        assertEquals(errno, await(a, cb), () -> Errno.name(a.aio_error(cb)));
        assertEquals(-1, a.aio_return(cb));
    }

    @Test
    void aioFsyncOnASocketIsEinval() {
        int[] p = pair();
        // POSIX.1-2017 aio_fsync [EINVAL]: "the file ... does not support synchronized I/O" (decision: sockets).
        fails(Errno.EINVAL, a.aio_fsync(O_SYNC, new aiocb(p[0], null, 0, 0)));
        fails(Errno.EINVAL, a.fsync(p[0]));
        fails(Errno.EINVAL, a.aio_fsync(12345, new aiocb(p[0], null, 0, 0)));
    }

    @Test
    void badBuffersAndSizesFailAsTheTransferWould() {
        int[] p = pair();
        failsLater(Errno.EFAULT, new aiocb(p[0], null, 10, 0), true);
        failsLater(Errno.EFAULT, new aiocb(p[0], null, 10, 0), false);
        failsLater(Errno.EINVAL, new aiocb(p[0], MemorySegment.ofArray(new byte[8]), -1, 0), true);
        failsLater(Errno.EINVAL, new aiocb(p[0], MemorySegment.ofArray(new byte[8]), -5, 0), false);
        failsLater(Errno.EFAULT, new aiocb(p[0], MemorySegment.ofArray(new byte[8]), 9, 0), true);
        failsLater(Errno.EFAULT, new aiocb(p[0], MemorySegment.ofArray(new byte[8]).asReadOnly(), 8, 0), true);
        fails(Errno.EFAULT, a.aio_read(null));
        // A read of 0 bytes completes at once with 0.
        aiocb zero = new aiocb(p[0], null, 0, 0);
        assertEquals(0, a.aio_read(zero));
        assertEquals(0, await(a, zero));
        assertEquals(0, a.aio_return(zero));
    }

    @Test
    void closedAndWrongKindsOfDescriptors() {
        int[] p = pair();
        assertEquals(0, a.close(p[0]));
        failsLater(Errno.EBADF, new aiocb(p[0], MemorySegment.ofArray(new byte[8]), 8, 0), true);
        fails(Errno.EBADF, a.aio_cancel(p[0], null));
        fails(Errno.EBADF, a.aio_fsync(O_DSYNC, new aiocb(p[0], null, 0, 0)));
        fails(Errno.EBADF, a.listen(p[0], 1));
        fails(Errno.ESPIPE, a.pread(p[1], MemorySegment.ofArray(new byte[8]), 8, 0));
        int udp = a.socket(AF_INET, SOCK_DGRAM, 0);
        fails(Errno.EOPNOTSUPP, a.accept(udp, null));
        int tcp = a.socket(AF_INET, SOCK_STREAM, 0);
        fails(Errno.EINVAL, a.accept(tcp, null));
        failsLater(Errno.ENOTCONN, new aiocb(tcp, MemorySegment.ofArray(new byte[8]), 8, 0), false);
        fails(Errno.ENOTTY, a.ioctl(tcp, 0x1234, new int[1]));
        fails(Errno.EFAULT, a.ioctl(tcp, FIONREAD, null));
        fails(Errno.EINVAL, a.ioctl(udp, TIOCOUTQ, new int[1]));
        aiocb other = new aiocb(udp, MemorySegment.ofArray(new byte[8]), 8, 0);
        fails(Errno.EINVAL, a.aio_cancel(tcp, other));
    }

    @Test
    void badAddressesAndOptions() {
        int s = a.socket(AF_INET, SOCK_STREAM, 0);
        fails(Errno.EADDRNOTAVAIL, a.bind(s, new sockaddr_in(Nodes.ADDRESS_B, 80)));
        assertEquals(0, a.bind(s, new sockaddr_in(Nodes.ADDRESS_A, 0)));
        fails(Errno.EINVAL, a.bind(s, new sockaddr_in(Nodes.ADDRESS_A, 0)));
        fails(Errno.EFAULT, a.bind(s, null));
        sockaddr_in bad = new sockaddr_in(Nodes.ADDRESS_A, 70000);
        fails(Errno.EINVAL, a.connect(s, bad));
        bad.sin_family = 99;
        fails(Errno.EAFNOSUPPORT, a.connect(s, bad));
        fails(Errno.EFAULT, a.getsockopt(s, SOL_SOCKET, SO_ERROR, null));
        fails(Errno.ENOPROTOOPT, a.setsockopt(s, 99, 1, 1));
        fails(Errno.ENOTCONN, a.getpeername(s, new sockaddr_in()));
        fails(Errno.EAFNOSUPPORT, a.socket(10, SOCK_STREAM, 0));
        fails(Errno.EPROTONOSUPPORT, a.socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
        fails(Errno.EFAULT, a.socketpair(AF_INET, SOCK_STREAM, 0, new int[1]));
    }
}
