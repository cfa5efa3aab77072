package io.virtaio.netstack.arp;

import io.virtaio.netstack.StackContext;
import io.virtaio.netstack.StackConfig;
import io.virtaio.netstack.ip.NeighborListener;
import io.virtaio.netstack.ip.NeighborResolver;
import io.virtaio.netstack.ip.Routing;
import io.virtaio.netstack.link.EthernetSender;
import io.virtaio.netstack.time.Timer;
import io.virtaio.netstack.wire.ArpOperation;
import io.virtaio.netstack.wire.ArpPacket;
import io.virtaio.netstack.wire.EtherType;
import io.virtaio.netstack.wire.EthernetFrame;
import io.virtaio.netstack.wire.MacAddress;
import io.virtaio.netstack.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * ARP for IPv4 over Ethernet (RFC 826; RFC 1122 §2.3.2): answers requests for our address, learns from packets
 * addressed to us, resolves next hops with retried requests, and announces our address once at start.
 *
 * <p>A resolution sends a broadcast request, then one more every {@code arpRetryIntervalNs} (RFC 1122 §2.3.2.1:
 * no more than one request per address per interval) until a reply or {@code arpMaxRetries} requests; then the
 * neighbour is unreachable for one more interval, during which senders get EHOSTUNREACH, and the packets that were
 * waiting are given up ({@link NeighborListener#onUnreachable}). A resolved entry is trusted for
 * {@code arpCacheTimeoutNs}; the first packet after that resolves it again.
 *
 * <p>Thread: the stack's. Receiving and answering allocate nothing.
 */
public final class ArpLayer implements NeighborResolver {
    private static final int FRAME_LENGTH = EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH;

    private final StackContext ctx;
    private final EthernetSender tx;
    private final Routing routing;
    private final NeighborListener listener;
    private final ArpCache cache;
    private final Timer[] retryTimers;
    private final long mac;
    private final int address;
    private final long cacheTimeoutNs;
    private final long retryIntervalNs;
    private final int maxRetries;
    private final ArpPacket in = new ArpPacket();
    private final ArpPacket out = new ArpPacket();

    private final long[] drops = new long[WireError.COUNT];
    private long packets;
    private long badSender;
    private long conflicts;
    private long notForUs;
    private long requestsForUs;
    private long repliesForUs;
    private long cacheFull;
    private long txRequests;
    private long txReplies;
    private long txAnnouncements;
    private long txNoBuffer;
    private long resolved;
    private long unreachable;

    public ArpLayer(StackContext ctx, EthernetSender tx, Routing routing, int cacheCapacity,
                    NeighborListener listener) {
        StackConfig config = ctx.config();
        this.ctx = ctx;
        this.tx = tx;
        this.routing = routing;
        this.listener = listener;
        this.cache = new ArpCache(cacheCapacity);
        this.retryTimers = new Timer[cacheCapacity];
        for (int e = 0; e < cacheCapacity; e++) {
            int entry = e;
            retryTimers[e] = new Timer(nowNs -> onRetryTimer(entry, nowNs));
        }
        this.mac = tx.mac();
        this.address = routing.address();
        this.cacheTimeoutNs = config.arpCacheTimeoutNs();
        this.retryIntervalNs = config.arpRetryIntervalNs();
        this.maxRetries = config.arpMaxRetries();
    }

    /** An ARP packet arrived: the Ethernet payload at {@code off}, {@code len} bytes (padding included). */
    public void input(MemorySegment seg, long off, int len) {
        packets++;
        // RFC 826 "Packet Reception": hardware and protocol type first (check() refuses other media and opcodes).
        int err = in.wrap(seg, off, len).check();
        if (err != WireError.OK) {
            drops[-err]++;
            return;
        }
        long sha = in.senderMac();
        int spa = in.senderIp();
        int tpa = in.targetIp();
        if (!MacAddress.isUnicast(sha)) {
            badSender++;
            return;
        }
        if (routing.isOurs(spa)) {
            conflicts++;        // another host claims our address (RFC 5227 §2.4); never learn it
            return;
        }
        // A sender address of 0.0.0.0 is an RFC 5227 §2.1.1 probe: answered, never learned.
        boolean learnable = routing.isSingleHost(spa);
        // RFC 826: "If the pair <protocol type, sender protocol address> is already in my translation table,
        // update the sender hardware address field of the entry with the new information" (Merge_flag).
        boolean merged = false;
        if (learnable) {
            int e = cache.find(spa);
            if (e >= 0) {
                learn(e, spa, sha);
                merged = true;
            }
        }
        // RFC 826: "?Am I the target protocol address?" — only then add the sender and look at the opcode.
        if (!routing.isOurs(tpa)) {
            notForUs++;
            return;
        }
        if (learnable && !merged) {
            int e = cache.insert(spa);
            if (e >= 0) {
                ctx.timers().cancel(retryTimers[e]);
                learn(e, spa, sha);
            } else {
                cacheFull++;
            }
        }
        if (in.operation() == ArpOperation.REQUEST) {
            requestsForUs++;
            // RFC 826: swap the fields, put ours in the sender fields, set REPLY, send to the requester.
            if (transmit(ArpOperation.REPLY, sha, sha, spa)) {
                txReplies++;
            }
        } else {
            repliesForUs++;
        }
    }

    private void learn(int e, int addr, long hw) {
        boolean wasResolving = cache.isIncomplete(e);
        cache.setReachable(e, hw, ctx.nowNs() + cacheTimeoutNs);
        if (wasResolving) {
            ctx.timers().cancel(retryTimers[e]);
            resolved++;
            listener.onResolved(addr, hw);
        }
    }

    @Override
    public long lookup(int addr) {
        return cache.lookup(addr, ctx.nowNs());
    }

    @Override
    public boolean resolve(int addr) {
        int e = cache.find(addr);
        if (e >= 0 && cache.isIncomplete(e)) {
            return true;
        }
        if (e < 0) {
            e = cache.insert(addr);
            if (e < 0) {
                cacheFull++;
                return false;
            }
            ctx.timers().cancel(retryTimers[e]);
        }
        cache.setIncomplete(e);
        request(e, ctx.nowNs());
        return true;
    }

    private void request(int e, long nowNs) {
        cache.countAttempt(e);
        ctx.timers().arm(retryTimers[e], nowNs + retryIntervalNs);
        if (transmit(ArpOperation.REQUEST, MacAddress.BROADCAST, 0, cache.address(e))) {
            txRequests++;
        }
    }

    private void onRetryTimer(int e, long nowNs) {
        if (!cache.isIncomplete(e)) {
            return;
        }
        if (cache.attempts(e) < maxRetries) {
            request(e, nowNs);
            return;
        }
        int addr = cache.address(e);
        cache.setFailed(e, nowNs + retryIntervalNs);
        unreachable++;
        listener.onUnreachable(addr);
    }

    /**
     * Announces our address (RFC 5227 §3 "ARP Announcement": a broadcast request with our address as both sender
     * and target), so that neighbours update stale entries; returns false if no transmit buffer was free.
     */
    public boolean announce() {
        if (address == 0) {
            return true;
        }
        if (!transmit(ArpOperation.REQUEST, MacAddress.BROADCAST, 0, address)) {
            return false;
        }
        txAnnouncements++;
        return true;
    }

    private boolean transmit(int operation, long ethDst, long targetMac, int targetIp) {
        int id = tx.acquire();
        if (id < 0) {
            txNoBuffer++;
            return false;
        }
        tx.writeHeader(id, ethDst, EtherType.ARP);
        out.wrap(tx.segment(), tx.frameOffset(id) + EthernetFrame.HEADER_LENGTH, ArpPacket.LENGTH);
        out.setEthernetIpv4();
        out.setOperation(operation);
        out.setSenderMac(mac);
        out.setSenderIp(address);
        out.setTargetMac(targetMac);
        out.setTargetIp(targetIp);
        return tx.submit(id, FRAME_LENGTH, -1, 0);
    }

    /** Cancels every retry (stack shutdown). */
    public void close() {
        for (Timer t : retryTimers) {
            ctx.timers().cancel(t);
        }
    }

    /** Adds the {@code arp.*} counters to {@code into}. */
    public void putCounters(Map<String, Long> into) {
        into.put("arp.rx.packets", packets);
        into.put("arp.rx.drop.TRUNCATED", drops[-WireError.TRUNCATED]);
        into.put("arp.rx.drop.UNSUPPORTED", drops[-WireError.UNSUPPORTED]);
        into.put("arp.rx.drop.bad_sender", badSender);
        into.put("arp.rx.drop.conflict", conflicts);
        into.put("arp.rx.not_for_us", notForUs);
        into.put("arp.rx.requests_for_us", requestsForUs);
        into.put("arp.rx.replies_for_us", repliesForUs);
        into.put("arp.tx.requests", txRequests);
        into.put("arp.tx.replies", txReplies);
        into.put("arp.tx.announcements", txAnnouncements);
        into.put("arp.tx.drop.no_buffer", txNoBuffer);
        into.put("arp.resolved", resolved);
        into.put("arp.unreachable", unreachable);
        into.put("arp.cache.entries", (long) cache.size());
        into.put("arp.cache.evictions", cache.evictions());
        into.put("arp.cache.full", cacheFull);
    }
}
