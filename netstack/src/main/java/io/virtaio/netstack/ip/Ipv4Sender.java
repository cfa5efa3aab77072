package io.virtaio.netstack.ip;

import io.virtaio.netstack.Errno;
import io.virtaio.netstack.link.EthernetSender;
import io.virtaio.netstack.link.NetDevice;
import io.virtaio.netstack.wire.Be;
import io.virtaio.netstack.wire.Checksum;
import io.virtaio.netstack.wire.EtherType;
import io.virtaio.netstack.wire.EthernetFrame;
import io.virtaio.netstack.wire.IpProtocol;
import io.virtaio.netstack.wire.Ipv4Address;
import io.virtaio.netstack.wire.Ipv4Packet;
import io.virtaio.netstack.wire.MacAddress;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * The stack's {@link Ipv4Output}: routes each packet, builds it in place where it will leave from, and sends it.
 *
 * <p>Three paths, chosen at {@link #begin}: packets to this host (our address, 127.0.0.0/8) go into the
 * {@link LoopbackQueue}; packets to a resolved next hop, a broadcast or a multicast address go straight into a
 * device transmit buffer; packets to an unresolved next hop go into the {@link PendingQueue} and start ARP. Every
 * packet gets a 20-byte header (no options) with DF set, TTL 64, a fresh Identification, the header checksum, and
 * its transport checksum: as a pseudo-header partial sum when the device completes it (virtio NEEDS_CSUM, TCP and
 * UDP only) or on loopback (whose receiver trusts it, as Linux's {@code lo} does), else in full in software.
 *
 * <p>One packet is built at a time: {@link #begin} then {@link #commit} or {@link #abort}; a second begin before
 * that is a bug and throws. Thread: the stack's. Allocation-free.
 */
public final class Ipv4Sender implements Ipv4Output {
    /** RFC 1700 / RFC 1122 §3.2.1.7: the default TTL, as Linux and the BSDs send. */
    public static final int TTL = 64;

    private static final int PATH_DEVICE = 1;
    private static final int PATH_PENDING = 2;
    private static final int PATH_LOOPBACK = 3;
    private static final int ETH = EthernetFrame.HEADER_LENGTH;
    private static final int IP = Ipv4Packet.MIN_HEADER_LENGTH;

    private final Routing routing;
    private final EthernetSender tx;
    private final NeighborResolver neighbors;
    private final PendingQueue pending;
    private final LoopbackQueue loopback;
    private final boolean checksumOffload;
    private final int mtu;
    private final TxPacket packet = new TxPacket();
    private final Ipv4Packet header = new Ipv4Packet();
    private boolean building;
    private long dstMac;
    private int nextHop;
    private int identification;
    private int lastError;

    private long packets;
    private long bytes;
    private long noBuffer;
    private long noRoute;
    private long hostUnreachable;

    /**
     * @param mtu                 the device's MTU
     * @param capabilities        the device's {@link NetDevice} capabilities
     * @param firstIdentification the first Identification value (random, from the stack's seed)
     */
    public Ipv4Sender(Routing routing, EthernetSender tx, NeighborResolver neighbors, PendingQueue pending,
                      LoopbackQueue loopback, int mtu, int capabilities, int firstIdentification) {
        this.routing = routing;
        this.tx = tx;
        this.neighbors = neighbors;
        this.pending = pending;
        this.loopback = loopback;
        this.mtu = mtu;
        this.checksumOffload = (capabilities & NetDevice.CAP_TX_CSUM) != 0;
        this.identification = firstIdentification;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException    if a packet is being built already
     * @throws IllegalArgumentException if {@code maxL4Length} is negative or more than {@link #maxL4Length(int)}
     */
    @Override
    public TxPacket begin(int dst, int protocol, int maxL4Length) {
        if (building) {
            throw new IllegalStateException("a packet is being built: commit or abort it first");
        }
        if (maxL4Length < 0 || maxL4Length > maxL4Length(dst)) {
            throw new IllegalArgumentException("transport length " + maxL4Length + " not in 0.." + maxL4Length(dst));
        }
        TxPacket p = packet;
        p.src = routing.sourceFor(dst);
        p.dst = dst;
        p.protocol = protocol;
        p.l4Capacity = maxL4Length;
        if (routing.isLocal(dst)) {
            long at = loopback.reserve(IP + maxL4Length);
            if (at < 0) {
                return fail(-Errno.ENOBUFS);
            }
            p.segment = loopback.segment();
            p.l4Offset = at + IP;
            p.path = PATH_LOOPBACK;
        } else {
            long mac;
            if (routing.isBroadcast(dst)) {
                mac = MacAddress.BROADCAST;
            } else if (Ipv4Address.isMulticast(dst)) {
                // RFC 1112 §6.4: 01-00-5E-00-00-00 plus the low-order 23 bits of the group address.
                mac = 0x01_00_5E_00_00_00L | (dst & 0x7F_FFFF);
            } else {
                int hop = routing.nextHop(dst);
                if (hop == Routing.NO_ROUTE) {
                    noRoute++;
                    return fail(-Errno.ENETUNREACH);
                }
                mac = neighbors.lookup(hop);
                if (mac == NeighborResolver.UNREACHABLE) {
                    hostUnreachable++;
                    return fail(-Errno.EHOSTUNREACH);
                }
                if (mac == NeighborResolver.UNRESOLVED) {
                    int slot = pending.reserve();
                    p.segment = pending.segment();
                    p.l4Offset = pending.frameOffset(slot) + ETH + IP;
                    p.handle = slot;
                    p.path = PATH_PENDING;
                    nextHop = hop;
                    building = true;
                    return p;
                }
            }
            int id = tx.acquire();
            if (id < 0) {
                return fail(-Errno.ENOBUFS);
            }
            p.segment = tx.segment();
            p.l4Offset = tx.frameOffset(id) + ETH + IP;
            p.handle = id;
            p.path = PATH_DEVICE;
            dstMac = mac;
        }
        building = true;
        return p;
    }

    private TxPacket fail(int errno) {
        if (errno == -Errno.ENOBUFS) {
            noBuffer++;
        }
        lastError = errno;
        return null;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException    if {@code p} is not the packet being built
     * @throws IllegalArgumentException if the length exceeds what was reserved or the checksum field is outside
     */
    @Override
    public void commit(TxPacket p, int l4Length, int checksumOffset) {
        if (!building || p != packet) {
            throw new IllegalStateException("commit without begin");
        }
        if (l4Length < 0 || l4Length > p.l4Capacity || checksumOffset < 0 || checksumOffset > l4Length - 2) {
            throw new IllegalArgumentException("transport length " + l4Length + " / checksum offset "
                    + checksumOffset + " do not fit the " + p.l4Capacity + " bytes reserved");
        }
        building = false;
        MemorySegment seg = p.segment;
        long l4 = p.l4Offset;
        int total = IP + l4Length;
        header.wrap(seg, l4 - IP, total);
        header.setVersionAndHeaderLength(IP);
        header.setDscpEcn(0, 0);
        header.setTotalLength(total);
        // RFC 6864 §4.1: the Identification of an atomic datagram (DF set, never fragmented) may be any value.
        header.setIdentification(identification++);
        // RFC 1191 §3 (PMTU discovery) and our no-fragmentation policy: always DF.
        header.setFragment(true, false, 0);
        header.setTtl(TTL);
        header.setProtocol(p.protocol);
        header.setSrc(p.src);
        header.setDst(p.dst);
        header.fillChecksum();

        boolean pseudoOnly = isTcpOrUdp(p.protocol) && (checksumOffload || p.path == PATH_LOOPBACK);
        fillTransportChecksum(p, seg, l4, l4Length, checksumOffset, pseudoOnly);
        int csumStart = pseudoOnly ? ETH + IP : -1;
        int csumOffset = pseudoOnly ? checksumOffset : 0;
        packets++;
        bytes += total;
        switch (p.path) {
            case PATH_LOOPBACK -> loopback.commit(total);
            case PATH_DEVICE -> {
                tx.writeHeader(p.handle, dstMac, EtherType.IPV4);
                tx.submit(p.handle, ETH + total, csumStart, csumOffset);
            }
            default -> {
                pending.enqueue(p.handle, nextHop, ETH + total, csumStart, csumOffset);
                if (!neighbors.resolve(nextHop)) {
                    pending.onUnreachable(nextHop);     // no room to even track the neighbour
                }
            }
        }
    }

    private static boolean isTcpOrUdp(int protocol) {
        return protocol == IpProtocol.TCP || protocol == IpProtocol.UDP;
    }

    private static void fillTransportChecksum(TxPacket p, MemorySegment seg, long l4, int l4Length,
                                              int checksumOffset, boolean pseudoOnly) {
        long field = l4 + checksumOffset;
        if (pseudoOnly) {
            // virtio 1.2 §5.1.6.2: with NEEDS_CSUM the field holds the folded pseudo-header sum, uncomplemented;
            // the device sums from csum_start to the end of the frame and stores the complement.
            Be.set16(seg, field, Checksum.pseudoHeader(p.src, p.dst, p.protocol, l4Length));
        } else if (isTcpOrUdp(p.protocol)) {
            // RFC 9293 §3.1 and RFC 768: pseudo-header, header and data; UDP sends a computed zero as all ones.
            int sum = Checksum.fold((long) Checksum.pseudoHeader(p.src, p.dst, p.protocol, l4Length)
                    + Checksum.sum(seg, l4, l4Length));
            Be.set16(seg, field, p.protocol == IpProtocol.UDP ? Checksum.finishUdp(sum) : Checksum.finish(sum));
        } else {
            // RFC 792: ICMP's checksum covers the message alone.
            Be.set16(seg, field, Checksum.finish(Checksum.sum(seg, l4, l4Length)));
        }
    }

    @Override
    public void abort(TxPacket p) {
        if (!building || p != packet) {
            throw new IllegalStateException("abort without begin");
        }
        building = false;
        switch (p.path) {
            case PATH_LOOPBACK -> loopback.cancel();
            case PATH_DEVICE -> tx.abort(p.handle);
            default -> pending.release(p.handle);
        }
    }

    @Override
    public int lastError() {
        return lastError;
    }

    @Override
    public int maxL4Length(int dst) {
        return (routing.isLocal(dst) ? LoopbackQueue.MTU : mtu) - IP;
    }

    @Override
    public int sourceFor(int dst) {
        return routing.sourceFor(dst);
    }

    /** Adds the {@code ipv4.tx.*} counters to {@code into}. */
    public void putCounters(Map<String, Long> into) {
        into.put("ipv4.tx.packets", packets);
        into.put("ipv4.tx.bytes", bytes);
        into.put("ipv4.tx.drop.no_buffer", noBuffer);
        into.put("ipv4.tx.drop.no_route", noRoute);
        into.put("ipv4.tx.drop.host_unreachable", hostUnreachable);
    }
}
