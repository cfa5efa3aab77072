package io.virtaio.aio.net;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.Socket;
import io.virtaio.netstack.tcp.TcpState;
import io.virtaio.netstack.tcp.TcpSocket;
import io.virtaio.netstack.udp.UdpSocket;

/**
 * The socket control calls of the façade (socket, bind, listen, shutdown, setsockopt, getsockopt, getsockname,
 * getpeername), each run on the socket's node loop as a {@link LoopCall}. They return a non-negative result or
 * {@code -errno}. Data transfer, accept and connect are requests, not calls: see {@link SocketDescriptor}.
 */
public final class SocketCalls {
    private SocketCalls() {
    }

    /** Option levels and names, numbered as Linux numbers them (asm-generic/socket.h, netinet/tcp.h). */
    public static final int SOL_SOCKET = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int SO_ERROR = 4;
    public static final int SO_BROADCAST = 6;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_LINGER = 13;
    public static final int TCP_NODELAY = 1;
    public static final int TCP_CONGESTION = 13;

    /**
     * A new stream (TCP) or datagram (UDP) socket on {@code node}.
     *
     * @param out receives the descriptor (not yet installed in a table)
     * @return 0, or -ENFILE when the stack's socket table is full
     */
    public static int open(NetNode node, boolean stream, SocketDescriptor[] out) {
        return new LoopCall() {
            @Override
            protected int run(NetNode n) {
                Socket s = stream ? n.stack().tcpSocket() : n.stack().udpSocket();
                if (s == null) {
                    return -Errno.ENFILE;
                }
                out[0] = new SocketDescriptor(n, s);
                return 0;
            }
        }.call(node);
    }

    public static int bind(SocketDescriptor sd, int address, int port) {
        return new LoopCall() {
            @Override
            protected int run(NetNode n) {
                return sd.socket().bind(address, port);
            }
        }.call(sd.node());
    }

    public static int listen(SocketDescriptor sd, int backlog) {
        return new LoopCall() {
            @Override
            protected int run(NetNode n) {
                return sd.socket() instanceof TcpSocket t ? t.listen(backlog) : -Errno.EOPNOTSUPP;
            }
        }.call(sd.node());
    }

    public static int shutdown(SocketDescriptor sd, int how) {
        return new LoopCall() {
            @Override
            protected int run(NetNode n) {
                if (how < TcpSocket.SHUT_RD || how > TcpSocket.SHUT_RDWR) {
                    return -Errno.EINVAL;
                }
                return sd.socket() instanceof TcpSocket t ? t.shutdown(how) : -Errno.ENOTCONN;
            }
        }.call(sd.node());
    }

    /** setsockopt with an int value. */
    public static int setOption(SocketDescriptor sd, int level, int name, int value) {
        return new LoopCall() {
            @Override
            protected int run(NetNode n) {
                int option = option(sd.socket(), level, name);
                if (option < 0) {
                    return option;
                }
                return sd.socket() instanceof TcpSocket t ? t.setOption(option, value)
                        : ((UdpSocket) sd.socket()).setOption(option, value);
            }
        }.call(sd.node());
    }

    /** getsockopt of an int value into {@code out[0]}; 0 or -errno. */
    public static int getOption(SocketDescriptor sd, int level, int name, int[] out) {
        return new LoopCall() {
            @Override
            protected int run(NetNode n) {
                Socket s = sd.socket();
                if (level == SOL_SOCKET && name == SO_ERROR) {
                    out[0] = s.takeError();
                    return 0;
                }
                int option = option(s, level, name);
                if (option < 0) {
                    return option;
                }
                int v = s instanceof TcpSocket t ? t.getOption(option) : ((UdpSocket) s).getOption(option);
                if (v < 0 && !(option == TcpSocket.SO_LINGER && v == -1)) {
                    return v;
                }
                out[0] = v;
                return 0;
            }
        }.call(sd.node());
    }

    /** The local ({@code peer} false) or remote address and port into {@code out}; 0 or -ENOTCONN. */
    public static int name(SocketDescriptor sd, boolean peer, int[] out) {
        return new LoopCall() {
            @Override
            protected int run(NetNode n) {
                Socket s = sd.socket();
                if (peer) {
                    if (s.remoteAddress() == 0 && s.remotePort() == 0) {
                        return -Errno.ENOTCONN;
                    }
                    out[0] = s.remoteAddress();
                    out[1] = s.remotePort();
                } else {
                    out[0] = s.localAddress();
                    out[1] = s.localPort();
                }
                return 0;
            }
        }.call(sd.node());
    }

    /** ioctl requests, numbered as Linux numbers them (asm-generic/ioctls.h; SIOCINQ and SIOCOUTQ are aliases). */
    public static final int TIOCOUTQ = 0x5411;
    public static final int FIONREAD = 0x541B;

    /**
     * ioctl(FIONREAD): bytes that can be read now (TCP), or whether a datagram waits (UDP: 1 or 0, the stack does not
     * report the next datagram's size); ioctl(TIOCOUTQ): bytes in the send queue, unsent or unacknowledged (TCP).
     * Into {@code out[0]}; 0, -EINVAL for another socket kind, -ENOTTY for another request.
     */
    public static int ioctl(SocketDescriptor sd, int request, int[] out) {
        return new LoopCall() {
            @Override
            protected int run(NetNode n) {
                Socket s = sd.socket();
                if (request == FIONREAD) {
                    out[0] = s instanceof TcpSocket t ? t.readable() : ((UdpSocket) s).queuedDatagrams() > 0 ? 1 : 0;
                    return 0;
                }
                if (request == TIOCOUTQ) {
                    if (!(s instanceof TcpSocket t)) {
                        return -Errno.EINVAL;
                    }
                    // The send ring holds exactly the unsent and unacknowledged bytes: its size less its free space.
                    TcpState st = t.state();
                    boolean data = st == TcpState.ESTABLISHED || st == TcpState.CLOSE_WAIT;
                    out[0] = data ? t.getOption(TcpSocket.SO_SNDBUF) - t.writable() : 0;
                    return 0;
                }
                return -Errno.ENOTTY;
            }
        }.call(sd.node());
    }

    /** The stack's option number for (level, name), or -ENOPROTOOPT. */
    private static int option(Socket s, int level, int name) {
        if (level == SOL_SOCKET) {
            return switch (name) {
                case SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE, SO_LINGER -> s instanceof TcpSocket || name == SO_RCVBUF
                        ? name : -Errno.ENOPROTOOPT;
                case SO_BROADCAST -> s instanceof UdpSocket ? UdpSocket.SO_BROADCAST : -Errno.ENOPROTOOPT;
                default -> -Errno.ENOPROTOOPT;
            };
        }
        if (level == IPPROTO_TCP && s instanceof TcpSocket) {
            return switch (name) {
                case TCP_NODELAY -> TcpSocket.TCP_NODELAY;
                case TCP_CONGESTION -> TcpSocket.TCP_CONGESTION;
                default -> -Errno.ENOPROTOOPT;
            };
        }
        return -Errno.ENOPROTOOPT;
    }
}
