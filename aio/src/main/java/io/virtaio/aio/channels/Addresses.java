package io.virtaio.aio.channels;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/** IPv4 socket addresses between the JDK's form and the stack's (an int address, first octet most significant). */
final class Addresses {
    private Addresses() {
    }

    /** The stack's address of {@code a}: an IPv4 {@link InetSocketAddress}, or null for "any address, any port". */
    static int address(SocketAddress a) {
        if (a == null) {
            return 0;
        }
        InetSocketAddress isa = checked(a);
        if (isa.getAddress().isAnyLocalAddress()) {
            return 0;
        }
        byte[] b = isa.getAddress().getAddress();
        return (b[0] & 255) << 24 | (b[1] & 255) << 16 | (b[2] & 255) << 8 | (b[3] & 255);
    }

    static int port(SocketAddress a) {
        return a == null ? 0 : checked(a).getPort();
    }

    private static InetSocketAddress checked(SocketAddress a) {
        if (!(a instanceof InetSocketAddress isa)) {
            throw new UnsupportedAddressTypeException();
        }
        if (isa.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        if (!(isa.getAddress() instanceof Inet4Address) && !isa.getAddress().isAnyLocalAddress()) {
            // The stack is IPv4 only.
            throw new UnsupportedAddressTypeException();
        }
        return isa;
    }

    static InetSocketAddress of(int address, int port) {
        byte[] b = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(b), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }
}
