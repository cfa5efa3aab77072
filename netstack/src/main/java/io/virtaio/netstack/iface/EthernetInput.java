package io.virtaio.netstack.iface;

import io.virtaio.netstack.arp.ArpLayer;
import io.virtaio.netstack.link.FrameHandler;
import io.virtaio.netstack.link.NetDevice;
import io.virtaio.netstack.wire.EtherType;
import io.virtaio.netstack.wire.EthernetFrame;
import io.virtaio.netstack.wire.MacAddress;
import io.virtaio.netstack.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * The stack's receive entry point: every frame from the device, in place. Keeps Ethernet II frames (RFC 894) sent to
 * our MAC address or to broadcast from an individual address, and hands ARP and IPv4 payloads on; counts the rest
 * by reason (short, not for us, bad source, EtherType not spoken — VLAN-tagged and IPv6 frames included).
 *
 * <p>One instance per stack, created once, so polling allocates nothing. Thread: the stack's.
 */
public final class EthernetInput implements FrameHandler {
    private final long mac;
    private final ArpLayer arp;
    private final Ipv4Input ipv4;
    private final EthernetFrame frame = new EthernetFrame();

    private long frames;
    private long bytes;
    private long truncated;
    private long notForUs;
    private long badSource;
    private long badEtherType;

    public EthernetInput(long mac, ArpLayer arp, Ipv4Input ipv4) {
        this.mac = mac;
        this.arp = arp;
        this.ipv4 = ipv4;
    }

    @Override
    public void onFrame(MemorySegment seg, long off, int len, int flags) {
        frames++;
        bytes += len;
        if (frame.wrap(seg, off, len).check() != WireError.OK) {
            truncated++;
            return;
        }
        long dst = frame.dst();
        boolean broadcast = dst == MacAddress.BROADCAST;
        if (dst != mac && !broadcast) {
            notForUs++;         // multicast included: this host joins no group
            return;
        }
        // IEEE 802.3 clause 3.2.3: the Source Address field holds an individual address, never a group one.
        if (!MacAddress.isUnicast(frame.src())) {
            badSource++;
            return;
        }
        switch (frame.etherType()) {
            case EtherType.ARP -> arp.input(seg, frame.payloadOffset(), frame.payloadLength());
            case EtherType.IPV4 -> ipv4.input(seg, frame.payloadOffset(), frame.payloadLength(),
                    (flags & NetDevice.RX_CSUM_OK) != 0, broadcast, false);
            default -> badEtherType++;
        }
    }

    /** Adds the {@code eth.rx.*} counters to {@code into}. */
    public void putCounters(Map<String, Long> into) {
        into.put("eth.rx.frames", frames);
        into.put("eth.rx.bytes", bytes);
        into.put("eth.rx.drop.TRUNCATED", truncated);
        into.put("eth.rx.drop.not_for_us", notForUs);
        into.put("eth.rx.drop.bad_source", badSource);
        into.put("eth.rx.drop.bad_ethertype", badEtherType);
    }
}
