package io.virtaio.netstack.icmp;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.wire.Icmpv4Code;
import io.virtaio.netstack.wire.Icmpv4Type;

/**
 * The errno a socket reports for an ICMP error about one of its packets, as Linux maps them
 * ({@code icmp_err_convert} in net/ipv4/icmp.c), so applications see the numbers they expect.
 */
public final class IcmpErrno {
    private IcmpErrno() {}

    /** The positive errno for ICMP {@code type}/{@code code}; EHOSTUNREACH for anything unlisted. */
    public static int of(int type, int code) {
        if (type != Icmpv4Type.DST_UNREACHABLE) {
            return Errno.EHOSTUNREACH;      // time exceeded: the packet died on the way
        }
        return switch (code) {
            // 6: destination network unknown, 9: network administratively prohibited, 11: network unreachable for
            // TOS (RFC 1122 §3.2.2.1).
            case Icmpv4Code.NET_UNREACHABLE, 6, 9, 11 -> Errno.ENETUNREACH;
            case Icmpv4Code.PROTOCOL_UNREACHABLE -> Errno.ENOPROTOOPT;
            case Icmpv4Code.PORT_UNREACHABLE -> Errno.ECONNREFUSED;
            case Icmpv4Code.FRAGMENTATION_NEEDED -> Errno.EMSGSIZE;
            case Icmpv4Code.SOURCE_ROUTE_FAILED -> Errno.EOPNOTSUPP;
            case 7 -> Errno.EHOSTDOWN;                  // destination host unknown
            default -> Errno.EHOSTUNREACH;
        };
    }
}
