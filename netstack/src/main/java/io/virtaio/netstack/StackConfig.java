package io.virtaio.netstack;

import io.virtaio.netstack.tcp.TcpConfig;

/**
 * Configuration of one {@link Stack}: its IPv4 interface and the limits that keep its memory bounded.
 *
 * @param address               IPv4 address (see {@link io.virtaio.netstack.wire.Ipv4Address})
 * @param prefixLength          on-link prefix, 0..32
 * @param gateway               default gateway, 0 for none (then only on-link destinations are reachable)
 * @param tcp                   TCP parameters
 * @param udpReceiveQueueBytes  per-socket bound on queued datagrams (payload bytes); beyond it datagrams drop
 * @param maxSockets            socket table size (TCP, UDP and listeners; half-open SYN queue entries excluded)
 * @param arpCacheTimeoutNs     how long a resolved neighbour stays valid
 * @param arpRetryIntervalNs    between ARP requests for one unresolved neighbour
 * @param arpMaxRetries         requests before a neighbour is declared unreachable (EHOSTUNREACH)
 * @param arpPendingLimit       packets waiting for resolution, stack-wide (oldest dropped beyond it)
 * @param icmpErrorsPerSecond   rate limit of ICMP errors we send (RFC 1812 §4.3.2.8), token bucket
 * @param rxBudget              frames taken from the device per poll
 * @param seed                  every random choice of the stack (ISN key, ephemeral ports, cookies) derives from it
 */
public record StackConfig(
        int address,
        int prefixLength,
        int gateway,
        TcpConfig tcp,
        int udpReceiveQueueBytes,
        int maxSockets,
        long arpCacheTimeoutNs,
        long arpRetryIntervalNs,
        int arpMaxRetries,
        int arpPendingLimit,
        int icmpErrorsPerSecond,
        int rxBudget,
        long seed) {

    public StackConfig {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32: " + prefixLength);
        }
        if (tcp == null) {
            throw new IllegalArgumentException("tcp configuration is required");
        }
        if (udpReceiveQueueBytes < 1 || maxSockets < 1 || arpCacheTimeoutNs <= 0 || arpRetryIntervalNs <= 0
                || arpMaxRetries < 1 || arpPendingLimit < 1 || icmpErrorsPerSecond < 0 || rxBudget < 1) {
            throw new IllegalArgumentException("invalid stack configuration: " + this);
        }
    }

    /** A stack at {@code address/prefixLength} with default limits and no gateway. */
    public static StackConfig of(int address, int prefixLength) {
        return new StackConfig(address, prefixLength, 0, TcpConfig.defaults(), 256 * 1024, 4096,
                60_000 * TcpConfig.MS, 1000 * TcpConfig.MS, 3, 64, 100, 256, 0);
    }

    public StackConfig withGateway(int gw) {
        return new StackConfig(address, prefixLength, gw, tcp, udpReceiveQueueBytes, maxSockets, arpCacheTimeoutNs,
                arpRetryIntervalNs, arpMaxRetries, arpPendingLimit, icmpErrorsPerSecond, rxBudget, seed);
    }

    public StackConfig withTcp(TcpConfig t) {
        return new StackConfig(address, prefixLength, gateway, t, udpReceiveQueueBytes, maxSockets, arpCacheTimeoutNs,
                arpRetryIntervalNs, arpMaxRetries, arpPendingLimit, icmpErrorsPerSecond, rxBudget, seed);
    }

    public StackConfig withSeed(long s) {
        return new StackConfig(address, prefixLength, gateway, tcp, udpReceiveQueueBytes, maxSockets,
                arpCacheTimeoutNs, arpRetryIntervalNs, arpMaxRetries, arpPendingLimit, icmpErrorsPerSecond, rxBudget, s);
    }

    public StackConfig withMaxSockets(int n) {
        return new StackConfig(address, prefixLength, gateway, tcp, udpReceiveQueueBytes, n, arpCacheTimeoutNs,
                arpRetryIntervalNs, arpMaxRetries, arpPendingLimit, icmpErrorsPerSecond, rxBudget, seed);
    }

    public StackConfig withUdpReceiveQueueBytes(int bytes) {
        return new StackConfig(address, prefixLength, gateway, tcp, bytes, maxSockets, arpCacheTimeoutNs,
                arpRetryIntervalNs, arpMaxRetries, arpPendingLimit, icmpErrorsPerSecond, rxBudget, seed);
    }

    /** The same configuration with the ARP timing and bounds given. */
    public StackConfig withArp(long cacheTimeoutNs, long retryIntervalNs, int maxRetries, int pendingLimit) {
        return new StackConfig(address, prefixLength, gateway, tcp, udpReceiveQueueBytes, maxSockets, cacheTimeoutNs,
                retryIntervalNs, maxRetries, pendingLimit, icmpErrorsPerSecond, rxBudget, seed);
    }

    public StackConfig withIcmpErrorsPerSecond(int perSecond) {
        return new StackConfig(address, prefixLength, gateway, tcp, udpReceiveQueueBytes, maxSockets,
                arpCacheTimeoutNs, arpRetryIntervalNs, arpMaxRetries, arpPendingLimit, perSecond, rxBudget, seed);
    }

    public StackConfig withRxBudget(int frames) {
        return new StackConfig(address, prefixLength, gateway, tcp, udpReceiveQueueBytes, maxSockets,
                arpCacheTimeoutNs, arpRetryIntervalNs, arpMaxRetries, arpPendingLimit, icmpErrorsPerSecond, frames,
                seed);
    }
}
