package io.virtaio.aio.posix;

import io.virtaio.aio.engine.Op;
import io.virtaio.aio.engine.Request;
import io.virtaio.aio.fd.Descriptor;
import io.virtaio.aio.kernel.Kernel;
import io.virtaio.aio.net.Endpoint;
import io.virtaio.aio.net.LoopCall;
import io.virtaio.aio.net.NetNode;
import io.virtaio.aio.net.SocketCalls;
import io.virtaio.aio.net.SocketDescriptor;
import io.virtaio.netstack.Errno;

/**
 * The sys/socket.h calls of one façade: sockets are created on the façade's network node. Results are
 * non-negative or {@code -errno}.
 */
final class SocketFacade {
    private final Kernel kernel;
    private final SyncCalls sync;
    private final int nodeIndex;

    SocketFacade(Kernel kernel, SyncCalls sync, int nodeIndex) {
        this.kernel = kernel;
        this.sync = sync;
        this.nodeIndex = nodeIndex;
    }

    private NetNode node() {
        return nodeIndex < kernel.nodes().size() ? kernel.nodes().get(nodeIndex) : null;
    }

    /** socket(domain, type, protocol) (POSIX.1-2017 socket). */
    int socket(int domain, int type, int protocol) {
        if (domain != Aio.AF_INET) {
            return -Errno.EAFNOSUPPORT;
        }
        if ((type & (Aio.SOCK_NONBLOCK | Aio.SOCK_CLOEXEC)) != 0) {
            // Non-blocking descriptors are not implemented: refuse rather than block where EAGAIN was asked for.
            return -Errno.EINVAL;
        }
        boolean stream;
        if (type == Aio.SOCK_STREAM) {
            stream = true;
            if (protocol != 0 && protocol != Aio.IPPROTO_TCP) {
                return -Errno.EPROTONOSUPPORT;
            }
        } else if (type == Aio.SOCK_DGRAM) {
            stream = false;
            if (protocol != 0 && protocol != Aio.IPPROTO_UDP) {
                return -Errno.EPROTONOSUPPORT;
            }
        } else {
            return -Errno.EPROTONOSUPPORT;
        }
        NetNode node = node();
        if (node == null) {
            // A runtime without network nodes has no address family at all.
            return -Errno.EAFNOSUPPORT;
        }
        if (kernel.isClosed()) {
            return -Errno.EBADF;
        }
        SocketDescriptor[] out = new SocketDescriptor[1];
        int rc = SocketCalls.open(node, stream, out);
        if (rc < 0) {
            return rc;
        }
        int fd = kernel.table().install(out[0]);
        if (fd < 0) {
            out[0].discard();
        }
        return fd;
    }

    /** The socket descriptor numbered {@code fd}, referenced; null with the errno in {@code err[0]}. */
    private SocketDescriptor socketOf(int fd, int[] err) {
        Descriptor d = kernel.table().acquire(fd);
        if (d == null) {
            err[0] = Errno.EBADF;
            return null;
        }
        if (d instanceof SocketDescriptor sd) {
            return sd;
        }
        d.release();
        err[0] = Errno.ENOTSOCK;
        return null;
    }

    private static int checkAddress(sockaddr_in addr) {
        if (addr == null) {
            return Errno.EFAULT;
        }
        if (addr.sin_family != Aio.AF_INET) {
            return Errno.EAFNOSUPPORT;
        }
        if (addr.sin_port < 0 || addr.sin_port > 0xFFFF) {
            return Errno.EINVAL;
        }
        return 0;
    }

    int bind(int fd, sockaddr_in addr) {
        int[] err = new int[1];
        SocketDescriptor sd = socketOf(fd, err);
        if (sd == null) {
            return -err[0];
        }
        try {
            int bad = checkAddress(addr);
            return bad != 0 ? -bad : SocketCalls.bind(sd, addr.sin_addr, addr.sin_port);
        } finally {
            sd.release();
        }
    }

    int listen(int fd, int backlog) {
        int[] err = new int[1];
        SocketDescriptor sd = socketOf(fd, err);
        if (sd == null) {
            return -err[0];
        }
        try {
            return SocketCalls.listen(sd, Math.max(0, backlog));
        } finally {
            sd.release();
        }
    }

    /** accept(fd, addr): blocks until a connection is established; fills {@code addr} when non-null. */
    int accept(int fd, sockaddr_in addr) {
        int[] err = new int[1];
        SocketDescriptor sd = socketOf(fd, err);
        if (sd == null) {
            return -err[0];
        }
        Object[] accepted = new Object[1];
        long rc = sync.run(sd, Op.ACCEPT, null, 0, 0, accepted);
        if (rc < 0) {
            return (int) rc;
        }
        SocketDescriptor c = (SocketDescriptor) accepted[0];
        int cfd = kernel.table().install(c);
        if (cfd < 0) {
            c.discard();
            return cfd;
        }
        if (addr != null) {
            int[] name = new int[2];
            if (SocketCalls.name(c, true, name) == 0) {
                addr.sin_family = Aio.AF_INET;
                addr.sin_addr = name[0];
                addr.sin_port = name[1];
            }
        }
        return cfd;
    }

    /** connect(fd, addr): blocks until the connection is established or fails. */
    int connect(int fd, sockaddr_in addr) {
        int[] err = new int[1];
        SocketDescriptor sd = socketOf(fd, err);
        if (sd == null) {
            return -err[0];
        }
        int bad = checkAddress(addr);
        if (bad != 0) {
            sd.release();
            return -bad;
        }
        // The peer travels in the request's offset, where progressConnect reads it.
        return (int) sync.run(sd, Op.CONNECT, null, 0, Endpoint.pack(addr.sin_addr, addr.sin_port));
    }

    int shutdown(int fd, int how) {
        int[] err = new int[1];
        SocketDescriptor sd = socketOf(fd, err);
        if (sd == null) {
            return -err[0];
        }
        try {
            return SocketCalls.shutdown(sd, how);
        } finally {
            sd.release();
        }
    }

    int setsockopt(int fd, int level, int name, int value) {
        int[] err = new int[1];
        SocketDescriptor sd = socketOf(fd, err);
        if (sd == null) {
            return -err[0];
        }
        try {
            return SocketCalls.setOption(sd, level, name, value);
        } finally {
            sd.release();
        }
    }

    int getsockopt(int fd, int level, int name, int[] value) {
        if (value == null || value.length < 1) {
            return -Errno.EFAULT;
        }
        int[] err = new int[1];
        SocketDescriptor sd = socketOf(fd, err);
        if (sd == null) {
            return -err[0];
        }
        try {
            return SocketCalls.getOption(sd, level, name, value);
        } finally {
            sd.release();
        }
    }

    /** ioctl(fd, FIONREAD or TIOCOUTQ, out). */
    int ioctl(int fd, int request, int[] out) {
        if (out == null || out.length < 1) {
            return -Errno.EFAULT;
        }
        int[] err = new int[1];
        SocketDescriptor sd = socketOf(fd, err);
        if (sd == null) {
            return err[0] == Errno.ENOTSOCK ? -Errno.ENOTTY : -err[0];
        }
        try {
            return SocketCalls.ioctl(sd, request, out);
        } finally {
            sd.release();
        }
    }

    /** getsockname ({@code peer} false) or getpeername. */
    int name(int fd, sockaddr_in addr, boolean peer) {
        if (addr == null) {
            return -Errno.EFAULT;
        }
        int[] err = new int[1];
        SocketDescriptor sd = socketOf(fd, err);
        if (sd == null) {
            return -err[0];
        }
        try {
            int[] name = new int[2];
            int rc = SocketCalls.name(sd, peer, name);
            if (rc == 0) {
                addr.sin_family = Aio.AF_INET;
                addr.sin_addr = name[0];
                addr.sin_port = name[1];
            }
            return rc;
        } finally {
            sd.release();
        }
    }

    /**
     * socketpair(AF_INET, SOCK_STREAM, 0, sv): two connected TCP sockets on this node, one connecting to a listener
     * on the node's own address. Linux offers socketpair only for AF_UNIX; here AF_INET is the only family, so the
     * pair is made through the stack (which must deliver packets for its own address locally).
     */
    int socketpair(int domain, int type, int protocol, int[] sv) {
        if (sv == null || sv.length < 2) {
            return -Errno.EFAULT;
        }
        if (type != Aio.SOCK_STREAM) {
            return -Errno.EOPNOTSUPP;
        }
        int listener = socket(domain, type, protocol);
        if (listener < 0) {
            return listener;
        }
        int client = -1;
        try {
            int address = new LoopCall() {
                @Override
                protected int run(NetNode n) {
                    return n.stack().address();
                }
            }.call(node());
            sockaddr_in local = new sockaddr_in(address, 0);
            int rc = bind(listener, local);
            if (rc == 0) {
                rc = listen(listener, 1);
            }
            if (rc == 0) {
                rc = name(listener, local, false);
            }
            if (rc < 0) {
                return rc;
            }
            client = socket(domain, type, protocol);
            if (client < 0) {
                return client;
            }
            // No helper thread (a simulated runtime has none to spare): the connect runs as a request of its own
            // while this thread accepts, then this thread waits for it.
            int[] err = new int[1];
            SocketDescriptor c = socketOf(client, err);
            if (c == null) {
                return -err[0];
            }
            Request connect = new Request(null);
            rc = sync.start(connect, c, Op.CONNECT, null, 0, Endpoint.pack(local.sin_addr, local.sin_port));
            if (rc < 0) {
                return rc;
            }
            int accepted = accept(listener, null);
            rc = (int) sync.finish(connect, c, null);
            if (rc < 0 || accepted < 0) {
                if (accepted >= 0) {
                    sync.close(accepted);
                }
                return rc < 0 ? rc : accepted;
            }
            sv[0] = client;
            sv[1] = accepted;
            client = -1;
            return 0;
        } finally {
            sync.close(listener);
            if (client >= 0) {
                sync.close(client);
            }
        }
    }
}
